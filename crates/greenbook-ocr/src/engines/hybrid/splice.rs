//! Re-reading stretches of a line rather than all of it: which of a line's words to crop
//! ([`stretches`]), and which characters of the second reading stand for the words to replace
//! ([`core_chars`]). PP-OCR's time grows with the width it reads, and a figure with a few characters
//! either side is all the facts need.

use std::ops::Range;

use crate::lines::CharRead;
use crate::{LineBox, Word};

/// A stretch of a line's words to read again: `core` is replaced, `crop` is read (the core and one
/// word either side where there is one, so that a character the crop's edge cuts is not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub crop: Range<usize>,
    pub core: Range<usize>,
    /// Whether the core holds a word Tesseract read unsure (see [`Context`]).
    pub unsure: bool,
}

/// Why a word is re-read, and the characters of context re-read with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A figure: [`BEFORE`] characters before it, [`AFTER`] after.
    Figure,
    /// A word Tesseract read unsure or garbled: [`UNSURE_CONTEXT`] characters either side.
    Unsure,
}

impl Context {
    fn chars(self) -> (usize, usize) {
        match self {
            Context::Figure => (BEFORE, AFTER),
            Context::Unsure => (UNSURE_CONTEXT, UNSURE_CONTEXT),
        }
    }
}

/// Characters of context re-read either side of an unsure word.
pub const UNSURE_CONTEXT: usize = 1;

/// Characters of context re-read before a word (a fact's keyword stands before its figure:
/// 非户籍人口占比百分之二十三) and after it (its unit).
pub const BEFORE: usize = 6;
pub const AFTER: usize = 2;

/// When the crops would cover this share of a line's characters or more, the line is read whole.
pub const WHOLE_LINE: f32 = 0.6;

/// The stretches of a line's words (their character counts `lens`) that cover the words marked
/// `hot` with [`BEFORE`] characters before and [`AFTER`] after; None when they would cover
/// [`WHOLE_LINE`] of the line or more (read it whole), and an empty list when no word is hot.
pub fn stretches(lens: &[usize], hot: &[Option<Context>]) -> Option<Vec<Stretch>> {
    let n = lens.len();
    let mut cores: Vec<(Range<usize>, bool)> = Vec::new();
    for (i, why) in hot.iter().enumerate() {
        let Some(why) = why else { continue };
        let (before, after) = why.chars();
        let unsure = *why == Context::Unsure;
        let (mut a, mut chars) = (i, 0);
        while a > 0 && chars < before {
            a -= 1;
            chars += lens[a];
        }
        let (mut b, mut chars) = (i + 1, 0);
        while b < n && chars < after {
            chars += lens[b];
            b += 1;
        }
        match cores.last_mut() {
            // Two crops whose buffers would meet or overlap are one crop.
            Some((last, u)) if a <= last.end + 2 => {
                last.start = last.start.min(a);
                last.end = last.end.max(b);
                *u |= unsure;
            }
            _ => cores.push((a..b, unsure)),
        }
    }
    let out: Vec<Stretch> = cores
        .into_iter()
        .map(|(core, unsure)| Stretch {
            crop: core.start.saturating_sub(1)..(core.end + 1).min(n),
            core,
            unsure,
        })
        .collect();
    let total: usize = lens.iter().sum();
    let cropped: usize = out
        .iter()
        .map(|s| lens[s.crop.clone()].iter().sum::<usize>())
        .sum();
    (total == 0 || (cropped as f32) < WHOLE_LINE * total as f32).then_some(out)
}

/// The box of a stretch of `line`'s words: their extent across, the line box's top and height down
/// (cropped with [`crate::lines::line_crop`], as a whole line is).
pub fn words_box(words: &[Word], line: &LineBox) -> LineBox {
    let x0 = words.iter().map(|w| w.x).min().unwrap_or(0);
    let x1 = words.iter().map(|w| w.x + w.w).max().unwrap_or(0);
    LineBox {
        x: x0,
        w: x1.saturating_sub(x0),
        ..*line
    }
}

