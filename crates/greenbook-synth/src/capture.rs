//! How a page is captured, beyond a flat scan: a tilted flatbed scan with specks, a worn 200-DPI scan
//! (bleed-through, gutter curvature, heavy JPEG), a two-page spread from an overhead book scanner,
//! and a phone photo of the page on a table. Each works on clean 300-DPI page renders and is
//! deterministic from a seed.

use image::{GrayImage, Luma, Rgb, RgbImage};

use crate::degrade::Rng;

/// A capture form of `greenbook-synth eval-set --capture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The flatbed scan every set had: skew within ±1°, light, blur, speckle, JPEG-grade artefacts.
    Flat,
    /// A flatbed scan tilted by up to ±3°, with specks between the lines.
    Tilt,
    /// 200 DPI, bleed-through from the other side, the lines bending towards the gutter, tilt up to
    /// ±2.5°, JPEG quality 55.
    Worn,
    /// Two facing pages in one image, as an overhead book scanner takes them.
    Spread,
    /// A phone photo: the page on a darker table, in perspective, lit unevenly, in colour (JPEG).
    Photo,
}

impl Capture {
    pub const ALL: [Capture; 5] = [
        Capture::Flat,
        Capture::Tilt,
        Capture::Worn,
        Capture::Spread,
        Capture::Photo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Capture::Flat => "flat",
            Capture::Tilt => "tilt",
            Capture::Worn => "worn",
            Capture::Spread => "spread",
            Capture::Photo => "photo",
        }
    }

    pub fn parse(s: &str) -> Option<Capture> {
        Capture::ALL.into_iter().find(|c| c.name() == s)
    }

    /// What the README of a set says of it.
    pub fn describe(self) -> &'static str {
        match self {
            Capture::Flat => {
                "degraded like a flatbed scan (skew within ±1°, uneven light, blur, speckle, JPEG)"
            }
            Capture::Tilt => "scanned tilted by up to ±3° with specks between the lines",
            Capture::Worn => {
                "scanned worn at 200 DPI: bleed-through, lines bending towards the gutter, tilt up to ±2.5°, JPEG quality 55"
            }
            Capture::Spread => {
                "two facing pages per image, as an overhead book scanner takes them (gutter shadow and curvature, slight tilt)"
            }
            Capture::Photo => {
                "photographed with a phone: the page on a darker table, in perspective, lit unevenly, in colour (JPEG)"
            }
        }
    }
}

/// Reflectance (0 black, 1 white) of `img` at (x, y), bilinear; `outside` beyond its edges.
fn sample(img: &GrayImage, x: f32, y: f32, outside: f32) -> f32 {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if x < 0.0 || y < 0.0 || x >= w - 1.0 || y >= h - 1.0 {
        return outside;
    }
    let (x0, y0) = (x as u32, y as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |dx, dy| img.get_pixel(x0 + dx, y0 + dy).0[0] as f32 / 255.0;
    let top = p(0, 0) * (1.0 - fx) + p(1, 0) * fx;
    let bot = p(0, 1) * (1.0 - fx) + p(1, 1) * fx;
    top * (1.0 - fy) + bot * fy
}

fn grey(v: f32) -> Luma<u8> {
    Luma([(v.clamp(0.0, 1.0) * 255.0).round() as u8])
}

/// Dust and toner dots, `per_mpx` per million pixels, some elongated into short scratches.
fn specks(img: &mut GrayImage, per_mpx: f32, rng: &mut Rng) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let n = (per_mpx * w * h / 1e6) as usize;
    for _ in 0..n {
        let (x, y) = (rng.unit() * w, rng.unit() * h);
        let r = rng.range(0.8, 2.6);
        let len = if rng.unit() < 0.2 {
            rng.range(3.0, 12.0)
        } else {
            0.0
        };
        let shade = rng.range(0.2, 0.6);
        let steps = (len as usize).max(1);
        for s in 0..steps {
            let cx = x + s as f32;
            let ri = r.ceil() as i64;
            for dy in -ri..=ri {
                for dx in -ri..=ri {
                    let (px, py) = (cx as i64 + dx, y as i64 + dy);
                    if px < 0 || py < 0 || px >= w as i64 || py >= h as i64 {
                        continue;
                    }
                    if ((dx * dx + dy * dy) as f32).sqrt() <= r {
                        let p = img.get_pixel_mut(px as u32, py as u32);
                        p.0[0] = (p.0[0] as f32 * shade) as u8;
                    }
                }
            }
        }
    }
}

