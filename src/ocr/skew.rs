//! Skew of the text lines, by projection profiles: the angle at which the rows of ink are sharpest.

use image::GrayImage;

/// Estimated skew in degrees within ±3°: positive when text lines descend to the right. None when the
/// page has too little ink to tell.
pub fn estimate(img: &GrayImage) -> Option<f32> {
    const R: u32 = 4; // work on a 1/4-scale ink map
    let (w, h) = (img.width() / R, img.height() / R);
    let (wi, ri) = (img.width() as usize, R as usize);
    let raw = img.as_raw();
    let mut points: Vec<(f32, f32)> = Vec::new();
    let mut mins = vec![255u8; w as usize];
    for by in 0..h as usize {
        mins.fill(255);
        for row in raw[by * ri * wi..].chunks_exact(wi).take(ri) {
            for (m, cell) in mins.iter_mut().zip(row.chunks_exact(ri)) {
                *m = cell.iter().fold(*m, |a, &v| a.min(v));
            }
        }
        points.extend(
            mins.iter()
                .enumerate()
                .filter(|(_, m)| **m < 110)
                .map(|(bx, _)| (bx as f32, by as f32)),
        );
    }
    if points.len() < 200 {
        return None;
    }
    let bins = h as usize + w as usize / 8 + 2;
    let offset = w as f32 / 16.0 + 1.0;
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        let mut hist = vec![0u32; bins];
        for &(x, y) in &points {
            let yy = y - x * t + offset;
            if yy >= 0.0 && (yy as usize) < bins {
                hist[yy as usize] += 1;
            }
        }
        hist.iter().map(|&c| (c as f64) * (c as f64)).sum()
    };
    let coarse = (-30..=30)
        .map(|i| i as f32 * 0.1)
        .max_by(|a, b| score(*a).total_cmp(&score(*b)))?;
    let fine = (-5..=5)
        .map(|i| coarse + i as f32 * 0.02)
        .max_by(|a, b| score(*a).total_cmp(&score(*b)))?;
    Some((fine * 100.0).round() / 100.0)
}
