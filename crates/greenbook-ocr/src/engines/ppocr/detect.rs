//! PP-OCRv6's own text detector (DB, "differentiable binarisation", `PP-OCRv6_det_small.onnx` from the
//! same pinned wheel as the recognizer), run on the page scaled down, and the geometry around it: the
//! probability map's regions as rotated rectangles (as RapidOCR's `DBPostProcess` finds them), crops
//! that follow each line's tilt, and the boxes put in reading order as lines and blocks.
//!
//! The detector finds lines where Tesseract's layout analysis finds few (photos, bleed-through, the
//! foot of a spread's half), and its boxes are each one line's own band: a crop never reaches into the
//! next line.

use image::GrayImage;
use ort::session::Session;

use crate::OcrError;
use crate::profile::{self, Step};

/// The detection model, as `scripts/setup.sh` names it in `models/`.
pub const DET_MODEL: &str = "PP-OCRv6_det_small.onnx";

/// The longest side the page is scaled to for detection (then to a multiple of 32). RapidOCR scales a
/// page to at most 2000. Chosen on the tuning pages (SYNTHETIC Ming seed 101, all five capture forms)
/// and the committed scans, from 640, 800, 960, 1280 and 1600: 640–960 read best (1280 and 1600 a
/// little worse, and slower), and 800 keeps body lines of a 300-DPI page 5 map pixels apart.
pub const MAX_SIDE: u32 = 800;
/// A map pixel is text from this probability (RapidOCR's `thresh`).
pub const THRESH: f32 = 0.3;
/// A region is kept when its mean probability is at least this (RapidOCR's `box_thresh`).
pub const BOX_THRESH: f32 = 0.5;
/// How far a region is grown back: by area × ratio / perimeter on every side (RapidOCR's
/// `unclip_ratio`).
pub const UNCLIP: f32 = 1.6;

/// A rotated rectangle on the page: its centre, its extent along (`w`) and across (`h`) its direction,
/// and the angle of that direction in radians (within ±45°, positive turning clockwise on the image,
/// which is y-down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RotRect {
    pub cx: f32,
    pub cy: f32,
    pub w: f32,
    pub h: f32,
    pub angle: f32,
}

impl RotRect {
    /// The axis-aligned box holding the rectangle, clipped to `width`×`height`: (x, y, w, h).
    pub fn bounds(&self, width: u32, height: u32) -> (u32, u32, u32, u32) {
        let (c, s) = (self.angle.cos().abs(), self.angle.sin().abs());
        let hw = (self.w * c + self.h * s) / 2.0;
        let hh = (self.w * s + self.h * c) / 2.0;
        let x0 = (self.cx - hw).floor().clamp(0.0, width as f32) as u32;
        let y0 = (self.cy - hh).floor().clamp(0.0, height as f32) as u32;
        let x1 = (self.cx + hw).ceil().clamp(0.0, width as f32) as u32;
        let y1 = (self.cy + hh).ceil().clamp(0.0, height as f32) as u32;
        (x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0))
    }

    /// The page point at `(u, v)` in the rectangle's own frame (origin at its top-left corner).
    pub fn point(&self, u: f32, v: f32) -> (f32, f32) {
        let (s, c) = self.angle.sin_cos();
        let (du, dv) = (u - self.w / 2.0, v - self.h / 2.0);
        (self.cx + du * c - dv * s, self.cy + du * s + dv * c)
    }

    fn contains(&self, x: f32, y: f32) -> bool {
        let (s, c) = self.angle.sin_cos();
        let (dx, dy) = (x - self.cx, y - self.cy);
        let u = dx * c + dy * s;
        let v = -dx * s + dy * c;
        u.abs() <= self.w / 2.0 + 0.5 && v.abs() <= self.h / 2.0 + 0.5
    }
}

