//! Text lines layout analysis left out. Tesseract folds a short caption under a photo ("图1") into the
//! photo's block, so neither its recognizer nor `ppocr` reads it; PP-OCR's own detector finds it (that is
//! most of what RapidOCR read better on the evaluation pages). This finds such lines cheaply: bands of
//! rows with ink outside every known line box, as tall as a line of text, split where the ink leaves a
//! wide gap. Photos are taller than a line and are left alone; specks and rules are shorter. What a band
//! holds is decided by reading it: callers keep a candidate only when PP-OCR reads it confidently
//! ([`KEEP_CONF`]).

use image::GrayImage;

use crate::lines::{LineRead, line_words};
use crate::{LineBox, Word};

/// A pixel darker than this is ink (as [`super::preprocess::text_height`] counts it).
const INK: u8 = 128;

/// PP-OCR's mean character confidence (0–1) a candidate line needs to be kept (chosen on the tuning
/// pages: captions read at 0.9 and above, photo edges and specks below 0.5).
pub const KEEP_CONF: f32 = 0.8;

/// Candidate lines outside `lines` (boxes in `img`'s pixels), top to bottom, numbered as new blocks after
/// the last block of `lines`. Empty when `lines` is empty (no line height to compare with).
pub fn missed_lines(img: &GrayImage, lines: &[LineBox]) -> Vec<LineBox> {
    let Some(line_h) = median_height(lines) else {
        return Vec::new();
    };
    let line_h = line_h as usize;
    let mut block = lines.iter().map(|l| l.block).max().unwrap_or(0);
    let lines = without_slivers(lines.to_vec());
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    // Once per row: the band scan and the column profile below both need them.
    let free = free_columns(&lines, line_h, w, h);
    let mut out = Vec::new();
    for (y0, y1) in ink_bands(raw, w, &free) {
        let bh = y1 - y0;
        // As tall as a line of text, or a caption's smaller type (a band is the ink's height, a line
        // box also holds the leading: body text of 45 px has 70-px boxes): photos are taller, specks
        // and rules shorter.
        if bh * 10 < line_h * 3 || bh * 5 > line_h * 8 {
            continue;
        }
        for (x0, x1) in ink_runs(raw, w, &free, y0, y1) {
            block += 1;
            out.push(LineBox {
                block,
                par: 1,
                line: 1,
                x: x0 as u32,
                y: y0 as u32,
                w: (x1 - x0) as u32,
                h: bh as u32,
            });
        }
    }
    out
}

/// Per row of a `w`×`h` page, the column ranges outside every known line (each widened by a quarter of
/// a line, so its descenders and accents are not found again).
fn free_columns(lines: &[LineBox], line_h: usize, w: usize, h: usize) -> Vec<Vec<(usize, usize)>> {
    let pad = line_h / 4;
    let covered: Vec<(usize, usize, usize, usize)> = lines
        .iter()
        .map(|l| {
            let (x, y) = (l.x as usize, l.y as usize);
            (
                x.saturating_sub(pad),
                y.saturating_sub(pad),
                (x + l.w as usize + pad).min(w),
                (y + l.h as usize + pad).min(h),
            )
        })
        .collect();
    let free_at = |y: usize| -> Vec<(usize, usize)> {
        let mut taken: Vec<(usize, usize)> = covered
            .iter()
            .filter(|c| c.1 <= y && y < c.3)
            .map(|c| (c.0, c.2))
            .collect();
        taken.sort_unstable();
        let mut out = Vec::new();
        let mut x = 0;
        for (a, b) in taken {
            if a > x {
                out.push((x, a));
            }
            x = x.max(b);
        }
        if x < w {
            out.push((x, w));
        }
        out
    };
    (0..h).map(free_at).collect()
}

