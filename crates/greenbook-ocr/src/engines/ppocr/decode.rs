//! The recognizer's output decoded: greedy CTC with the dictionary's Simplified forms, the zeros and
//! marks a blank frame may hide, and specks dropped.

use super::*;

/// What decoding knows of the dictionary beyond each class's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// Class of a Traditional character → class of its Simplified form, where both are in the
    /// dictionary (PP-OCR's holds both, and reads some Kai glyphs as Traditional).
    pub simplified: Vec<Option<usize>>,
    /// The numeral zero 〇 first, then the look-alike classes the model splits its probability with
    /// (○ U+25CB, ◯ U+25EF); empty when the dictionary lacks 〇.
    pub zero: Vec<usize>,
    /// The small marks 、，。 a blank frame may hide (see [`MARK_MIN`]).
    pub marks: Vec<usize>,
    /// The Chinese numerals 〇一二三四五六七八九, after which a fainter 〇 is read (see
    /// [`ZERO_AFTER_NUMERAL`]).
    pub numerals: Vec<usize>,
}

impl Classes {
    pub fn of(dict: &[String]) -> Classes {
        let find = |t: &str| dict.iter().position(|d| d == t);
        let zero = match find("〇") {
            Some(z) => std::iter::once(z)
                .chain(["○", "◯"].iter().filter_map(|t| find(t)))
                .collect(),
            None => Vec::new(),
        };
        Classes {
            simplified: simplified_classes(dict),
            zero,
            marks: ["、", "，", "。"].iter().filter_map(|t| find(t)).collect(),
            numerals: ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
                .iter()
                .filter_map(|t| find(t))
                .collect(),
        }
    }
}

/// A frame the model leaves blank is read as 〇 when 〇 and its look-alikes together have at least this
/// probability there and more than in the frames either side. In Chinese years (二〇〇五) the model
/// splits 〇 between 〇 and ○, so the blank wins a frame where 〇 stands, and 二〇〇五 read as 二〇五: a
/// split 〇 was seen at 0.46 (Ming) and 0.19–0.34 (Kai) against the blank's 0.53–0.81, while frames of
/// other characters hold ~0.001. On the tuning pages 0.15 restored 二〇一三 and inserted nothing else.
pub const ZERO_MIN: f32 = 0.15;

/// The same, right after a Chinese numeral (the 〇 of a year or a count written in Chinese numerals):
/// there a blank frame is read as 〇 from this probability. On every tuning, fresh and committed page
/// read (Ming seeds 1, 9, 13; Kai seeds 1, 5, 7, 12; the committed scans) no blank frame peaked for 〇
/// between 0.02 and 0.15, and every real split 〇 peaked at 0.23 or more; the one real 〇 seen below
/// 0.15 (0.12, the last of 二〇一〇 on held-out Kai seed 3, where it left the founding year 二〇一) came
/// after a numeral. 0.05 lies between that noise floor and the real 〇, and only where a 〇 can stand.
pub const ZERO_AFTER_NUMERAL: f32 = 0.05;

/// A frame the model leaves blank is read as the likeliest of the small marks 、，。 when that mark has at
/// least this probability there and more than in the frames either side. The enumeration comma 、 is
/// one narrow glyph, and the blank often outweighs it: on the tuning pages (Ming seed 1, 33 pages; Kai
/// seed 1, 13 pages) PP-OCR left out 30 and 9 of them. A threshold of 0.1 took the CER from 0.31 % to
/// 0.25 % (Ming) and 0.44 % to 0.40 % (Kai), with names and numbers as exact as before; 0.05 and 0.03
/// restored more 、 but doubled line-final 。 (0.28 % and 0.30 % on Ming).
pub const MARK_MIN: f32 = 0.1;

/// A Simplified form replaces the Traditional one the model preferred when its probability is at least
/// this share of the Traditional's (greenbook reads Simplified Chinese books). Measured with PP-OCRv6
/// small: on Kai pages (tune set, seed 1) the Simplified form of a Traditional reading had 0.2–99 % of
/// its probability (tenth percentile 2.3 %); for the real Traditional 崑 of 绿地崑廉 on the committed
/// scans, 0.03–0.49 %. 1 % keeps 崑 and takes nearly all the Kai misreadings.
pub const SIMPLIFIED_SHARE: f32 = 0.01;

/// A `.` between the digits of a count of people or households is a speck when the digits either side
/// stand less than this many frames further apart than the number's other digits (frames are 8 px of
/// the 48 px line). Measured on the tuning pages (Ming seed 101) and the committed scans: a printed
/// decimal point widened its digits' gap by 1–4 frames (48.5%, 30.6%, 85.98%, 21.25, 150.00, 2023.4,
/// D669.3); a speck read as a point inside 6000人 by 0. Gaps are whole or half frames.
pub const SPECK_GAP: f32 = 0.75;

