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
    let mut rows = vec![0f32; nw * h];
    for y in 0..h {
        let line = &src[y * w..(y + 1) * w];
        let out = &mut rows[y * nw..(y + 1) * nw];
        for (o, (lo, ws)) in out.iter_mut().zip(&wx) {
            *o = ws
                .iter()
                .zip(&line[*lo..])
                .map(|(k, &v)| k * v as f32)
                .sum();
        }
    }
    let mut dst = vec![0u8; nw * nh];
    let mut acc = vec![0f32; nw];
    for (oy, (lo, ws)) in wy.iter().enumerate() {
        acc.fill(0.0);
        for (k, wgt) in ws.iter().enumerate() {
            let row = &rows[(lo + k) * nw..(lo + k + 1) * nw];
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += wgt * v;
            }
        }
        for (o, a) in dst[oy * nw..(oy + 1) * nw].iter_mut().zip(&acc) {
            *o = a.round().clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_raw(nw as u32, nh as u32, dst).expect("buffer sized to the image")
}
