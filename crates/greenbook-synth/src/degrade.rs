//! The page canvas and the flatbed-scan degradation: paper tint, uneven illumination, skew (±1°), slight
//! blur, speckle, JPEG-grade compression artefacts. Deterministic from a seed.

use image::{GrayImage, Luma};

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
}

/// Reflectance canvas: 1.0 is white paper, 0.0 is black ink.
pub struct Canvas {
    pub w: usize,
    pub h: usize,
    pub v: Vec<f32>,
}

impl Canvas {
    pub fn new(w: usize, h: usize) -> Self {
        Canvas {
            w,
            h,
            v: vec![1.0; w * h],
        }
    }

    /// Darkens a pixel by glyph coverage.
    pub fn ink(&mut self, x: i64, y: i64, cov: f32) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            let i = y as usize * self.w + x as usize;
            self.v[i] *= 1.0 - cov.clamp(0.0, 1.0) * 0.92;
        }
    }

    fn fill(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, val: f32) {
        let (xa, xb) = (x0.max(0.0) as usize, (x1.min(self.w as f32)) as usize);
        let (ya, yb) = (y0.max(0.0) as usize, (y1.min(self.h as f32)) as usize);
        for y in ya..yb {
            self.v[y * self.w + xa..y * self.w + xb.max(xa)].fill(val);
        }
    }

    /// A photo-like block: sky gradient, a skyline of blocks with windows, trees, a lawn.
    pub fn photo(&mut self, x: f32, y: f32, w: f32, h: f32, rng: &mut Rng) {
        let horizon = y + h * rng.range(0.45, 0.65);
        let (xa, xb) = (x.max(0.0) as usize, (x + w).min(self.w as f32) as usize);
        let (ya, yb) = (y.max(0.0) as usize, (y + h).min(self.h as f32) as usize);
        let sky = rng.range(0.72, 0.88);
        for py in ya..yb {
            let t = (py as f32 - y) / h;
            let val = if (py as f32) < horizon {
                sky - 0.12 * t
            } else {
                0.42 + 0.1 * t
            };
            self.v[py * self.w + xa..py * self.w + xb].fill(val);
        }
        let mut bx = x;
        while bx < x + w {
            let bw = rng.range(0.05, 0.14) * w;
            let bh = rng.range(0.1, 0.42) * h;
            let shade = rng.range(0.3, 0.62);
            let right = (bx + bw).min(x + w);
            self.fill(bx, horizon - bh, right, horizon, shade);
            let mut wy = horizon - bh + 0.03 * h;
            while wy < horizon - 0.04 * h {
                let mut wx = bx + 0.15 * bw;
                while wx < right - 0.2 * bw {
                    self.fill(wx, wy, wx + 0.12 * bw, wy + 0.025 * h, shade + 0.2);
                    wx += 0.3 * bw;
                }
                wy += 0.07 * h;
            }
            bx += bw + rng.range(0.0, 0.04) * w;
        }
        for _ in 0..(4 + (rng.unit() * 6.0) as usize) {
            let cx = rng.range(x, x + w);
            let r = rng.range(0.05, 0.11) * h;
            let cy = horizon - r * 0.4;
            let shade = rng.range(0.22, 0.4);
            let (ya, yb) = ((cy - r).max(y) as usize, (cy + r).min(y + h) as usize);
            for py in ya..yb {
                let dy = py as f32 - cy;
                let half = (r * r - dy * dy).max(0.0).sqrt();
                self.fill(
                    (cx - half).max(x),
                    py as f32,
                    (cx + half).min(x + w),
                    py as f32 + 1.0,
                    shade,
                );
            }
        }
    }

    pub fn to_gray(&self) -> GrayImage {
        GrayImage::from_fn(self.w as u32, self.h as u32, |x, y| {
            Luma(
                [
                    (self.v[y as usize * self.w + x as usize].clamp(0.0, 1.0) * 255.0).round()
                        as u8,
                ],
            )
        })
    }
}

/// Degrades a clean canvas into a realistic flatbed scan.
pub fn scan(c: Canvas, seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let (w, h) = (c.w, c.h);
    let angle = rng.range(-1.0, 1.0).to_radians();
    let (sin, cos) = angle.sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    // Illumination: brighter towards one point, darker towards the spine; paper tint below white.
    let (lx, ly) = (
        rng.range(0.3, 0.7) * w as f32,
        rng.range(0.3, 0.7) * h as f32,
    );
    let paper = rng.range(0.9, 0.94);
    let diag2 = (w * w + h * h) as f32;
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            // Inverse rotation about the centre, bilinear sample.
            let dx = x as f32 - cx;
            let dy = y as f32 - cy;
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            let v = if sx >= 0.0 && sy >= 0.0 && sx < (w - 1) as f32 && sy < (h - 1) as f32 {
                let (x0, y0) = (sx as usize, sy as usize);
                let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
                let i = y0 * w + x0;
                let top = c.v[i] * (1.0 - fx) + c.v[i + 1] * fx;
                let bot = c.v[i + w] * (1.0 - fx) + c.v[i + w + 1] * fx;
                top * (1.0 - fy) + bot * fy
            } else {
                0.97
            };
            let d2 = ((x as f32 - lx).powi(2) + (y as f32 - ly).powi(2)) / diag2;
            let light = paper - 0.09 * d2 - 0.05 * (1.0 - x as f32 / w as f32).powi(6);
            out[y * w + x] = v * light;
        }
    }
    // Slight optical blur: separable [0.25, 0.5, 0.25].
    let mut tmp = out.clone();
    for y in 0..h {
        for x in 1..w - 1 {
            let i = y * w + x;
            tmp[i] = 0.25 * out[i - 1] + 0.5 * out[i] + 0.25 * out[i + 1];
        }
    }
    for y in 1..h - 1 {
        for x in 0..w {
            let i = y * w + x;
            out[i] = 0.25 * tmp[i - w] + 0.5 * tmp[i] + 0.25 * tmp[i + w];
        }
    }
    // Speckle: dust and toner dots.
    let dots = (w * h) / 40_000;
    for _ in 0..dots {
        let x = (rng.unit() * w as f32) as usize;
        let y = (rng.unit() * h as f32) as usize;
        let r = rng.range(0.6, 2.0);
        let shade = rng.range(0.25, 0.7);
        let ri = r.ceil() as usize;
        for py in y.saturating_sub(ri)..(y + ri + 1).min(h) {
            for px in x.saturating_sub(ri)..(x + ri + 1).min(w) {
                let d = ((px as f32 - x as f32).powi(2) + (py as f32 - y as f32).powi(2)).sqrt();
                if d <= r {
                    out[py * w + px] *= shade;
                }
            }
        }
    }
    let img = GrayImage::from_fn(w as u32, h as u32, |x, y| {
        Luma([(out[y as usize * w + x as usize].clamp(0.0, 1.0) * 255.0).round() as u8])
    });
    jpeg_round_trip(&img, 80).unwrap_or(img)
}

/// Compression artefacts of a scanner's JPEG output, then back to pixels.
fn jpeg_round_trip(img: &GrayImage, quality: u8) -> Option<GrayImage> {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .ok()?;
    Some(image::load_from_memory(&buf).ok()?.to_luma8())
}

/// PNG, best compression, adaptive filters: deterministic bytes for identical pixels.
pub fn encode_png(img: &GrayImage) -> Result<Vec<u8>, String> {
    greenbook::input::grey_png(img, image::codecs::png::CompressionType::Best)
}
