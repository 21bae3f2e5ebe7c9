//! The page text placed on the page: line by line, the characters of the page's text (as
//! [`line_text`] repairs them) on the boxes of the words they came from. ALTO and the book PDF's text
//! layer are written from these runs, so both carry exactly the page's text.

use super::Word;
use crate::text;

/// A stretch of a line's text on one box (pixels of the image the words refer to).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    /// Word confidence, 0–100 (negative when the engine gave none).
    pub conf: f32,
    /// Per-character confidence, 0–100, one per character of `text`, when the engine knows them.
    pub char_conf: Vec<u8>,
    /// A space follows this run in the line's text (between two non-CJK words).
    pub space_after: bool,
}

/// One line of the page: its block number, its box, and its runs in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub block: u32,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub runs: Vec<Run>,
}

/// A line's text from its words: joined (a space only between non-CJK words), spaces next to CJK
/// removed, full-width punctuation restored, and OCR's typical slips repaired. The page text is these
/// lines.
pub fn line_text(words: &[Word]) -> String {
    let line = text::join_words(words.iter().map(|w| w.text.as_str()));
    text::repair_ocr(&text::restore_fullwidth(&text::fix_spacing(&line)))
}

/// The words of a page split into their lines (consecutive words with the same block, paragraph and
/// line numbers).
pub fn word_lines(words: &[Word]) -> Vec<&[Word]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let key = (words[i].block, words[i].par, words[i].line);
        let j = words[i..]
            .iter()
            .position(|w| (w.block, w.par, w.line) != key)
            .map_or(words.len(), |k| i + k);
        out.push(&words[i..j]);
        i = j;
    }
    out
}

/// The box holding `words`: (x, y, w, h); all zero when there are none.
pub fn extent<'a>(words: impl IntoIterator<Item = &'a Word>) -> (u32, u32, u32, u32) {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for w in words {
        (x0, y0) = (x0.min(w.x), y0.min(w.y));
        (x1, y1) = (x1.max(w.x + w.w), y1.max(w.y + w.h));
    }
    if x0 == u32::MAX {
        return (0, 0, 0, 0);
    }
    (x0, y0, x1 - x0, y1 - y0)
}

/// One run per word, when the repaired line has as many characters as its words: each word's share
/// of the characters, and a space after the run that owns the character before it.
fn word_runs(parts: &[(&Word, usize)], repaired: &str, chars: &[char]) -> Vec<Run> {
    // A space in the repaired line goes after the run that owns the character before it.
    let owner: Vec<usize> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, (_, n))| std::iter::repeat_n(i, *n))
        .collect();
    let mut spaced = vec![false; parts.len()];
    let mut seen = 0;
    for c in repaired.chars() {
        if !c.is_whitespace() {
            seen += 1;
        } else if seen > 0 {
            spaced[owner[seen - 1]] = true;
        }
    }
    let mut at = 0;
    parts
        .iter()
        .enumerate()
        .map(|(i, &(w, n))| {
            let text: String = chars[at..at + n].iter().collect();
            at += n;
            Run {
                text,
                x: w.x,
                y: w.y,
                w: w.w,
                h: w.h,
                conf: w.conf,
                char_conf: if w.char_conf.len() == n {
                    w.char_conf.clone()
                } else {
                    Vec::new()
                },
                space_after: spaced[i],
            }
        })
        .collect()
}

/// The page's lines with their runs. A line's repaired text is laid on its words' boxes character by
/// character when repair kept the number of characters (the usual case: it swaps characters, such
/// as half-width punctuation for full-width); otherwise the whole line is one run on the line's box.
pub fn page_lines(words: &[Word]) -> Vec<Line> {
    word_lines(words)
        .into_iter()
        .filter_map(|ws| {
            let repaired = line_text(ws);
            let (x, y, w, h) = extent(ws);
            let chars: Vec<char> = repaired.chars().filter(|c| !c.is_whitespace()).collect();
            if chars.is_empty() {
                return None;
            }
            // The words that hold text, with their characters' count.
            let parts: Vec<(&Word, usize)> = ws
                .iter()
                .map(|w| (w, w.text.chars().filter(|c| !c.is_whitespace()).count()))
                .filter(|(_, n)| *n > 0)
                .collect();
            let runs = if parts.iter().map(|(_, n)| n).sum::<usize>() == chars.len() {
                word_runs(&parts, &repaired, &chars)
            } else {
                let confs: Vec<f32> = ws.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
                let conf = if confs.is_empty() {
                    -1.0
                } else {
                    confs.iter().sum::<f32>() / confs.len() as f32
                };
                vec![Run {
                    text: repaired.trim().to_string(),
                    x,
                    y,
                    w,
                    h,
                    conf,
                    char_conf: Vec::new(),
                    space_after: false,
                }]
            };
            Some(Line {
                block: ws[0].block,
                x,
                y,
                w,
                h,
                runs,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x: u32, line: u32) -> Word {
        Word {
            text: text.into(),
            conf: 90.0,
            block: 1,
            par: 1,
            line,
            x,
            y: 100 * line,
            w: 20 * text.chars().count() as u32,
            h: 40,
            char_conf: Vec::new(),
        }
    }

    #[test]
    fn runs_carry_the_repaired_text_on_the_word_boxes() {
        // Half-width punctuation next to Han is restored to full width; the boxes stay the words'.
        let words = [word("共有", 0, 1), word("1224", 50, 1), word("户,", 140, 1)];
        let lines = page_lines(&words);
        assert_eq!(lines.len(), 1);
        let runs: Vec<(&str, u32)> = lines[0]
            .runs
            .iter()
            .map(|r| (r.text.as_str(), r.x))
            .collect();
        assert_eq!(runs, [("共有", 0), ("1224", 50), ("户，", 140)]);
        let text: String = lines[0].runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, line_text(&words));
    }

    #[test]
    fn spaces_between_latin_words_are_kept_after_their_run() {
        let words = [
            word("PM2.5", 0, 1),
            word("low", 120, 1),
            word("空气", 200, 1),
        ];
        let lines = page_lines(&words);
        let spaces: Vec<bool> = lines[0].runs.iter().map(|r| r.space_after).collect();
        assert_eq!(spaces, [true, false, false]);
    }
}
