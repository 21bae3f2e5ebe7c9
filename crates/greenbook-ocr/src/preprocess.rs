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

/// The text height (from [`text_height`]) the base scale is for: body text of the book at 300 DPI
/// (measured on the committed scans: 40–44 px, median 42).
pub const REF_TEXT_PX: f32 = 42.0;

/// The scale that brings text of `height` px to the size `base` brings reference text to. Within 25 %
/// of the reference the base scale is kept exactly (300-DPI pages are read as they were measured);
/// otherwise it follows the text, in steps of 0.05 between 0.25 and 1.5.
pub fn scale_for(base: f32, height: Option<f32>) -> f32 {
    let Some(h) = height.filter(|h| *h > 0.0) else {
        return base;
    };
    if (h / REF_TEXT_PX - 1.0).abs() <= 0.25 {
        return base;
    }
    ((base * REF_TEXT_PX / h * 20.0).round() / 20.0).clamp(0.25, 1.5)
}

/// The page's resolution as its text height tells it: 300 DPI for text within the band [`scale_for`]
/// keeps, else 300 × height / [`REF_TEXT_PX`] (a book's body text is about the same size in print).
pub fn source_dpi(height: Option<f32>) -> f32 {
    match height.filter(|h| *h > 0.0) {
        Some(h) if (h / REF_TEXT_PX - 1.0).abs() > 0.25 => 300.0 * h / REF_TEXT_PX,
        _ => 300.0,
    }
}

/// The typical height in pixels of the page's text lines, measured from the page itself (DPI metadata is
/// often wrong): in three vertical strips (narrow, so skew does not smear the lines together), the
/// runs of rows holding ink; the lower quartile of the run heights of all strips (body text, where a
/// page mixes sizes). None when the page has too few
/// lines to tell.
pub fn text_height(img: &GrayImage) -> Option<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let strip = (w / 8).max(1);
    let raw = img.as_raw();
    let mut runs: Vec<usize> = Vec::new();
    for k in [2, 4, 6] {
        let x0 = (w * k / 8).saturating_sub(strip / 2);
        let x1 = (x0 + strip).min(w);
        let mut run = 0usize;
        let mut gap = 0usize;
        for y in 0..h {
            let row = &raw[y * w + x0..y * w + x1];
            let ink = row.iter().filter(|&&v| v < 128).count();
            if ink * 200 > row.len() {
                run += 1 + gap;
                gap = 0;
            } else if run > 0 {
                // A few blank rows inside a line (between the strokes of a glyph, more of them at high
                // resolution) do not end it; the space between lines is wider.
                gap += 1;
                if gap > 3 {
                    runs.push(run);
                    (run, gap) = (0, 0);
                }
            }
        }
        if run > 0 {
            runs.push(run);
        }
    }
    // Specks and rules are not lines of text: the floor grows with the page's pixel height (a speck of
    // a 600-DPI scan is twice as tall as at 300).
    let floor = (h / 400).max(6);
    runs.retain(|&r| r >= floor);
    if runs.len() < 5 {
        return None;
    }
    // The lower quartile: body text, not the few large title lines of a cover or a heading.
    runs.sort_unstable();
    Some(runs[runs.len() / 4] as f32)
}

/// Rotates a page clockwise by `degrees` (0, 90, 180, 270).
pub fn rotate(img: &GrayImage, degrees: u16) -> GrayImage {
    match degrees {
        90 => image::imageops::rotate90(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
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
    fn the_scale_follows_the_text_height() {
        assert_eq!(scale_for(0.6, None), 0.6);
        assert_eq!(scale_for(0.6, Some(40.0)), 0.6);
        assert_eq!(scale_for(0.6, Some(34.0)), 0.6, "within 25 %");
        assert_eq!(scale_for(0.6, Some(27.0)), 0.95, "200 DPI");
        assert_eq!(scale_for(0.6, Some(56.0)), 0.45, "400 DPI");
        assert_eq!(scale_for(0.6, Some(81.0)), 0.3, "600 DPI");
        assert_eq!(scale_for(0.6, Some(400.0)), 0.25);
    }

    /// The committed 300-DPI page and the same page at 200 and 600 DPI measure in proportion.
    #[test]
    fn text_height_is_measured_from_the_page() {
        let page = image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scans/p002.png"))
            .unwrap()
            .into_luma8();
        let at = |f: f32| text_height(&resample(&page, f)).unwrap();
        let h300 = text_height(&page).unwrap();
        assert!((38.0..=46.0).contains(&h300), "{h300}");
        assert!(
            (at(2.0 / 3.0) / h300 - 2.0 / 3.0).abs() < 0.1,
            "{}",
            at(2.0 / 3.0)
        );
        assert!((at(2.0) / h300 - 2.0).abs() < 0.2, "{}", at(2.0));
        assert_eq!(
            text_height(&GrayImage::from_pixel(800, 800, image::Luma([240]))),
            None
        );
    }

    #[test]
    #[ignore = "calibration: cargo test --lib text_height_of -- --ignored --nocapture"]
    fn text_height_of_pages() {
        let mut all = Vec::new();
        for dir in std::env::var("PAGES").unwrap_or("scans".into()).split(':') {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "png"))
                .collect();
            files.sort();
            for f in files {
                let img = image::open(&f).unwrap().into_luma8();
                let t = text_height(&img);
                println!("{} {:?}", f.display(), t);
                all.extend(t);
            }
        }
        all.sort_by(f32::total_cmp);
        println!("median {:?}", all.get(all.len() / 2));
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