/// The smallest-area rectangle around `points` (rotating calipers over their convex hull), with its
/// direction the one nearer the x axis. None for fewer than one point.
pub fn min_area_rect(points: &[(f32, f32)]) -> Option<RotRect> {
    let hull = convex_hull(points);
    if hull.is_empty() {
        return None;
    }
    if hull.len() < 3 {
        let (a, b) = (hull[0], *hull.last().unwrap_or(&hull[0]));
        return Some(oriented(
            (a.0 + b.0) / 2.0,
            (a.1 + b.1) / 2.0,
            (b.0 - a.0).hypot(b.1 - a.1),
            0.0,
            (b.1 - a.1).atan2(b.0 - a.0),
        ));
    }
    let mut best: Option<(f32, RotRect)> = None;
    for i in 0..hull.len() {
        let (p, q) = (hull[i], hull[(i + 1) % hull.len()]);
        let angle = (q.1 - p.1).atan2(q.0 - p.0);
        let (s, c) = angle.sin_cos();
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(x, y) in &hull {
            let u = x * c + y * s;
            let v = -x * s + y * c;
            (u0, u1, v0, v1) = (u0.min(u), u1.max(u), v0.min(v), v1.max(v));
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let (um, vm) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
            let (cx, cy) = (um * c - vm * s, um * s + vm * c);
            best = Some((area, oriented(cx, cy, u1 - u0, v1 - v0, angle)));
        }
    }
    best.map(|(_, r)| r)
}

/// A rectangle with its angle brought within ±45° (swapping its sides where that turns it by 90°).
fn oriented(cx: f32, cy: f32, w: f32, h: f32, angle: f32) -> RotRect {
    use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI};
    let mut a = angle.rem_euclid(PI); // [0, π)
    let (mut w, mut h) = (w, h);
    if a > FRAC_PI_2 + FRAC_PI_4 {
        a -= PI;
    } else if a > FRAC_PI_4 {
        a -= FRAC_PI_2;
        std::mem::swap(&mut w, &mut h);
    }
    RotRect {
        cx,
        cy,
        w,
        h,
        angle: a,
    }
}

/// Andrew's monotone chain: the hull's corners, counter-clockwise, without repeats.
fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(pts.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// The regions of a probability map (`w`×`h`, row-major) as rotated rectangles in the map's pixels,
/// grown back, each with its mean probability: RapidOCR's DB post-processing (threshold, a 2×2
/// dilation, one region per 8-connected component, its minimum-area rectangle, the mean probability
/// inside it, the rectangle unclipped).
pub fn regions(prob: &[f32], w: usize, h: usize) -> Vec<(RotRect, f32)> {
    let mut mask = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            // The 2×2 dilation: a pixel is set when it or its left, upper or upper-left neighbour is.
            let on = |xx: usize, yy: usize| prob[yy * w + xx] > THRESH;
            mask[y * w + x] = on(x, y)
                || (x > 0 && on(x - 1, y))
                || (y > 0 && on(x, y - 1))
                || (x > 0 && y > 0 && on(x - 1, y - 1));
        }
    }
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let mut points: Vec<(f32, f32)> = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        points.clear();
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            // Only the outline matters for the hull: a pixel with all four neighbours set is inside.
            let inner = x > 0
                && y > 0
                && x + 1 < w
                && y + 1 < h
                && mask[i - 1]
                && mask[i + 1]
                && mask[i - w]
                && mask[i + w];
            if !inner {
                points.push((x as f32, y as f32));
            }
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let Some(rect) = min_area_rect(&points) else {
            continue;
        };
        if rect.w.min(rect.h) < 3.0 {
            continue;
        }
        let score = mean_inside(prob, w, h, &rect);
        if score < BOX_THRESH {
            continue;
        }
        let d = rect.w * rect.h * UNCLIP / (2.0 * (rect.w + rect.h));
        let grown = RotRect {
            w: rect.w + 2.0 * d,
            h: rect.h + 2.0 * d,
            ..rect
        };
        if grown.w.min(grown.h) < 5.0 {
            continue;
        }
        out.push((grown, score));
    }
    out
}