/// A character the fast model reads with less than this probability is read again by the full model
/// (with its neighbours, see [`Recognizer::read_crop`]). Chosen on the tuning pages (SYNTHETIC Ming
/// seed 101 flat and worn, Kai seed 1, a dense Ming set, the committed scans) among 0.7, 0.8 and 0.9:
/// 0.8 reads them as 0.9 does (tiny alone misread 崑 of 绿地崑廉, which its dictionary lacks, at
/// 0.34–0.73, and was 0.1–0.2 points worse on worn pages) in 7 % less time; 0.7 let two more errors
/// through on the committed scans.
pub const CASCADE_BAR: f32 = 0.8;

/// The margin (px of the 48-px line) a re-read window takes on each side of its cuts. Chosen on the
/// tuning pages among 0, 16, 24 and 32: 16 read the committed scans' 住 (0 read 主) and took the
/// Kai tuning set from 0.06 to 0.03 % CER, for about 3 % more time.
pub(crate) const WINDOW_PAD: u32 = HEIGHT / 3;

/// The units of a count that is always whole: a figure before one of them has no decimal point.
pub(crate) const COUNT_UNITS: &[char] = &['人', '户', '名', '位', '个'];

/// For each class, the class of its Simplified form when it is a Traditional character whose
/// Simplified form is also a class.
pub(crate) fn simplified_classes(dict: &[String]) -> Vec<Option<usize>> {
    let index: std::collections::HashMap<&str, usize> = dict
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    dict.iter()
        .map(|t| {
            if t.chars().count() != 1 {
                return None;
            }
            let s = fast2s::convert(t);
            (s != *t).then(|| index.get(s.as_str()).copied()).flatten()
        })
        .collect()
}

/// Greedy CTC decoding: the best class per frame (its Simplified form instead when that is at least
/// [`SIMPLIFIED_SHARE`] as likely), repeats merged, blanks dropped. A character's confidence is its
/// first frame's probability (as PaddleOCR and RapidOCR report it); its x-range runs from halfway after
/// the previous character's frames to halfway before the next one's.
pub fn decode(
    probs: &[f32],
    frames: usize,
    classes: usize,
    dict: &[String],
    known: &Classes,
    to_page: impl Fn(f32) -> u32,
) -> LineRead {
    let runs = frame_runs(probs, frames, classes, known);
    let runs = without_specks(runs, dict);
    placed(&runs, frames, dict, to_page)
}

/// A run of frames read as one class: (class, first frame, last frame, probability of the first).
type Run = (usize, usize, usize, f32);