/// `page` turned clockwise by `deg` about its centre (lines descend to the right), white beyond it.
pub fn turned(page: &GrayImage, deg: f32) -> GrayImage {
    let (sin, cos) = deg.to_radians().sin_cos();
    let (w, h) = (page.width(), page.height());
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        grey(sample(
            page,
            cos * dx + sin * dy + cx,
            -sin * dx + cos * dy + cy,
            1.0,
        ))
    })
}

/// A tilted flatbed scan: the page turned by up to ±`max_deg` (at least a third of it), lit
/// unevenly, with `specks` per megapixel, then JPEG-compressed at `quality`.
fn tilted(
    page: &GrayImage,
    max_deg: f32,
    specks_per_mpx: f32,
    quality: u8,
    rng: &mut Rng,
) -> GrayImage {
    let sign = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
    let turn = turned(page, sign * rng.range(max_deg / 3.0, max_deg));
    let (w, h) = (page.width(), page.height());
    let paper = rng.range(0.9, 0.95);
    let (lx, ly) = (
        rng.range(0.2, 0.8) * w as f32,
        rng.range(0.2, 0.8) * h as f32,
    );
    let diag2 = (w * w + h * h) as f32;
    let mut out = GrayImage::from_fn(w, h, |x, y| {
        let v = turn.get_pixel(x, y).0[0] as f32 / 255.0;
        let d2 = ((x as f32 - lx).powi(2) + (y as f32 - ly).powi(2)) / diag2;
        grey(v * (paper - 0.1 * d2))
    });
    specks(&mut out, specks_per_mpx, rng);
    jpeg(&out, quality)
}

fn jpeg(img: &GrayImage, quality: u8) -> GrayImage {
    let mut buf = Vec::new();
    let ok = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .is_ok();
    if !ok {
        return img.clone();
    }
    image::load_from_memory(&buf).map_or_else(|_| img.clone(), |i| i.to_luma8())
}

/// JPEG bytes of `img` at `quality`.
pub fn jpeg_bytes(img: impl Into<image::DynamicImage>, quality: u8) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(&img.into())
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

/// Lines bending towards the gutter: within `reach` of the gutter edge (`left`), a row is moved down
/// by up to `depth` pixels, more the nearer it is, and the paper darkens into the fold.
fn curve_to_gutter(page: &GrayImage, left: bool, depth: f32, reach: f32) -> GrayImage {
    let (w, h) = (page.width(), page.height());
    GrayImage::from_fn(w, h, |x, y| {
        let d = if left { x as f32 } else { (w - 1 - x) as f32 };
        let t = (1.0 - d / reach).max(0.0);
        // Rows bend more towards the top and bottom of the page, as a page does at its spine.
        let around = (y as f32 / h as f32 - 0.5) * 2.0;
        let dy = depth * t * t * around;
        let shade = 1.0 - 0.35 * t.powi(3);
        grey(sample(page, x as f32, y as f32 - dy, 1.0) * shade)
    })
}

/// A worn scan of `page`, with `other` (the page on the back) showing through, at 300 DPI (resampled
/// to 200 DPI by the caller).
pub fn worn(page: &GrayImage, other: &GrayImage, gutter_left: bool, rng: &mut Rng) -> GrayImage {
    let (w, h) = (page.width(), page.height());
    // The back page, mirrored, faintly through the paper.
    let strength = rng.range(0.08, 0.16);
    let through = GrayImage::from_fn(w, h, |x, y| {
        let v = sample(page, x as f32, y as f32, 1.0);
        let back = sample(other, (w - 1 - x) as f32, y as f32, 1.0);
        grey(v * (1.0 - strength * (1.0 - back)))
    });
    let curved = curve_to_gutter(
        &through,
        gutter_left,
        rng.range(18.0, 34.0),
        w as f32 * 0.22,
    );
    tilted(&curved, 2.5, 40.0, 55, rng)
}

/// A flatbed scan tilted by up to ±3°, with specks between the lines.
pub fn tilt(page: &GrayImage, rng: &mut Rng) -> GrayImage {
    tilted(page, 3.0, 40.0, 80, rng)
}