/// Bands of rows with ink outside the known lines (a row with under 3 ink pixels is blank: specks),
/// short gaps bridged.
fn ink_bands(raw: &[u8], w: usize, free: &[Vec<(usize, usize)>]) -> Vec<(usize, usize)> {
    let ink_in = |y: usize, ranges: &[(usize, usize)]| -> usize {
        let row = &raw[y * w..(y + 1) * w];
        ranges
            .iter()
            .map(|&(a, b)| row[a..b].iter().filter(|&&v| v < INK).count())
            .sum()
    };
    let mut bands: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_ink = 0;
    for (y, ranges) in free.iter().enumerate() {
        let inked = ink_in(y, ranges) >= 3;
        match (inked, start) {
            (true, None) => (start, last_ink) = (Some(y), y),
            (true, Some(_)) => last_ink = y,
            (false, Some(s)) if y - last_ink > 3 => {
                bands.push((s, last_ink + 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        bands.push((s, last_ink + 1));
    }
    bands
}

/// The runs of inked columns of the band `y0..y1`, outside the known lines, joined across gaps under
/// 1.5 band heights (the space between words), that hold a glyph's worth of ink and are at least half
/// a band wide.
fn ink_runs(
    raw: &[u8],
    w: usize,
    free: &[Vec<(usize, usize)>],
    y0: usize,
    y1: usize,
) -> Vec<(usize, usize)> {
    let bh = y1 - y0;
    let mut cols = vec![0usize; w];
    for y in y0..y1 {
        let row = &raw[y * w..(y + 1) * w];
        for &(a, b) in &free[y] {
            for (c, &v) in cols[a..b].iter_mut().zip(&row[a..b]) {
                *c += usize::from(v < INK);
            }
        }
    }
    let mut runs = Vec::new();
    let mut x = 0;
    while x < w {
        if cols[x] == 0 {
            x += 1;
            continue;
        }
        let (x0, mut x1, mut gap, mut ink) = (x, x + 1, 0, 0);
        while x < w && gap * 2 <= bh * 3 {
            if cols[x] > 0 {
                (x1, gap) = (x + 1, 0);
                ink += cols[x];
            } else {
                gap += 1;
            }
            x += 1;
        }
        if ink >= bh * 2 && (x1 - x0) * 2 >= bh {
            runs.push((x0, x1));
        }
    }
    runs
}

fn median_height(lines: &[LineBox]) -> Option<u32> {
    let mut heights: Vec<u32> = lines.iter().map(|l| l.h).filter(|h| *h > 0).collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).copied()
}

/// `lines` without the slivers layout analysis sometimes reports inside a photo's block (a line a
/// pixel or two high, under a quarter of the median height): there is nothing to read in them, and
/// they would hide the caption they cut through.
pub fn without_slivers(lines: Vec<LineBox>) -> Vec<LineBox> {
    let Some(median) = median_height(&lines) else {
        return lines;
    };
    lines.into_iter().filter(|l| l.h * 4 >= median).collect()
}

/// The lines [`missed_lines`] proposed, with their readings (one each, in order), that were read as
/// text: not empty, and with a mean confidence of at least [`KEEP_CONF`].
pub fn kept(candidates: Vec<LineBox>, reads: Vec<LineRead>) -> Vec<(LineBox, LineRead)> {
    candidates
        .into_iter()
        .zip(reads)
        .filter(|(_, r)| !r.text.trim().is_empty() && r.mean_conf().is_some_and(|c| c >= KEEP_CONF))
        .collect()
}

/// `found` placed among `lines` in reading order: each before the first line that starts below its
/// middle (a caption between the photo's paragraph and the next heading), and after the lines of its
/// own row that stand left of it (captions side by side under two photos read left to right).
pub fn merge(lines: Vec<LineBox>, mut found: Vec<LineBox>) -> Vec<LineBox> {
    let same_row = |a: &LineBox, b: &LineBox| {
        let overlap = (a.y + a.h).min(b.y + b.h).saturating_sub(a.y.max(b.y));
        overlap * 2 >= a.h.min(b.h)
    };
    found.sort_by_key(|f| f.x);
    let mut out = lines;
    for f in found {
        let mid = f.y + f.h / 2;
        let at = out
            .iter()
            .position(|l| l.y > mid && !(same_row(l, &f) && l.x < f.x))
            .unwrap_or(out.len());
        out.insert(at, f);
    }
    out
}

/// Words of `lines` (in reading order) with the lines `missed` read put in their places: the words
/// and lines of the page in reading order.
pub fn insert(
    words: Vec<Word>,
    lines: Vec<LineBox>,
    missed: Vec<(LineBox, LineRead)>,
) -> (Vec<Word>, Vec<LineBox>) {
    if missed.is_empty() {
        return (words, lines);
    }
    let order = merge(lines, missed.iter().map(|(l, _)| *l).collect());
    let mut out = Vec::with_capacity(words.len());
    let mut rest = words.into_iter().peekable();
    for line in &order {
        match missed.iter().find(|(l, _)| l == line) {
            Some((l, read)) => out.extend(line_words(l, read)),
            None => {
                let key = (line.block, line.par, line.line);
                while let Some(w) = rest.next_if(|w| (w.block, w.par, w.line) == key) {
                    out.push(w);
                }
            }
        }
    }
    out.extend(rest);
    (out, order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_side_by_side_read_left_to_right() {
        let para = line(1, 200, 900, 2000, 50);
        let next = line(2, 200, 1100, 2000, 50);
        // Found right caption first, the left one a little lower on the same row.
        let right = line(0, 1745, 1033, 57, 33);
        let left = line(0, 689, 1040, 62, 32);
        let order = merge(vec![para, next], vec![right, left]);
        assert_eq!(order, [para, left, right, next]);
    }

    fn line(block: u32, x: u32, y: u32, w: u32, h: u32) -> LineBox {
        LineBox {
            block,
            par: 1,
            line: 1,
            x,
            y,
            w,
            h,
        }
    }

    /// A white page with dark rectangles (x, y, w, h).
    fn page(w: u32, h: u32, ink: &[(u32, u32, u32, u32)]) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let dark = ink
                .iter()
                .any(|&(a, b, c, d)| x >= a && x < a + c && y >= b && y < b + d);
            image::Luma([if dark { 20 } else { 235 }])
        })
    }

    #[test]
    fn a_caption_under_a_photo_is_found_and_the_photo_specks_and_known_lines_are_not() {
        let known = vec![
            line(1, 100, 100, 800, 40),
            line(2, 100, 700, 800, 40),
            line(7, 470, 610, 20, 1), // a sliver through the caption
        ];
        let img = page(
            1000,
            900,
            &[
                (100, 100, 800, 40),  // a known line
                (200, 200, 600, 300), // a photo
                (30, 540, 4, 4),      // a speck
                (460, 600, 20, 36),   // caption: two glyphs 30 px apart
                (510, 600, 24, 36),
                (100, 660, 800, 2),  // a rule
                (100, 700, 800, 40), // a known line
            ],
        );
        let found = missed_lines(&img, &known);
        assert_eq!(found, vec![line(8, 460, 600, 74, 36)]);
        let merged = merge(without_slivers(known), found);
        assert_eq!(
            merged.iter().map(|l| l.y).collect::<Vec<_>>(),
            [100, 600, 700]
        );
    }

    #[test]
    fn nothing_is_found_without_known_lines_or_on_a_blank_page() {
        let img = page(300, 300, &[(50, 50, 100, 30)]);
        assert!(missed_lines(&img, &[]).is_empty());
        let blank = page(300, 300, &[]);
        assert!(missed_lines(&blank, &[line(1, 10, 10, 100, 30)]).is_empty());
    }

    #[test]
    fn missed_lines_are_put_in_their_places_with_their_words() {
        let word = |text: &str, l: &LineBox| Word::on_line(text, 90.0, l);
        let (a, b) = (line(1, 100, 100, 800, 40), line(2, 100, 700, 800, 40));
        let caption = line(3, 460, 600, 74, 36);
        let read = LineRead {
            text: "图1".into(),
            chars: ["图", "1"]
                .iter()
                .enumerate()
                .map(|(i, c)| crate::lines::CharRead {
                    text: c.to_string(),
                    conf: 0.99,
                    x0: 460 + 37 * i as u32,
                    x1: 497 + 37 * i as u32,
                    peak: 478 + 37 * i as u32,
                })
                .collect(),
        };
        let (words, lines) = insert(
            vec![word("社区", &a), word("概况", &a), word("特色", &b)],
            vec![a, b],
            vec![(caption, read)],
        );
        assert_eq!(lines, [a, caption, b]);
        let texts: Vec<(&str, u32)> = words.iter().map(|w| (w.text.as_str(), w.block)).collect();
        assert_eq!(texts, [("社区", 1), ("概况", 1), ("图1", 3), ("特色", 2)]);
    }
}
