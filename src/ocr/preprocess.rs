//! Preprocessing before recognition. Only what measurably helped on the sample scans is kept:
//! resampling to 0.6× (see `TesseractConfig::scale`). Leptonica-style background normalisation and
//! binarisation made CER worse (BENCHMARKS.md), so Tesseract's own Otsu binarisation is used.

use image::GrayImage;

/// Separable antialiased resampling (triangle filter widened by the scale factor), on plain slices so it
/// stays fast in debug builds.
pub fn resample(img: &GrayImage, scale: f32) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (nw, nh) = (
        ((w as f32 * scale) as usize).max(1),
        ((h as f32 * scale) as usize).max(1),
    );
    let weights = |n_in: usize, n_out: usize| -> Vec<(usize, Vec<f32>)> {
        let ratio = n_in as f32 / n_out as f32;
        let support = ratio.max(1.0);
        (0..n_out)
            .map(|o| {
                let center = (o as f32 + 0.5) * ratio;
                let lo = ((center - support).floor().max(0.0)) as usize;
                let hi = ((center + support).ceil() as usize).min(n_in);
                let mut ws: Vec<f32> = (lo..hi)
                    .map(|i| (1.0 - ((i as f32 + 0.5 - center) / support).abs()).max(0.0))
                    .collect();
                let sum: f32 = ws.iter().sum::<f32>().max(1e-6);
                ws.iter_mut().for_each(|x| *x /= sum);
                (lo, ws)
            })
            .collect()
    };
    let wx = weights(w, nw);
    let wy = weights(h, nh);
    let src = img.as_raw();
    // Vertical pass first, over whole rows (contiguous, so it vectorises), then the horizontal pass on
    // the one accumulated row: ~2× faster than the other way round.
    // Horizontal taps padded to a fixed width with zero weights (and the row with zeros), so the inner
    // loop has a constant length; the sum runs in the same order, so the result is the same.
    const TAPS: usize = 8;
    let fixed: Option<Vec<(usize, [f32; TAPS])>> = wx
        .iter()
        .map(|(lo, ws)| {
            let mut k = [0f32; TAPS];
            k.get_mut(..ws.len())?.copy_from_slice(ws);
            Some((*lo, k))
        })
        .collect();
    let mut dst = vec![0u8; nw * nh];
    let mut acc = vec![0f32; w + TAPS];
    for (out, (lo, ws)) in dst.chunks_exact_mut(nw).zip(&wy) {
        acc.fill(0.0);
        for (row, wgt) in src[lo * w..].chunks_exact(w).zip(ws) {
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += wgt * v as f32;
            }
        }
        let px = |v: f32| v.round().clamp(0.0, 255.0) as u8;
        match &fixed {
            Some(taps) => {
                for (o, (lo, k)) in out.iter_mut().zip(taps) {
                    let a: &[f32; TAPS] = acc[*lo..*lo + TAPS].try_into().expect("padded row");
                    *o = px(k.iter().zip(a).map(|(k, a)| k * a).sum());
                }
            }
            None => {
                for (o, (lo, ws)) in out.iter_mut().zip(&wx) {
                    *o = px(ws.iter().zip(&acc[*lo..]).map(|(k, a)| k * a).sum());
                }
            }
        }
    }
    GrayImage::from_raw(nw as u32, nh as u32, dst).expect("buffer sized to the image")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same triangle filter as a plain 2-D sum per output pixel, horizontal weights times vertical.
    fn reference(img: &GrayImage, scale: f32) -> GrayImage {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let (nw, nh) = ((w as f32 * scale) as usize, (h as f32 * scale) as usize);
        let taps = |o: usize, n_in: usize, n_out: usize| -> Vec<(usize, f32)> {
            let ratio = n_in as f32 / n_out as f32;
            let support = ratio.max(1.0);
            let center = (o as f32 + 0.5) * ratio;
            let t: Vec<(usize, f32)> = (0..n_in)
                .map(|i| {
                    (
                        i,
                        (1.0 - ((i as f32 + 0.5 - center) / support).abs()).max(0.0),
                    )
                })
                .filter(|(_, k)| *k > 0.0)
                .collect();
            let sum: f32 = t.iter().map(|(_, k)| k).sum();
            t.into_iter().map(|(i, k)| (i, k / sum)).collect()
        };
        GrayImage::from_fn(nw as u32, nh as u32, |x, y| {
            let mut v = 0.0;
            for (sy, ky) in taps(y as usize, h, nh) {
                for (sx, kx) in taps(x as usize, w, nw) {
                    v += ky * kx * img.get_pixel(sx as u32, sy as u32).0[0] as f32;
                }
            }
            image::Luma([v.round().clamp(0.0, 255.0) as u8])
        })
    }

    #[test]
    fn resampling_matches_the_plain_filter_and_keeps_flat_areas_flat() {
        // Text-like content: dark strokes on paper, with a gradient.
        let img = GrayImage::from_fn(97, 61, |x, y| {
            let stroke = (x % 11 < 2) || (y % 9 == 4);
            image::Luma([if stroke { 20 } else { 200 + (x % 40) as u8 }])
        });
        for scale in [0.55, 0.6, 0.5] {
            let fast = resample(&img, scale);
            let slow = reference(&img, scale);
            assert_eq!(fast.dimensions(), slow.dimensions());
            let worst = fast
                .as_raw()
                .iter()
                .zip(slow.as_raw())
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
            assert!(worst <= 1, "scale {scale}: off by {worst}");
        }
        let flat = GrayImage::from_pixel(50, 40, image::Luma([173]));
        assert!(resample(&flat, 0.55).pixels().all(|p| p.0[0] == 173));
        assert_eq!(resample(&flat, 0.55).dimensions(), (27, 22));
    }
}