/// Mean probability of the map's pixels inside `r`.
fn mean_inside(prob: &[f32], w: usize, h: usize, r: &RotRect) -> f32 {
    let (x0, y0, bw, bh) = r.bounds(w as u32, h as u32);
    let (mut sum, mut n) = (0f64, 0u32);
    for y in y0..(y0 + bh).min(h as u32) {
        for x in x0..(x0 + bw).min(w as u32) {
            if r.contains(x as f32, y as f32) {
                sum += prob[y as usize * w + x as usize] as f64;
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
}

/// The page's band under `r`, turned level: `r.w`×`r.h` pixels sampled bilinearly along the
/// rectangle's direction (pixels beyond the page repeat its edge, as RapidOCR's crop does).
pub fn level_crop(page: &GrayImage, r: &RotRect) -> GrayImage {
    let (cw, ch) = (r.w.round().max(1.0) as u32, r.h.round().max(1.0) as u32);
    let (pw, ph) = (page.width() as i64, page.height() as i64);
    let px = |x: i64, y: i64| {
        page.as_raw()[(y.clamp(0, ph - 1) * pw + x.clamp(0, pw - 1)) as usize] as f32
    };
    let mut out = GrayImage::new(cw, ch);
    let (s, c) = r.angle.sin_cos();
    // A level box (its far end less than half a pixel off its row) is copied row by row, from the
    // nearest whole pixel: the same pixels within half a pixel, without interpolating each one.
    if (s * r.w).abs() < 0.5 {
        let (x0, y0) = r.point(0.0, 0.0);
        let (x0, y0) = (x0.round() as i64, y0.round() as i64);
        let raw = page.as_raw();
        for (v, row) in out.chunks_exact_mut(cw as usize).enumerate() {
            let y = (y0 + v as i64).clamp(0, ph - 1);
            let line = &raw[(y * pw) as usize..((y + 1) * pw) as usize];
            let (a, b) = (x0.max(0), (x0 + cw as i64).min(pw));
            if a < b {
                row[(a - x0) as usize..(b - x0) as usize]
                    .copy_from_slice(&line[a as usize..b as usize]);
            }
            for (u, o) in row.iter_mut().enumerate() {
                let x = x0 + u as i64;
                if x < 0 || x >= pw {
                    *o = line[x.clamp(0, pw - 1) as usize];
                }
            }
        }
        return out;
    }
    // r.point(u, v), stepped along each row: one sine and cosine per crop, not per pixel.
    for v in 0..ch {
        let (x0, y0) = r.point(0.5, v as f32 + 0.5);
        for u in 0..cw {
            let (x, y) = (x0 + u as f32 * c, y0 + u as f32 * s);
            let (x, y) = (x - 0.5, y - 0.5);
            let (xf, yf) = (x.floor(), y.floor());
            let (fx, fy) = (x - xf, y - yf);
            let (xi, yi) = (xf as i64, yf as i64);
            let top = px(xi, yi) * (1.0 - fx) + px(xi + 1, yi) * fx;
            let bottom = px(xi, yi + 1) * (1.0 - fx) + px(xi + 1, yi + 1) * fx;
            let value = top * (1.0 - fy) + bottom * fy;
            out.put_pixel(u, v, image::Luma([value.round().clamp(0.0, 255.0) as u8]));
        }
    }
    out
}

/// The rows of a level crop that hold its line: the run of rows with ink around its middle (ink: darker
/// than halfway between the crop's darkest and lightest values), grown by [`ROW_MARGIN`] of its height
/// on each side. The detector's box is about 2.3 times as tall as the characters; read at that height
/// PP-OCR took some Kai glyphs for their Traditional forms (時, 對, 開) that it reads right in a crop
/// as tall as Tesseract's line box with its margin.
pub fn line_rows(crop: &GrayImage) -> (u32, u32) {
    let (w, h) = crop.dimensions();
    let raw = crop.as_raw();
    let (lo, hi) = raw
        .iter()
        .fold((255u8, 0u8), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if hi.saturating_sub(lo) < 40 || w == 0 {
        return (0, h);
    }
    let cut = ((lo as u16 + hi as u16) / 2) as u8;
    let ink: Vec<bool> = raw
        .chunks_exact(w as usize)
        .map(|row| row.iter().filter(|&&v| v < cut).count() >= 2)
        .collect();
    let mid = (h / 2) as usize;
    // The nearest inked row to the middle, then the run of inked rows (gaps of a row bridged) round it.
    let Some(seed) = (0..h as usize)
        .filter(|&y| ink[y])
        .min_by_key(|&y| y.abs_diff(mid))
    else {
        return (0, h);
    };
    let (mut top, mut bottom) = (seed, seed);
    while top > 0 && (ink[top - 1] || (top > 1 && ink[top - 2])) {
        top -= 1;
    }
    while bottom + 1 < h as usize
        && (ink[bottom + 1] || (bottom + 2 < h as usize && ink[bottom + 2]))
    {
        bottom += 1;
    }
    let band = (bottom - top + 1) as f32;
    let m = (band * ROW_MARGIN).round() as usize;
    let y0 = top.saturating_sub(m) as u32;
    let y1 = ((bottom + 1 + m) as u32).min(h);
    (y0, y1)
}

/// The margin kept above and below a line's ink, as a share of its height (as for Tesseract's lines).
pub const ROW_MARGIN: f32 = 0.15;

/// One detection session: a worker has one to itself.
pub struct TextDetector {
    session: Session,
}

impl TextDetector {
    pub fn new(cfg: &crate::engines::ppocr::PpocrConfig) -> Result<TextDetector, OcrError> {
        Ok(TextDetector {
            session: crate::engines::ppocr::session(cfg, &cfg.det_model)?,
        })
    }

    /// The text lines of a grey page, as rotated rectangles in the page's pixels, with their scores.
    pub fn detect(&mut self, page: &GrayImage) -> Result<Vec<(RotRect, f32)>, String> {
        let (pw, ph) = page.dimensions();
        if pw < 8 || ph < 8 {
            return Ok(Vec::new());
        }
        let ratio = (MAX_SIDE as f32 / pw.max(ph) as f32).min(1.0);
        let to32 = |v: u32| (((v as f32 * ratio) / 32.0).round() as u32).max(1) * 32;
        let (w, h) = (to32(pw), to32(ph));
        let small = profile::time(Step::Prepare, || {
            crate::input::scale::resize_grey(page, w, h)
        });
        let steps = (Step::DetectInference, Step::DetectPost);
        let (found, (mw, mh)) = crate::engines::ppocr::run_grey(
            &mut self.session,
            &small,
            w as usize,
            steps,
            |shape, prob| {
                let (mh, mw) = (shape[2] as usize, shape[3] as usize);
                if mh * mw != prob.len() {
                    return Err(format!("detector output {shape:?} does not match its data"));
                }
                Ok((regions(prob, mw, mh), (mw, mh)))
            },
        )?;
        let (sx, sy) = (pw as f32 / mw as f32, ph as f32 / mh as f32);
        Ok(found
            .into_iter()
            .map(|(r, s)| {
                (
                    RotRect {
                        cx: (r.cx + 0.5) * sx,
                        cy: (r.cy + 0.5) * sy,
                        w: r.w * sx,
                        h: r.h * sy,
                        angle: (r.angle.tan() * sy / sx).atan(),
                    },
                    s,
                )
            })
            .collect())
    }
}

/// Detected boxes in reading order, as lines (each the indices of its boxes, left to right) in blocks
/// (a block ends where the gap to the next line is wider than [`BLOCK_GAP`] line heights, or where the
/// line height changes by more than a third).
///
/// Boxes are put on one line when the centre line of one, followed along the page's tilt (the median
/// angle of the wide boxes), passes within half a line height of the other's centre, and they do not
/// overlap: a detector's split of one line (at a wide space, or between a title and its folio) is
/// joined again. Lines are ordered by where they cross the page's middle, so a tilted page keeps its
/// order.
pub fn reading_order(boxes: &[RotRect], page_width: u32) -> Vec<Vec<Vec<usize>>> {
    if boxes.is_empty() {
        return Vec::new();
    }
    let mut wide: Vec<f32> = boxes
        .iter()
        .filter(|b| b.w >= 3.0 * b.h)
        .map(|b| b.angle)
        .collect();
    wide.sort_by(f32::total_cmp);
    let tilt = wide.get(wide.len() / 2).copied().unwrap_or(0.0).tan();
    let mid = page_width as f32 / 2.0;
    // Where a box's centre line crosses the page's middle.
    let level = |b: &RotRect| b.cy + (mid - b.cx) * tilt;
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| level(&boxes[a]).total_cmp(&level(&boxes[b])));
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for &i in &order {
        let b = &boxes[i];
        let joins = |line: &Vec<usize>| {
            line.iter().all(|&j| {
                let o = &boxes[j];
                let (ax0, ax1) = (b.cx - b.w / 2.0, b.cx + b.w / 2.0);
                let (bx0, bx1) = (o.cx - o.w / 2.0, o.cx + o.w / 2.0);
                let overlap = ax1.min(bx1) - ax0.max(bx0);
                overlap < 0.25 * b.w.min(o.w) && (level(b) - level(o)).abs() < 0.5 * b.h.min(o.h)
            })
        };
        // Only the last few lines can take it: they are the ones at its height.
        let n = lines.len();
        match (n.saturating_sub(3)..n).rev().find(|&k| joins(&lines[k])) {
            Some(k) => lines[k].push(i),
            None => lines.push(vec![i]),
        }
    }
    for line in &mut lines {
        line.sort_by(|&a, &b| boxes[a].cx.total_cmp(&boxes[b].cx));
    }
    let height = |line: &[usize]| line.iter().map(|&i| boxes[i].h).fold(0.0, f32::max);
    let top = |line: &[usize]| {
        line.iter()
            .map(|&i| level(&boxes[i]) - boxes[i].h / 2.0)
            .fold(f32::MAX, f32::min)
    };
    let bottom = |line: &[usize]| {
        line.iter()
            .map(|&i| level(&boxes[i]) + boxes[i].h / 2.0)
            .fold(f32::MIN, f32::max)
    };
    let mut blocks: Vec<Vec<Vec<usize>>> = Vec::new();
    for line in lines {
        let breaks = blocks.last().and_then(|b| b.last()).is_none_or(|prev| {
            let (hp, hl) = (height(prev), height(&line));
            let gap = top(&line) - bottom(prev);
            gap > BLOCK_GAP * hp.min(hl) || (hp - hl).abs() > hp.max(hl) / 3.0
        });
        if breaks {
            blocks.push(vec![line]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    blocks
}

/// The gap between two lines, in line heights, from which they are in different blocks. Lines of a
/// paragraph are about 0.2 apart (their grown boxes nearly touch), a heading and the text under it 0.6
/// or more.
pub const BLOCK_GAP: f32 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    fn rect_points(cx: f32, cy: f32, w: f32, h: f32, deg: f32) -> Vec<(f32, f32)> {
        let r = RotRect {
            cx,
            cy,
            w,
            h,
            angle: deg.to_radians(),
        };
        let mut pts = Vec::new();
        for i in 0..=20 {
            for j in 0..=4 {
                pts.push(r.point(w * i as f32 / 20.0, h * j as f32 / 4.0));
            }
        }
        pts
    }

    #[test]
    fn the_minimum_rectangle_finds_a_tilted_lines_angle_and_size() {
        for deg in [-3.0f32, -0.5, 0.0, 1.5, 3.0] {
            let r = min_area_rect(&rect_points(500.0, 200.0, 800.0, 40.0, deg)).unwrap();
            assert!((r.angle.to_degrees() - deg).abs() < 0.05, "{deg}: {r:?}");
            assert!(
                (r.w - 800.0).abs() < 1.0 && (r.h - 40.0).abs() < 1.0,
                "{r:?}"
            );
            assert!(
                (r.cx - 500.0).abs() < 0.5 && (r.cy - 200.0).abs() < 0.5,
                "{r:?}"
            );
        }
        // A tall box keeps its direction along x: 20 wide, 60 high.
        let r = min_area_rect(&rect_points(50.0, 50.0, 20.0, 60.0, 0.0)).unwrap();
        assert!(r.angle.abs() < 1e-3 && (r.w - 20.0).abs() < 0.5, "{r:?}");
    }

    #[test]
    fn regions_of_a_map_are_its_lines_grown_back() {
        // Two bars of probability 0.9, 100×6 and 40×6, and a faint one (0.35) that scores too low.
        let (w, h) = (160usize, 60usize);
        let mut prob = vec![0.0f32; w * h];
        for (x0, x1, y0, y1, p) in [
            (10, 110, 10, 16, 0.9),
            (20, 60, 30, 36, 0.9),
            (10, 150, 48, 54, 0.35),
        ] {
            for y in y0..y1 {
                for x in x0..x1 {
                    prob[y * w + x] = p;
                }
            }
        }
        let mut found = regions(&prob, w, h);
        found.sort_by(|a, b| a.0.cy.total_cmp(&b.0.cy));
        assert_eq!(found.len(), 2, "{found:?}");
        let (r, s) = found[0];
        assert!((s - 0.9).abs() < 0.01, "{s}");
        // Pixel centres 10..=110 × 10..=16 (the dilation adds a pixel): 100×6, grown by
        // 100·6·1.6/(2·106) ≈ 4.5 on each side.
        assert!(
            (r.w - 109.06).abs() < 0.1 && (r.h - 15.06).abs() < 0.1,
            "{r:?}"
        );
        assert!(r.angle.abs() < 1e-3);
    }

    #[test]
    fn a_level_crop_follows_the_tilt() {
        // A dark bar 400×10 tilted by 2°, on white: the crop along it is dark in its middle rows
        // from end to end, white above and below.
        let mut page = GrayImage::from_pixel(600, 200, image::Luma([255]));
        let bar = RotRect {
            cx: 300.0,
            cy: 100.0,
            w: 400.0,
            h: 10.0,
            angle: 2f32.to_radians(),
        };
        for y in 0..200 {
            for x in 0..600 {
                if bar.contains(x as f32, y as f32) {
                    page.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        let crop = level_crop(&page, &RotRect { h: 30.0, ..bar });
        assert_eq!(crop.dimensions(), (400, 30));
        for u in [10, 200, 390] {
            assert!(crop.get_pixel(u, 15).0[0] < 60, "column {u}");
            assert!(crop.get_pixel(u, 2).0[0] > 200 && crop.get_pixel(u, 28).0[0] > 200);
        }
    }

    #[test]
    fn a_level_box_is_copied_and_its_edges_repeat_off_the_page() {
        // A page of distinct values; a level box whose corner is at (-3.2, 10.4): the copy is the
        // page from the nearest whole pixel, with the page's first column repeated where it is off.
        let page = GrayImage::from_fn(50, 40, |x, y| image::Luma([(x * 5 + y) as u8]));
        let r = RotRect {
            cx: 6.8,
            cy: 15.4,
            w: 20.0,
            h: 10.0,
            angle: 0.0001,
        };
        let crop = level_crop(&page, &r);
        assert_eq!(crop.dimensions(), (20, 10));
        for v in 0..10 {
            for u in 0..20 {
                let x = (u as i64 - 3).max(0) as u32;
                assert_eq!(
                    crop.get_pixel(u, v),
                    page.get_pixel(x, v + 10),
                    "({u}, {v})"
                );
            }
        }
    }

    #[test]
    fn a_crop_keeps_its_lines_rows_and_a_margin() {
        // 100 rows: ink in rows 40..60 (the line), a speck row at 5 (the line above's descender).
        let mut crop = GrayImage::from_pixel(200, 100, image::Luma([250]));
        for y in (40..60).chain(5..6) {
            for x in (10..190).step_by(3) {
                crop.put_pixel(x, y, image::Luma([20]));
            }
        }
        // 20 rows of ink, 3 rows of margin either side.
        assert_eq!(line_rows(&crop), (37, 63));
        // A blank crop is kept whole.
        assert_eq!(
            line_rows(&GrayImage::from_pixel(50, 30, image::Luma([250]))),
            (0, 30)
        );
    }

    #[test]
    fn reading_order_joins_a_split_line_and_keeps_a_tilted_pages_order() {
        let tilt = 2f32.to_radians();
        let at = |cx: f32, y_mid: f32, w: f32, h: f32| RotRect {
            cx,
            cy: y_mid + (cx - 1000.0) * tilt.tan(),
            w,
            h,
            angle: tilt,
        };
        let boxes = vec![
            at(1000.0, 300.0, 1800.0, 50.0), // 0: line 1
            at(400.0, 360.0, 600.0, 50.0),   // 1: line 2, left part
            at(1400.0, 360.0, 1000.0, 50.0), // 2: line 2, right part (the detector's split)
            at(300.0, 420.0, 400.0, 50.0),   // 3: line 3 short, left (its centre is higher than
            //                                     the right end of line 2 on this tilt)
            at(1000.0, 600.0, 800.0, 90.0), // 4: a heading after a gap
            at(1000.0, 700.0, 1800.0, 50.0), // 5: text under it
        ];
        let blocks = reading_order(&boxes, 2000);
        assert_eq!(
            blocks,
            vec![
                vec![vec![0], vec![1, 2], vec![3]],
                vec![vec![4]],
                vec![vec![5]],
            ]
        );
    }
}
