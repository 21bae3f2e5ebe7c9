//! Phone photos of a page: the page is a bright quadrilateral on a darker background, in perspective
//! and lit unevenly. The page is found, its perspective undone (a homography onto a rectangle), and
//! its light flattened, so that it reads as a scan does.

use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

/// A page found in a photo: its four corners in the photo's pixels, top-left, top-right,
/// bottom-right, bottom-left, and the size of the page it is made into.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quad {
    pub corners: [(f32, f32); 4],
    pub width: u32,
    pub height: u32,
}

/// The work scale of the search: 1/8 of the photo.
const R: u32 = 8;

/// Otsu's threshold of a grey histogram.
fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &v in img.as_raw() {
        hist[v as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut s0, mut best, mut at) = (0u64, 0f64, 0f64, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c;
        s0 += t as f64 * c as f64;
        let w1 = total - w0;
        if w0 == 0 || w1 == 0 {
            continue;
        }
        let (m0, m1) = (s0 / w0 as f64, (sum - s0) / w1 as f64);
        let between = w0 as f64 * w1 as f64 * (m0 - m1).powi(2);
        if between > best {
            best = between;
            at = t as u8;
        }
    }
    at
}

/// The largest 4-connected region of `mask` (row-major, `w` wide): its cells.
fn largest_region(mask: &[bool], w: usize) -> Vec<usize> {
    let mut seen = vec![false; mask.len()];
    let mut best = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        let mut region = Vec::new();
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            region.push(i);
            let (x, y) = (i % w, i / w);
            let mut push = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < w {
                push(i + 1);
            }
            if y > 0 {
                push(i - w);
            }
            if i + w < mask.len() {
                push(i + w);
            }
        }
        if region.len() > best.len() {
            best = region;
        }
    }
    best
}

fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// The page in a photo, or None when the image is not a photo of one: the largest bright region
/// must cover a quarter to nine tenths of the frame, leave a darker surround, and be a
/// quadrilateral (its corners, the extreme points along the diagonals, span nearly all of it).
pub fn find_page(img: &GrayImage) -> Option<Quad> {
    let (w, h) = ((img.width() / R) as usize, (img.height() / R) as usize);
    if w < 40 || h < 40 {
        return None;
    }
    let small = super::scale::shrink_grey(img, w as u32, h as u32);
    let t = otsu(&small);
    let mask: Vec<bool> = small.as_raw().iter().map(|&v| v > t).collect();
    let region = largest_region(&mask, w);
    let share = region.len() as f32 / (w * h) as f32;
    if !(0.25..=0.9).contains(&share) {
        return None;
    }
    // A page photographed lies inside the frame: the background shows along most of the frame's edge
    // (a scan's paper runs along all of it).
    let mut in_region = vec![false; w * h];
    for &i in &region {
        in_region[i] = true;
    }
    let border: Vec<usize> = (0..w)
        .flat_map(|x| [x, (h - 1) * w + x])
        .chain((0..h).flat_map(|y| [y * w, y * w + w - 1]))
        .collect();
    let touching = border.iter().filter(|&&i| in_region[i]).count();
    if touching as f32 > 0.3 * border.len() as f32 {
        return None;
    }
    let inside_mean = region
        .iter()
        .map(|&i| small.as_raw()[i] as f32)
        .sum::<f32>()
        / region.len() as f32;
    // Darker all round: not the other page of a spread, nor a second sheet.
    let mut outside: Vec<f32> = (0..w * h)
        .filter(|&i| !in_region[i])
        .map(|i| small.as_raw()[i] as f32)
        .collect();
    outside.sort_by(f32::total_cmp);
    let bright_outside = outside.get(outside.len() * 9 / 10).copied().unwrap_or(0.0);
    if bright_outside > 0.75 * inside_mean {
        return None;
    }
    let pt = |i: usize| ((i % w) as f32, (i / w) as f32);
    let pick = |key: &dyn Fn((f32, f32)) -> f32| {
        region
            .iter()
            .map(|&i| pt(i))
            .max_by(|a, b| key(*a).total_cmp(&key(*b)))
    };
    let tl = pick(&|(x, y)| -(x + y))?;
    let br = pick(&|(x, y)| x + y)?;
    let tr = pick(&|(x, y)| x - y)?;
    let bl = pick(&|(x, y)| y - x)?;
    let corners = [tl, tr, br, bl];
    if !fills_its_region(&corners, &region, w, h) {
        return None;
    }
    let s = R as f32;
    let full = corners.map(|(x, y)| ((x + 0.5) * s, (y + 0.5) * s));
    let width = ((dist(full[0], full[1]) + dist(full[3], full[2])) / 2.0).round() as u32;
    let height = ((dist(full[0], full[3]) + dist(full[1], full[2])) / 2.0).round() as u32;
    Some(Quad {
        corners: full,
        width: width.max(1),
        height: height.max(1),
    })
}