/// The best class of each frame (a Simplified form, a faint zero or a mark where one is likely
/// enough), repeats of one class in a row merged into a run, blanks dropped.
fn frame_runs(probs: &[f32], frames: usize, classes: usize, known: &Classes) -> Vec<Run> {
    let zero_p = |t: usize| -> f32 {
        if t >= frames {
            return 0.0;
        }
        known.zero.iter().map(|&k| probs[t * classes + k]).sum()
    };
    let mut runs: Vec<Run> = Vec::new();
    let mut prev = 0usize;
    for t in 0..frames {
        let row = &probs[t * classes..(t + 1) * classes];
        let (mut best, mut p) = row
            .iter()
            .enumerate()
            .fold((0, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        if let Some(&Some(s)) = known.simplified.get(best)
            && row[s] >= p * SIMPLIFIED_SHARE
        {
            (best, p) = (s, row[s]);
        }
        if let Some(&zero) = known.zero.first() {
            let z = zero_p(t);
            let after_numeral = runs.last().is_some_and(|r| known.numerals.contains(&r.0));
            let min = if after_numeral {
                ZERO_AFTER_NUMERAL
            } else {
                ZERO_MIN
            };
            let peak = z >= min && z > zero_p(t.wrapping_sub(1)) && z >= zero_p(t + 1);
            if known.zero.contains(&best) || (best == 0 && peak) {
                (best, p) = (zero, z);
            }
        }
        if best == 0 {
            let pm = |t: usize, m: usize| {
                if t < frames {
                    probs[t * classes + m]
                } else {
                    0.0
                }
            };
            if let Some(&m) = known
                .marks
                .iter()
                .max_by(|&&a, &&b| pm(t, a).total_cmp(&pm(t, b)))
            {
                let v = pm(t, m);
                if v >= MARK_MIN && v > pm(t.wrapping_sub(1), m) && v >= pm(t + 1, m) {
                    (best, p) = (m, v);
                }
            }
        }
        if best != 0 {
            if best == prev
                && let Some(last) = runs.last_mut()
                && last.2 + 1 == t
            {
                last.2 = t;
            } else {
                runs.push((best, t, t, p));
            }
        }
        prev = best;
    }
    runs
}

/// `runs` without the specks the model took for a dot.
fn without_specks(runs: Vec<Run>, dict: &[String]) -> Vec<Run> {
    // Specks: in Chinese text a . or · never stands between two Chinese characters or marks (or a
    // line's edge), nor between a digit and a Chinese character or the line's edge; it does stand in 1.5, 85.98%,
    // www.sstp.cn, TU·327, I.① and after the number that opens a line (1.). Read there, it is a speck
    // the model took for a dot: 5546·户 lost its unit, 共有住户三. split 三千四百三十六户, a folio came
    // out as 062., and specks between tilted lines came out as 家园”·改造 and 设施，.居民.
    let is = |c: usize, set: &[&str]| dict.get(c).is_some_and(|t| set.contains(&t.as_str()));
    let first = |i: usize| {
        runs.get(i)
            .and_then(|r| dict.get(r.0))
            .and_then(|t| t.chars().next())
    };
    let cjk = |i: usize| {
        first(i).is_some_and(|c| {
            matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}' | '\u{2018}'..='\u{201d}')
        })
    };
    let edge = |i: usize| i >= runs.len();
    let digit = |i: usize| first(i).is_some_and(|c| c.is_ascii_digit());
    let opens_with_number = |i: usize| i > 0 && i + 1 < runs.len() && (0..i).all(digit);
    // A dot inside a count of people or households (102.73人, 600.0户), or a number that ends its
    // line, that takes no room of its own: a printed decimal point widens the gap between its
    // digits by a frame or more; a speck between digits leaves their pitch as it was. 48.5%, 1.2万
    // and 150.00元 keep their points whatever the gap.
    let centre = |j: usize| (runs[j].1 + runs[j].2) as f32 / 2.0;
    let counted_speck = |i: usize| {
        if !(is(runs[i].0, &["."]) && i > 0 && digit(i - 1) && digit(i + 1)) {
            return false;
        }
        let (mut lo, mut hi) = (i - 1, i + 1);
        while lo > 0 && digit(lo - 1) {
            lo -= 1;
        }
        while hi + 1 < runs.len() && digit(hi + 1) {
            hi += 1;
        }
        // The unit may be on the next line: a number that ends its line is judged by its gap alone.
        let counted = edge(hi + 1) || first(hi + 1).is_some_and(|c| COUNT_UNITS.contains(&c));
        let mut pitches: Vec<f32> = (lo..hi)
            .filter(|&j| j + 1 != i && j != i)
            .map(|j| centre(j + 1) - centre(j))
            .collect();
        if !counted || pitches.is_empty() {
            return false;
        }
        pitches.sort_by(f32::total_cmp);
        let pitch = pitches[pitches.len() / 2];
        centre(i + 1) - centre(i - 1) - pitch < SPECK_GAP
    };
    let speck = |i: usize| {
        let (b, a) = (i.wrapping_sub(1), i + 1);
        (is(runs[i].0, &[".", "·"])
            && !(is(runs[i].0, &["."]) && opens_with_number(i))
            && (((cjk(b) || edge(b)) && (cjk(a) || edge(a)))
                || (digit(b) && (cjk(a) || edge(a)))
                || ((cjk(b) || edge(b)) && digit(a))
                // A middle dot is no decimal point: 1·0273 is 10273 with a speck in it.
                || (is(runs[i].0, &["·"]) && digit(b) && digit(a))))
            || counted_speck(i)
    };
    (0..runs.len())
        .filter(|&i| !speck(i))
        .map(|i| runs[i])
        .collect()
}

/// The runs as characters on the page: each from halfway after the previous run's frames to halfway
/// before the next one's.
fn placed(runs: &[Run], frames: usize, dict: &[String], to_page: impl Fn(f32) -> u32) -> LineRead {
    let mut out = LineRead::default();
    for (i, &(class, first, last, p)) in runs.iter().enumerate() {
        let start = if i == 0 {
            first.saturating_sub(1) as f32
        } else {
            (runs[i - 1].2 + 1 + first) as f32 / 2.0
        };
        let end = match runs.get(i + 1) {
            Some(next) => (last + 1 + next.1) as f32 / 2.0,
            None => (last + 2).min(frames) as f32,
        };
        let text = dict.get(class).cloned().unwrap_or_default();
        out.text.push_str(&text);
        out.chars.push(CharRead {
            text,
            conf: p,
            x0: to_page(start),
            x1: to_page(end),
            peak: to_page((first + last + 1) as f32 / 2.0),
        });
    }
    out
}
