//! Skew of the text lines, by projection profiles: the angle at which the rows of ink are sharpest.

use image::GrayImage;

/// The ink of a quarter-scale copy of a page, as points, with that copy's size.
struct Ink {
    points: Vec<(f32, f32)>,
    w: u32,
    h: u32,
}

/// The ink of `img`; None when there is too little to tell a skew from.
fn ink_points(img: &GrayImage) -> Option<Ink> {
    const R: u32 = 4;
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
    (points.len() >= 200).then_some(Ink { points, w, h })
}

/// How sharp the rows of ink are when the page is read at `deg`: the sum of the squared row counts.
fn score(ink: &Ink, deg: f32) -> f64 {
    let (w, h) = (ink.w, ink.h);
    // Room for lines moving by w·tan 5° either way.
    let bins = h as usize + (w as f32 * 0.18) as usize + 2;
    let offset = w as f32 * 0.09 + 1.0;
    let t = deg.to_radians().tan();
    let mut hist = vec![0u32; bins];
    for &(x, y) in &ink.points {
        let yy = y - x * t + offset;
        if yy >= 0.0 && (yy as usize) < bins {
            hist[yy as usize] += 1;
        }
    }
    hist.iter().map(|&c| (c as f64) * (c as f64)).sum()
}

/// The angle in ±5° at which the rows are sharpest: 0.5° steps, then 0.1° around the best, then
/// 0.02° (41 angles, each scored once), with its score.
fn sharpest(ink: &Ink) -> Option<(f32, f64)> {
    let best = |angles: &mut dyn Iterator<Item = f32>| {
        angles
            .map(|a| (a, score(ink, a)))
            .max_by(|x, y| x.1.total_cmp(&y.1))
    };
    let (coarse, _) = best(&mut (-10..=10).map(|i| i as f32 * 0.5))?;
    let (mid, _) = best(&mut (-4..=4).map(|i| coarse + i as f32 * 0.1))?;
    let (fine, s) = best(&mut (-5..=5).map(|i| mid + i as f32 * 0.02))?;
    Some(((fine * 100.0).round() / 100.0, s))
}

/// Estimated skew in degrees within ±5°: positive when text lines descend to the right, that is when
/// the page content is turned clockwise (as seen on screen, y pointing down). None when the page has
/// too little ink to tell.
pub fn estimate(img: &GrayImage) -> Option<f32> {
    sharpest(&ink_points(img)?).map(|(a, _)| a)
}

/// [`estimate`], only when the page's lines are clearly at that angle: the rows of ink must be
/// sharper there than 1.5° either side, beyond what ink spread evenly over the rows would score (a
/// page turned on its side has no such peak, and is not levelled by a guess).
pub fn confident(img: &GrayImage) -> Option<f32> {
    measure(img).and_then(|(angle, clear)| clear.then_some(angle))
}

/// [`estimate`], and whether it is clear (see [`confident`]): both from one look at the page.
pub fn measure(img: &GrayImage) -> Option<(f32, bool)> {
    let ink = ink_points(img)?;
    let (angle, peak) = sharpest(&ink)?;
    let side = score(&ink, angle - 1.5).max(score(&ink, angle + 1.5));
    // What an even spread of the ink over the rows would score: the part of a score that is no row
    // structure at all.
    let bins = ink.h as f64 + (ink.w as f64 * 0.18).floor() + 2.0;
    let even = (ink.points.len() as f64).powi(2) / bins;
    // Measured on book pages with pictures: 1.07–1.13 when tilted by 1.3°–3.2°, at most 1.007 when
    // turned on their side.
    Some((angle, peak - even >= 1.04 * (side - even)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of "text lines" (runs of dark blocks) descending by `deg` to the right, as wide as a
    /// 300-DPI page: one bin of the 1/4-scale profile across it is ~0.1°, the estimate's resolution.
    fn lined_page(deg: f32) -> GrayImage {
        let t = deg.to_radians().tan();
        GrayImage::from_fn(2480, 2400, |x, y| {
            let yy = y as f32 - x as f32 * t;
            let in_line = yy > 100.0 && (yy as u32 % 60) < 8 && (yy as u32) < 2200;
            let in_char = (x % 30) < 24 && (100..2380).contains(&x);
            image::Luma([if in_line && in_char { 30 } else { 235 }])
        })
    }

    /// Turns `img` clockwise (as seen, y down) by `deg` about its centre, nearest neighbour.
    fn turn_clockwise(img: &GrayImage, deg: f32) -> GrayImage {
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (img.width() as f32 / 2.0, img.height() as f32 / 2.0);
        GrayImage::from_fn(img.width(), img.height(), |x, y| {
            // Inverse map: where did output pixel (x, y) come from?
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let (sx, sy) = (cx + dx * c + dy * s, cy - dx * s + dy * c);
            if sx >= 0.0 && sy >= 0.0 && (sx as u32) < img.width() && (sy as u32) < img.height() {
                *img.get_pixel(sx as u32, sy as u32)
            } else {
                image::Luma([235])
            }
        })
    }

    /// The sign convention, pinned: a page turned clockwise has positive skew (schema.md says so too).
    #[test]
    fn a_page_turned_clockwise_has_positive_skew() {
        let level = lined_page(0.0);
        let cw = estimate(&turn_clockwise(&level, 1.5)).unwrap();
        let ccw = estimate(&turn_clockwise(&level, -1.5)).unwrap();
        assert!((cw - 1.5).abs() <= 0.15, "clockwise 1.5° read as {cw}");
        assert!(
            (ccw + 1.5).abs() <= 0.15,
            "counter-clockwise 1.5° read as {ccw}"
        );
    }

    #[test]
    fn finds_the_skew_of_text_lines() {
        for deg in [-2.4f32, -0.7, 0.05, 0.36, 1.9] {
            let found = estimate(&lined_page(deg)).unwrap();
            assert!((found - deg).abs() <= 0.1, "skew {deg}: found {found}");
        }
        assert_eq!(
            estimate(&GrayImage::from_pixel(800, 800, image::Luma([240]))),
            None
        );
    }
}