/// Whether the quadrilateral `corners` has the area of `region` (on a `w`×`h` grid) with its holes
/// (the ink) filled row by row, within 15 %: a page, not a blob.
fn fills_its_region(corners: &[(f32, f32); 4], region: &[usize], w: usize, h: usize) -> bool {
    let mut spans = vec![(usize::MAX, 0usize); h];
    for &i in region {
        let (x, y) = (i % w, i / w);
        spans[y] = (spans[y].0.min(x), spans[y].1.max(x));
    }
    let filled: usize = spans
        .iter()
        .filter(|(a, _)| *a != usize::MAX)
        .map(|(a, b)| b - a + 1)
        .sum();
    let area = 0.5
        * (0..4)
            .map(|k| {
                let (a, b) = (corners[k], corners[(k + 1) % 4]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f32>()
            .abs();
    (0.85 * filled as f32..=1.15 * filled as f32).contains(&area)
}

/// The homography taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `q`, row-major
/// 3×3 (Heckbert's closed form).
pub fn square_to_quad(q: [(f32, f32); 4]) -> [f32; 9] {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
    let (sx, sy) = (x0 - x1 + x2 - x3, y0 - y1 + y2 - y3);
    let (dx1, dy1, dx2, dy2) = (x1 - x2, y1 - y2, x3 - x2, y3 - y2);
    let den = dx1 * dy2 - dx2 * dy1;
    let (g, hh) = if den.abs() < 1e-9 {
        (0.0, 0.0)
    } else {
        ((sx * dy2 - dx2 * sy) / den, (dx1 * sy - sx * dy1) / den)
    };
    [
        x1 - x0 + g * x1,
        x3 - x0 + hh * x3,
        x0,
        y1 - y0 + g * y1,
        y3 - y0 + hh * y3,
        y0,
        g,
        hh,
        1.0,
    ]
}

/// The inverse of a 3×3 matrix (adjugate over determinant).
pub fn invert(m: [f32; 9]) -> [f32; 9] {
    let [a, b, c, d, e, f, g, h, i] = m;
    let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    [
        (e * i - f * h) / det,
        (c * h - b * i) / det,
        (b * f - c * e) / det,
        (f * g - d * i) / det,
        (a * i - c * g) / det,
        (c * d - a * f) / det,
        (d * h - e * g) / det,
        (b * g - a * h) / det,
        (a * e - b * d) / det,
    ]
}

/// The page of `quad` cut out of `img` and made rectangular (`quad.width` × `quad.height`),
/// bilinear.
pub fn rectify(img: &GrayImage, quad: &Quad) -> GrayImage {
    let m = square_to_quad(quad.corners);
    let (w, h) = (quad.width, quad.height);
    let (iw, ih) = (img.width() as f32, img.height() as f32);
    let raw = img.as_raw();
    let stride = img.width() as usize;
    GrayImage::from_fn(w, h, |x, y| {
        let (u, v) = ((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
        let z = m[6] * u + m[7] * v + m[8];
        let sx = (m[0] * u + m[1] * v + m[2]) / z - 0.5;
        let sy = (m[3] * u + m[4] * v + m[5]) / z - 0.5;
        if sx < 0.0 || sy < 0.0 || sx >= iw - 1.0 || sy >= ih - 1.0 {
            return Luma([255]);
        }
        let (x0, y0) = (sx as usize, sy as usize);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let i = y0 * stride + x0;
        let top = raw[i] as f32 * (1.0 - fx) + raw[i + 1] as f32 * fx;
        let bot = raw[i + stride] as f32 * (1.0 - fx) + raw[i + stride + 1] as f32 * fx;
        Luma([(top * (1.0 - fy) + bot * fy).round() as u8])
    })
}

/// `img` with its light made even: each pixel divided by the paper's brightness around it (the
/// brightest values over about 1/20 of the page), so that the paper comes out one shade and ink keeps
/// its contrast to it.
pub fn flatten_light(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width(), img.height());
    let cell = (w.max(h) / 64).max(8);
    let (cw, ch) = (w.div_ceil(cell), h.div_ceil(cell));
    // The paper in each cell: a high percentile, then the brightest of each 3×3 neighbourhood (a cell
    // full of ink takes its neighbours' paper).
    let mut paper = vec![0f32; (cw * ch) as usize];
    for cy in 0..ch {
        for cx in 0..cw {
            let mut v: Vec<u8> = Vec::new();
            for y in (cy * cell..((cy + 1) * cell).min(h)).step_by(2) {
                for x in (cx * cell..((cx + 1) * cell).min(w)).step_by(2) {
                    v.push(img.get_pixel(x, y).0[0]);
                }
            }
            v.sort_unstable();
            paper[(cy * cw + cx) as usize] = v.get(v.len() * 9 / 10).copied().unwrap_or(255) as f32;
        }
    }
    let near = |cx: i64, cy: i64| {
        let mut m = 0f32;
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (x, y) = (cx + dx, cy + dy);
                if x >= 0 && y >= 0 && x < cw as i64 && y < ch as i64 {
                    m = m.max(paper[(y as u32 * cw + x as u32) as usize]);
                }
            }
        }
        m.max(1.0)
    };
    let smooth: Vec<f32> = (0..ch)
        .flat_map(|cy| (0..cw).map(move |cx| (cx, cy)))
        .map(|(cx, cy)| near(cx as i64, cy as i64))
        .collect();
    let at = |fx: f32, fy: f32| {
        let fx = fx.clamp(0.0, (cw - 1) as f32);
        let fy = fy.clamp(0.0, (ch - 1) as f32);
        let (x0, y0) = (fx as u32, fy as u32);
        let (x1, y1) = ((x0 + 1).min(cw - 1), (y0 + 1).min(ch - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let g = |x: u32, y: u32| smooth[(y * cw + x) as usize];
        (g(x0, y0) * (1.0 - tx) + g(x1, y0) * tx) * (1.0 - ty)
            + (g(x0, y1) * (1.0 - tx) + g(x1, y1) * tx) * ty
    };
    GrayImage::from_fn(w, h, |x, y| {
        let bg = at(
            (x as f32 + 0.5) / cell as f32 - 0.5,
            (y as f32 + 0.5) / cell as f32 - 0.5,
        );
        let v = img.get_pixel(x, y).0[0] as f32 / bg * 240.0;
        Luma([v.clamp(0.0, 255.0).round() as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo: a bright page with text-like rows, turned and keystoned, on a dark table.
    fn photo() -> (GrayImage, [(f32, f32); 4]) {
        let corners = [
            (400.0, 300.0),
            (1500.0, 360.0),
            (1560.0, 1900.0),
            (330.0, 1850.0),
        ];
        // Photo pixel → the unit square of the page.
        let to_page = invert(square_to_quad(corners));
        let img = GrayImage::from_fn(2000, 2200, |x, y| {
            let (px, py) = (x as f32, y as f32);
            let m = to_page;
            let z = m[6] * px + m[7] * py + m[8];
            let (u, v) = (
                (m[0] * px + m[1] * py + m[2]) / z,
                (m[3] * px + m[4] * py + m[5]) / z,
            );
            if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                let ink = v > 0.1 && v < 0.9 && u > 0.1 && u < 0.9 && (v * 40.0).fract() < 0.3;
                // Light falls off to the right.
                let light = 1.0 - 0.3 * u;
                Luma([((if ink { 40.0 } else { 235.0 }) * light) as u8])
            } else {
                Luma([60])
            }
        });
        (img, corners)
    }

    #[test]
    fn the_page_of_a_photo_is_found_and_made_rectangular() {
        let (img, corners) = photo();
        let q = find_page(&img).expect("a page");
        for (got, want) in q.corners.iter().zip(corners) {
            assert!(dist(*got, want) < 30.0, "{got:?} against {want:?}");
        }
        let page = rectify(&img, &q);
        assert!((page.width() as i64 - 1130).abs() < 40, "{}", page.width());
        assert!(
            (page.height() as i64 - 1545).abs() < 40,
            "{}",
            page.height()
        );
        // The table is gone: the page's edges are paper.
        let edge = page.get_pixel(page.width() / 2, 5).0[0];
        assert!(edge > 150, "{edge}");
        // After flattening, paper on the left and on the right is one shade.
        let flat = flatten_light(&page);
        let (l, r) = (
            flat.get_pixel(page.width() / 20, page.height() / 2).0[0] as i32,
            flat.get_pixel(page.width() * 19 / 20, page.height() / 2).0[0] as i32,
        );
        assert!((l - r).abs() < 12, "{l} {r}");
        // A scan filling its frame is no photo, however much ink it has.
        let scan = GrayImage::from_fn(1200, 1700, |x, y| {
            Luma([if (y % 40) < 14 && (x % 22) < 17 && x > 100 && x < 1100 {
                30
            } else {
                235
            }])
        });
        assert!(find_page(&scan).is_none());
    }
}