/// Two facing pages in one image: a gutter shadow and curvature on each side of it, a dark margin
/// round the book, the whole turned by up to ±1.5°, without the flatbed's dust.
pub fn spread(left: &GrayImage, right: &GrayImage, rng: &mut Rng) -> GrayImage {
    let l = curve_to_gutter(
        left,
        false,
        rng.range(10.0, 24.0),
        left.width() as f32 * 0.18,
    );
    let r = curve_to_gutter(
        right,
        true,
        rng.range(10.0, 24.0),
        right.width() as f32 * 0.18,
    );
    let margin = 60u32;
    let (w, h) = (
        l.width() + r.width() + 2 * margin,
        l.height().max(r.height()) + 2 * margin,
    );
    let mut both = GrayImage::from_pixel(w, h, Luma([46]));
    image::imageops::replace(&mut both, &l, margin as i64, margin as i64);
    image::imageops::replace(&mut both, &r, (margin + l.width()) as i64, margin as i64);
    // An overhead scanner's glass stays off the page: no dust specks.
    tilted(&both, 1.5, 0.0, 85, rng)
}

use greenbook::input::photo::{invert, square_to_quad};

/// A phone photo of `page`: the page in perspective on a darker, textured table, in a 3000×4000
/// frame (12 Mpx), lit unevenly, in warm colour. Returns the photo.
pub fn photo(page: &GrayImage, rng: &mut Rng) -> RgbImage {
    let (fw, fh) = (3000u32, 4000u32);
    let (pw, ph) = (page.width() as f32, page.height() as f32);
    // The page's corners in the frame: a rectangle of about 80 % of the frame's height, turned and
    // put in perspective by moving each corner.
    let scale = rng.range(0.72, 0.84) * fh as f32 / ph;
    let (w, h) = (pw * scale, ph * scale);
    let (cx, cy) = (
        fw as f32 / 2.0 + rng.range(-90.0, 90.0),
        fh as f32 / 2.0 + rng.range(-90.0, 90.0),
    );
    let turn = rng.range(-7.0f32, 7.0).to_radians();
    let (sin, cos) = turn.sin_cos();
    // The top edge further from the camera: narrower.
    let keystone = rng.range(0.02, 0.09) * w;
    let corners = [
        (-w / 2.0 + keystone, -h / 2.0),
        (w / 2.0 - keystone, -h / 2.0),
        (w / 2.0, h / 2.0),
        (-w / 2.0, h / 2.0),
    ];
    let mut quad = [(0.0f32, 0.0f32); 4];
    for (k, (x, y)) in corners.iter().enumerate() {
        let (jx, jy) = (rng.range(-0.015, 0.015) * w, rng.range(-0.015, 0.015) * h);
        quad[k] = (
            cx + cos * (x + jx) - sin * (y + jy),
            cy + sin * (x + jx) + cos * (y + jy),
        );
    }
    let to_unit = invert(square_to_quad(quad));
    let table = (
        rng.range(0.25, 0.4),
        rng.range(0.18, 0.3),
        rng.range(0.12, 0.22),
    );
    let warm = (1.0, rng.range(0.94, 0.98), rng.range(0.84, 0.92));
    let (lx, ly) = (
        rng.range(0.0, 1.0) * fw as f32,
        rng.range(0.0, 1.0) * fh as f32,
    );
    let diag = ((fw * fw + fh * fh) as f32).sqrt();
    let grain = rng.next_u64();
    RgbImage::from_fn(fw, fh, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let [a, b, c, d, e, f, g, hh, i] = to_unit;
        let z = g * fx + hh * fy + i;
        let (u, v) = ((a * fx + b * fy + c) / z, (d * fx + e * fy + f) / z);
        // Light falls off away from a lamp, and towards the frame's corners.
        let dist = ((fx - lx).powi(2) + (fy - ly).powi(2)).sqrt() / diag;
        let light = 1.0 - 0.38 * dist;
        let noise = {
            let n =
                (x as u64).wrapping_mul(0x9E37_79B9) ^ (y as u64).wrapping_mul(0x85EB_CA6B) ^ grain;
            ((n.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 58) as f32 / 64.0 - 0.5) * 0.06
        };
        let rgb = if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
            let ink = sample(page, u * pw, v * ph, 1.0);
            let paper = 0.93 * light + noise * 0.3;
            (
                ink * paper * warm.0,
                ink * paper * warm.1,
                ink * paper * warm.2,
            )
        } else {
            let t = light * 0.9 + noise;
            (table.0 * t, table.1 * t, table.2 * t)
        };
        let c = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        Rgb([c(rgb.0), c(rgb.1), c(rgb.2)])
    })
}
