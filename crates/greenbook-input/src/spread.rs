//! Two-page spreads, as an overhead book scanner takes them: one image wider than tall, holding two
//! pages of text with a gutter between them. Found from the image's shape and its gutter; split into
//! its two pages, each then read as a page of its own.

use image::GrayImage;
use serde::{Deserialize, Serialize};

/// An image at least this much wider than tall may be a spread (two portrait pages side by side are
/// about 1.4; a single portrait page is under 1).
pub const MIN_ASPECT: f32 = 1.15;

/// Which page of a spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    #[serde(rename = "L")]
    Left,
    #[serde(rename = "R")]
    Right,
}

impl Side {
    pub fn suffix(self) -> &'static str {
        match self {
            Side::Left => "L",
            Side::Right => "R",
        }
    }
}

/// One page of a spread: its side and the part of the image it takes (columns `x0..x1`, rows
/// `y0..y1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Half {
    pub side: Side,
    pub x0: u32,
    pub x1: u32,
    #[serde(default)]
    pub y0: u32,
    #[serde(default = "all_rows")]
    pub y1: u32,
}

fn all_rows() -> u32 {
    u32::MAX
}

impl Half {
    /// The page's part of the spread.
    pub fn crop(&self, img: &GrayImage) -> GrayImage {
        let x1 = self.x1.min(img.width());
        let x0 = self.x0.min(x1);
        let y1 = self.y1.min(img.height());
        let y0 = self.y0.min(y1);
        image::imageops::crop_imm(img, x0, y0, x1 - x0, y1 - y0).to_image()
    }
}

/// Ink edges per column (dark–light transitions down the column) of a quarter-scale copy: text
/// columns have many, margins and the gutter's smooth shadow few.
fn edge_profile(img: &GrayImage) -> Vec<f32> {
    const R: u32 = 4;
    let (w, h) = (img.width() / R, img.height() / R);
    let small = super::scale::shrink_grey(img, w, h);
    let mut edges = vec![0f32; w as usize];
    for (x, e) in edges.iter_mut().enumerate() {
        let mut prev = small.get_pixel(x as u32, 0).0[0] as i32;
        for y in 1..h {
            let v = small.get_pixel(x as u32, y).0[0] as i32;
            if (v - prev).abs() > 40 {
                *e += 1.0;
            }
            prev = v;
        }
    }
    // Smoothed over about 1 % of the width, so that the space between two characters is no gutter.
    let k = (w as usize / 100).max(1);
    (0..edges.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(k), (i + k + 1).min(edges.len()));
            edges[a..b].iter().sum::<f32>() / (b - a) as f32
        })
        .collect()
}

fn median(v: &[f32]) -> f32 {
    let mut v = v.to_vec();
    v.sort_by(f32::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The gutter of a spread (a column of the image), or None when the image is not one: it must be
/// wide ([`MIN_ASPECT`]), carry text on both sides, and have a column in its middle third with
/// almost no ink edges.
pub fn find_gutter(img: &GrayImage) -> Option<u32> {
    let (w, h) = (img.width(), img.height());
    if (w as f32) < MIN_ASPECT * h as f32 || w < 400 {
        return None;
    }
    let p = edge_profile(img);
    let n = p.len();
    let at = |f: f32| ((n as f32 * f) as usize).min(n);
    let (left, right) = (median(&p[at(0.1)..at(0.4)]), median(&p[at(0.6)..at(0.9)]));
    let (i, low) = p[at(0.35)..at(0.65)]
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| (i + at(0.35), *v))?;
    // Text on both sides (a line edge every few rows), next to nothing at the gutter: under 0.15 of
    // the sparser side's edges, or under 0.05 of the denser side's (a chapter's last page, a few
    // lines under a full one: 18.6 and 101.8 edges, 2.9 at the gutter's shadow).
    let text = left.min(right);
    if text < 4.0 || low > (0.15 * text).max(0.05 * left.max(right)) {
        return None;
    }
    // The middle of the empty run the lowest column is in: the gutter, not the edge of a text block.
    let empty = |j: usize| p[j] <= low + 0.25 * (text - low);
    let a = (0..=i).rev().take_while(|&j| empty(j)).last().unwrap_or(i);
    let b = (i..n).take_while(|&j| empty(j)).last().unwrap_or(i);
    // Two pages' inner margins and the fold: a band, not the gap between two lines of a page
    // turned on its side.
    if b - a < n / 30 {
        return None;
    }
    Some((((a + b) / 2) as u32 * 4 + 2).min(w))
}

/// The two pages of a spread, or None when `img` is a single page.
pub fn halves(img: &GrayImage) -> Option<[Half; 2]> {
    let g = find_gutter(img)?;
    let half = |side, x0, x1| Half {
        side,
        x0,
        x1,
        y0: 0,
        y1: img.height(),
    };
    Some([half(Side::Left, 0, g), half(Side::Right, g, img.width())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A page of "text": rows of dark blocks within margins.
    fn page(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let in_text = x > w / 10 && x < w * 9 / 10 && y > h / 10 && y < h * 9 / 10;
            let ink = in_text && (y % 40) < 14 && (x % 22) < 17;
            Luma([if ink { 20 } else { 235 }])
        })
    }

    #[test]
    fn a_spread_splits_at_its_gutter_and_a_page_does_not() {
        let (w, h) = (1200, 1700);
        let mut spread = GrayImage::from_pixel(2 * w + 40, h, Luma([235]));
        image::imageops::replace(&mut spread, &page(w, h), 0, 0);
        image::imageops::replace(&mut spread, &page(w, h), (w + 40) as i64, 0);
        // A gutter shadow: darker, smooth.
        for x in w - 60..w + 100 {
            let d = (x as f32 - (w + 20) as f32).abs() / 80.0;
            for y in 0..h {
                spread.put_pixel(x, y, Luma([(120.0 + 115.0 * d.min(1.0)) as u8]));
            }
        }
        let [l, r] = halves(&spread).expect("a spread");
        // Between the left page's text (to 1080) and the right page's (from 1360).
        assert!((1150..1290).contains(&l.x1), "gutter at {}", l.x1);
        assert_eq!((l.x0, r.x0, r.x1), (0, l.x1, spread.width()));
        assert_eq!((l.y0, l.y1), (0, h));
        assert_eq!(
            l.crop(&spread).width() + r.crop(&spread).width(),
            spread.width()
        );
        // A chapter's last page: a few lines under the denser facing page, and a faint line across
        // the gutter (a shadow's edge): still a spread.
        let mut sparse = GrayImage::from_pixel(2 * w + 40, h, Luma([235]));
        image::imageops::replace(&mut sparse, &page(w, h), 0, 0);
        let full = page(w, h);
        let top = GrayImage::from_fn(w, h, |x, y| {
            Luma([if y < h / 4 {
                full.get_pixel(x, y).0[0]
            } else {
                235
            }])
        });
        image::imageops::replace(&mut sparse, &top, (w + 40) as i64, 0);
        for x in w - 200..w + 250 {
            for y in (600..604).chain(1200..1204) {
                sparse.put_pixel(x, y, Luma([150]));
            }
        }
        assert!(halves(&sparse).is_some(), "a spread with a sparse page");
        assert!(halves(&page(w, h)).is_none(), "a portrait page");
        // A wide image with text across its middle is one page.
        assert!(halves(&page(2 * w, h)).is_none(), "text across the middle");
    }
}