/// The characters of `read` (a reading of the text `first`) that stand for `first`'s characters
/// `core`: `read` is aligned to `first` (no spaces) by edit distance, its own spaces aside, and the
/// characters aligned to the core or inserted within it are kept, with the spaces between them. One
/// inserted at the core's edge is not: it may as well belong to the neighbour (an edit tie).
pub fn core_chars(first: &[char], core: Range<usize>, read: &[CharRead]) -> Vec<CharRead> {
    let seen: Vec<(usize, char)> = read
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let mut cs = c.text.chars().filter(|c| !c.is_whitespace());
            cs.next().map(|ch| (i, ch))
        })
        .collect();
    let (m, n) = (first.len(), seen.len());
    // d[i][j]: edits between first[..i] and seen[..j].
    let mut d = vec![vec![0usize; n + 1]; m + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=n).collect();
    for i in 1..=m {
        for j in 1..=n {
            let sub = d[i - 1][j - 1] + usize::from(first[i - 1] != seen[j - 1].1);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    // Position of each read character against `first`, in half steps: 2i+1 on character i, 2i in
    // the gap before it.
    let mut pos = vec![0usize; n];
    let (mut i, mut j) = (m, n);
    while j > 0 {
        if i > 0 && d[i][j] == d[i - 1][j - 1] + usize::from(first[i - 1] != seen[j - 1].1) {
            pos[j - 1] = 2 * (i - 1) + 1;
            (i, j) = (i - 1, j - 1);
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            i -= 1;
        } else {
            pos[j - 1] = 2 * i;
            j -= 1;
        }
    }
    let keep: Vec<usize> = (0..n)
        .filter(|&k| (2 * core.start + 1..2 * core.end).contains(&pos[k]))
        .map(|k| seen[k].0)
        .collect();
    match (keep.first(), keep.last()) {
        (Some(&a), Some(&b)) => read[a..=b].to_vec(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<CharRead> {
        s.chars()
            .enumerate()
            .map(|(i, c)| CharRead {
                text: c.to_string(),
                conf: 0.9,
                x0: 10 * i as u32,
                x1: 10 * i as u32 + 10,
                peak: 10 * i as u32 + 5,
            })
            .collect()
    }

    fn text(cs: &[CharRead]) -> String {
        cs.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn stretches_cover_hot_words_with_context_and_a_buffer() {
        // 东力新村为老旧小区，共有 | 1224 | 户，常住人口… (one word per character but the figure)
        let lens: Vec<usize> = std::iter::repeat_n(1, 12)
            .chain([4])
            .chain(std::iter::repeat_n(1, 40))
            .collect();
        let fig = Some(Context::Figure);
        let mut hot = vec![None; lens.len()];
        hot[12] = fig;
        // Six characters before (旧小区，共有), two after (户，), and a buffer word either side.
        let s = stretches(&lens, &hot).unwrap();
        assert_eq!(
            s,
            [Stretch {
                crop: 5..16,
                core: 6..15,
                unsure: false,
            }]
        );
        // Two figures whose crops would meet are one stretch; far apart, two.
        hot[18] = fig;
        assert_eq!(stretches(&lens, &hot).unwrap().len(), 1);
        hot[18] = None;
        hot[52] = fig;
        let two = stretches(&lens, &hot).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].core, 46..53);
        assert_eq!(two[1].crop, 45..53, "no buffer past the line's end");
        // Crops covering most of the line: read it whole.
        let mut many = hot.clone();
        for i in (0..lens.len()).step_by(8) {
            many[i] = fig;
        }
        assert_eq!(stretches(&lens, &many), None);
        assert_eq!(stretches(&lens, &vec![None; lens.len()]), Some(vec![]));
    }

    #[test]
    fn an_unsure_word_is_reread_with_one_character_either_side() {
        let lens = vec![1; 40];
        let mut hot = vec![None; lens.len()];
        hot[20] = Some(Context::Unsure);
        let s = stretches(&lens, &hot).unwrap();
        let core = 20 - UNSURE_CONTEXT..21 + UNSURE_CONTEXT;
        assert_eq!(s[0].core, core);
        assert!(s[0].unsure);
        // A figure just after it joins its stretch, which keeps the unsure mark and reaches back
        // as far as the figure's context does.
        hot[23] = Some(Context::Figure);
        let s = stretches(&lens, &hot).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].core, 17..26);
        assert!(s[0].unsure);
        // A figure alone is not unsure.
        hot[20] = None;
        assert!(!stretches(&lens, &hot).unwrap()[0].unsure);
    }

    #[test]
    fn the_core_is_found_in_a_reading_that_differs_at_its_edges() {
        // Tesseract: "为老旧小区，共有1224户，常住"; the core is "，共有1224户，常" (chars 5..15).
        let first: Vec<char> = "为老旧小区，共有1224户，常住".chars().collect();
        // PP-OCR read the crop with a cut glyph at each edge and one digit Tesseract got wrong.
        let read = chars("力老旧小区，共有1284户，常往人");
        let core = core_chars(&first, 5..15, &read);
        assert_eq!(text(&core), "，共有1284户，常");
        // The x-ranges come with the characters.
        assert_eq!(core[0].x0, 50);
        // A character Tesseract missed inside the core is kept, one PP-OCR missed is gone; an extra
        // character at the core's edge is not taken.
        let read = chars("老旧小区，共有12245户常住");
        assert_eq!(text(&core_chars(&first, 5..15, &read)), "，共有12245户常");
        // Spaces in the reading are kept between kept characters and do not count in the alignment.
        let read = chars("区，共有 1224 户，常");
        assert_eq!(
            text(&core_chars(&first, 5..15, &read)),
            "，共有 1224 户，常"
        );
        // Nothing aligned to the core: nothing.
        assert!(core_chars(&first, 5..15, &chars("")).is_empty());
    }
}
