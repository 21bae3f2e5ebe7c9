//! What every engine shares about text lines: a line's rectangle on the page, a line read character
//! by character, the words and text made from lines, and [`LineReader`], the interface through which
//! an engine reads all of a page's lines in one call. Engine-neutral: the finder of missed lines
//! ([`crate::gaps`]), `ppocr` and `hybrid` use it, and it uses no engine.

use image::GrayImage;

use crate::{LineBox, Recognized, Word};

/// A line to read: a level rectangle of the page, or a crop already cut and levelled (a tilted box the
/// detector found) with where its columns lie on the page.
#[derive(Debug, Clone)]
pub enum LineImage {
    /// A rectangle of the page, read as it stands.
    Rect(Rect),
    /// A levelled crop of a box turned by an angle whose cosine is `cos`, centred at page x `centre`
    /// and `2·half` wide: column `u` of the crop lies at page x `centre + (u − half)·cos`.
    Levelled {
        crop: GrayImage,
        centre: f32,
        half: f32,
        cos: f32,
    },
}

/// Reads text lines: all of a page's lines in one call, in order, so that an engine can batch them (a
/// fake in the tests).
pub trait LineReader: Send {
    fn read_lines(
        &mut self,
        page: &GrayImage,
        lines: &[LineImage],
    ) -> Result<Vec<LineRead>, String>;
}

/// The rectangles of `lines`, to read.
pub fn rects(lines: impl IntoIterator<Item = Rect>) -> Vec<LineImage> {
    lines.into_iter().map(LineImage::Rect).collect()
}

/// A rectangle on the page, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// One character read, with its confidence (0–1), its x-range on the page, and where in it the
/// model saw it (the middle of the frames that gave it).
#[derive(Debug, Clone, PartialEq)]
pub struct CharRead {
    pub text: String,
    pub conf: f32,
    pub x0: u32,
    pub x1: u32,
    pub peak: u32,
}

/// A line read: its text and its characters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineRead {
    pub text: String,
    pub chars: Vec<CharRead>,
}

impl LineRead {
    /// Mean character confidence, 0–1 (None for an empty reading).
    pub fn mean_conf(&self) -> Option<f32> {
        (!self.chars.is_empty())
            .then(|| self.chars.iter().map(|c| c.conf).sum::<f32>() / self.chars.len() as f32)
    }
}

/// The crop PP-OCR reads for a line Tesseract's layout found: the box widened by a margin, as PP-OCR's
/// own detector leaves one around the ink (its boxes are grown back after shrinking).
pub fn line_crop(l: &LineBox, margin: f32) -> Rect {
    let m = (l.h as f32 * margin).round() as u32;
    Rect {
        x: l.x.saturating_sub(m),
        y: l.y.saturating_sub(m),
        w: l.w + 2 * m,
        h: l.h + 2 * m,
    }
}

/// The margin around a line box, as a share of its height (chosen on the committed scans).
pub const LINE_MARGIN: f32 = 0.15;

/// A line read by PP-OCR as greenbook words: the line split at spaces, each word with the box its
/// characters span and their mean confidence (0–100), numbered as the layout numbered the line.
pub fn line_words(line: &LineBox, read: &LineRead) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current: Vec<&CharRead> = Vec::new();
    let mut flush = |chars: &mut Vec<&CharRead>| {
        if chars.is_empty() {
            return;
        }
        let (x0, x1) = (chars[0].x0, chars[chars.len() - 1].x1.max(chars[0].x0 + 1));
        words.push(Word {
            text: chars.iter().map(|c| c.text.as_str()).collect(),
            conf: 100.0 * chars.iter().map(|c| c.conf).sum::<f32>() / chars.len() as f32,
            block: line.block,
            par: line.par,
            line: line.line,
            x: x0,
            y: line.y,
            w: x1 - x0,
            h: line.h,
            char_conf: chars
                .iter()
                .flat_map(|c| {
                    let pct = (100.0 * c.conf).round().clamp(0.0, 100.0) as u8;
                    std::iter::repeat_n(pct, c.text.chars().count())
                })
                .collect(),
        });
        chars.clear();
    };
    for c in &read.chars {
        if c.text.trim().is_empty() {
            flush(&mut current);
        } else {
            current.push(c);
        }
    }
    flush(&mut current);
    words
}

/// Text, words, lines and mean confidence from words in reading order and their lines.
pub fn recognized(words: Vec<Word>, lines: Vec<LineBox>) -> Recognized {
    let confs: Vec<f32> = words.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
    let mean_conf = (!confs.is_empty()).then(|| confs.iter().sum::<f32>() / confs.len() as f32);
    Recognized {
        text: words_to_text(&words),
        words,
        lines,
        text_height: None,
        scale: None,
        mean_conf,
        hocr: None,
        alternates: Vec::new(),
        sideways: false,
    }
}

/// `r` within `page`.
pub fn clamp(r: Rect, page: &GrayImage) -> Rect {
    let x = r.x.min(page.width());
    let y = r.y.min(page.height());
    Rect {
        x,
        y,
        w: r.w.min(page.width() - x),
        h: r.h.min(page.height() - y),
    }
}

/// Lines in reading order from words: CJK unspaced, Latin words and numbers spaced, ASCII punctuation
/// next to Han restored to full width; a blank line between blocks.
pub fn words_to_text(words: &[Word]) -> String {
    let mut out = String::new();
    let mut last_block = None;
    for line in crate::runs::word_lines(words) {
        if last_block.is_some_and(|b| b != line[0].block) {
            out.push('\n');
        }
        last_block = Some(line[0].block);
        out.push_str(&crate::runs::line_text(line));
        out.push('\n');
    }
    out
}
