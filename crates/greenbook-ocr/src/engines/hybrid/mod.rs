//! The `hybrid` engine: Tesseract reads the page, and PP-OCR re-reads what decides names and facts —
//! case titles, subtitles and the profile's first line whole, each figure with six characters
//! before it (its keyword) and two after (its unit) ([`crate::engines::hybrid::splice`]), and each word Tesseract read
//! unsure or garbled ([`unsure_words`]) with a character either side — and reads the lines layout
//! analysis left out (captions, [`crate::gaps`]). [`plan`] is the rule that names what is re-read;
//! [`prefer_reread`] picks between the two readings.
//!
//! Measured on the tuning pages (SYNTHETIC Ming s1, s9, Kai s1, s12; `greenbook ocr --jobs 2`):
//! figures re-read in stretches rather than in their whole lines took 34.8 / 34.5 / 36.1 / 35.1 s
//! against 42.0 / 47.5 / 41.3 / 38.7 s, for CER 1.22 / 1.48 / 1.46 / 1.26 % against 1.12 / 1.46 /
//! 1.31 / 1.21 %, with names, numbers and facts as exact or more. Three characters either side had
//! lost a keyword Tesseract misread (绿化黎盖率) and a name the profile's first line gave. Lines with
//! a fact keyword but no figure are not re-read: that cost 14 % of the time and changed no character.
//!
//! Unsure words, on the same pages: Tesseract garbles stretches without figures (whole lines read
//! as `AI`, `ER`, `RCR小区交0电分PE`, runs of words at confidence 0), and a rule that takes PP-OCR's
//! reading only when it is like Tesseract's throws PP-OCR's away exactly there. Re-reading the
//! unsure words and taking a confident reading (mean ≥ [`UNSURE_PREFER`]) however unlike took CER to
//! 0.71 / 1.13 / 0.82 / 0.78 % for 2–6 % more time, names and numbers unchanged. Looser rules read
//! more but cost more: every word under 30 in runs of two and boxes over 2.5 heights a character
//! gave 0.85 / 1.22 / 1.04 / 1.06 % for 4–20 % more time, mostly short crops Tesseract had right.

use image::GrayImage;

pub mod splice;

use std::sync::Arc;

use clap::{ArgMatches, Command};

use crate::engines::tesseract::TesseractConfig;
use crate::engines::{About, Configured, EngineSpec, Registered};

use crate::engines::ppocr::{PpocrBackend, Recognizer};
use crate::engines::tesseract::Tesseract;
use crate::lines::{LINE_MARGIN, LineRead, LineReader, line_crop, line_words, recognized, rects};
use crate::{Backend, Engine, LineBox, OcrError, Recognized, Word};
use splice::{AFTER, BEFORE, Context, Stretch, UNSURE_CONTEXT, WHOLE_LINE};

/// Why a line is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A case subtitle (——district, street or town, community).
    Subtitle,
    /// The line above a subtitle: the case title.
    Title,
    /// The first line of the profile (社区概况): it names the community, and its name's readings
    /// there vote with the subtitle's.
    Profile,
    /// Digits or a Chinese numeral: a figure.
    Number,
}

/// The profile's heading (社区概况), or a reading of it with one character wrong.
fn is_profile_heading(text: &str) -> bool {
    crate::edition::current().is_profile_heading(text)
}

/// A case's subtitle as OCR first reads it: the edition's dash (as printed: one 一 alone opens prose
/// too, so it takes two), then a district or a subtitle's shape ([`crate::edition::Edition`]).
fn is_subtitle(text: &str) -> bool {
    crate::edition::current().may_be_subtitle(text)
}

/// The reason to re-read line `i` of a page's lines (texts in reading order) whole or for its
/// figures, or None. Words Tesseract is unsure of are re-read on their own ([`plan`],
/// [`unsure_words`]): re-reading whole lines with a word under 60 (80) had taken the engine from
/// 0.96× to 0.86× (0.78×) the CLI's speed, for most such words are read right (焕 in 焕然一新 at 0).
pub fn reread_reason(lines: &[String], i: usize) -> Option<Reason> {
    let text = &lines[i];
    if is_subtitle(text) {
        return Some(Reason::Subtitle);
    }
    if lines.get(i + 1).is_some_and(|next| is_subtitle(next)) {
        return Some(Reason::Title);
    }
    if i > 0 && is_profile_heading(&lines[i - 1]) {
        return Some(Reason::Profile);
    }
    let chars: Vec<char> = text.chars().collect();
    if figure_chars(&chars).contains(&true) {
        return Some(Reason::Number);
    }
    None
}

/// What of a line to read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Keep,
    /// The whole line; `unsure` when Tesseract's reading of it is garbled (see [`unsure_words`]).
    Whole {
        unsure: bool,
    },
    Stretches(Vec<Stretch>),
}

/// The words of a line Tesseract read unsure or garbled: a word under [`UNSURE_ALONE`], a run of
/// [`UNSURE_RUN`] or more words under [`UNSURE_CONF`], a word with a Latin letter (the book has
/// none in its body: a stretch of Chinese read as `AI`, `ER`, `RCR`), or a word whose box is far wider
/// than its characters ([`STRETCHED`] times the line's median word height per character).
pub fn unsure_words(ws: &[Word]) -> Vec<bool> {
    let mut hs: Vec<u32> = ws.iter().map(|w| w.h).collect();
    hs.sort_unstable();
    let pitch = hs.get(hs.len() / 2).copied().unwrap_or(0) as f32;
    let mut out: Vec<bool> = ws
        .iter()
        .map(|w| {
            let n = w.text.chars().count().max(1) as f32;
            w.conf < UNSURE_ALONE
                || (pitch > 0.0 && w.w as f32 > STRETCHED * pitch * n)
                || w.text.chars().any(|c| c.is_ascii_alphabetic())
        })
        .collect();
    let mut i = 0;
    while i < ws.len() {
        let j = (i..ws.len())
            .find(|&j| ws[j].conf >= UNSURE_CONF)
            .unwrap_or(ws.len());
        if j - i >= UNSURE_RUN {
            out[i..j].iter_mut().for_each(|u| *u = true);
        }
        i = j + 1;
    }
    out
}

/// A word under this confidence (0–100) is unsure alone.
pub const UNSURE_ALONE: f32 = 5.0;
/// A run of [`UNSURE_RUN`] words under this confidence is unsure.
pub const UNSURE_CONF: f32 = 30.0;
pub const UNSURE_RUN: usize = 3;
/// A word whose box is wider than this many median word heights per character is unsure.
pub const STRETCHED: f32 = 4.0;
/// PP-OCR's mean character confidence (0–1) needed to replace a reading Tesseract was unsure of:
/// the two readings need not be alike, for Tesseract's may be garbage.
pub const UNSURE_PREFER: f32 = 0.8;

/// What of line `i` (texts in reading order; `ws` its words) to read again: titles, subtitles and
/// the profile's first line whole; else the words with a figure and the unsure words, with the
/// characters before and after that [`splice::stretches`] adds, or the whole line when those
/// would cover most of it.
pub fn plan(lines: &[String], i: usize, ws: &[Word]) -> Plan {
    if matches!(
        reread_reason(lines, i),
        Some(Reason::Subtitle | Reason::Title | Reason::Profile)
    ) {
        return Plan::Whole { unsure: false };
    }
    let chars: Vec<char> = ws.iter().flat_map(|w| w.text.chars()).collect();
    let marked = figure_chars(&chars);
    let unsure = unsure_words(ws);
    let (mut lens, mut hot, mut at) = (Vec::new(), Vec::new(), 0);
    for (w, &u) in ws.iter().zip(&unsure) {
        let n = w.text.chars().count();
        hot.push(if marked[at..at + n].iter().any(|&m| m) {
            Some(Context::Figure)
        } else if u {
            Some(Context::Unsure)
        } else {
            None
        });
        lens.push(n);
        at += n;
    }
    match splice::stretches(&lens, &hot) {
        None => Plan::Whole {
            unsure: unsure.contains(&true),
        },
        Some(s) if s.is_empty() => Plan::Keep,
        Some(s) => Plan::Stretches(s),
    }
}

/// The characters that belong to a figure: digits, per cent signs, a run of Chinese numerals with
/// a unit after it (三千人, 二〇一〇年, not 千家万户), and 百分之 with the numerals after it
/// (百分之二十五).
fn figure_chars(chars: &[char]) -> Vec<bool> {
    const NUMERALS: &str = "〇零一二两三四五六七八九十百千万";
    let mut out: Vec<bool> = chars
        .iter()
        .map(|&c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '%' || c == '％')
        .collect();
    let run_from = |k: usize| {
        (k..chars.len())
            .find(|&j| !NUMERALS.contains(chars[j]))
            .unwrap_or(chars.len())
    };
    let mut k = 0;
    while k < chars.len() {
        if chars[k..].starts_with(&['百', '分', '之']) {
            let end = run_from(k + 3);
            out[k..end].iter_mut().for_each(|m| *m = true);
            k = end;
        } else if NUMERALS.contains(chars[k]) {
            let end = run_from(k);
            // 千家万户 is no figure: a run of magnitudes alone is not.
            let digit = chars[k..end].iter().any(|&c| !"十百千万".contains(c));
            if digit && chars.get(end).is_some_and(|&u| "户人年成".contains(u)) {
                out[k..=end].iter_mut().for_each(|m| *m = true);
            }
            k = end;
        } else {
            k += 1;
        }
    }
    out
}

/// Whether PP-OCR's reading replaces Tesseract's (`first`): when it read something, its mean character
/// confidence is at least `min_conf` (0–1), and the two readings are the same line (normalised edit
/// similarity at least [`SAME_LINE`]): a crop that caught parts of two lines reads as another text.
/// Or, when Tesseract was `unsure` of what was re-read, its mean confidence is at least
/// [`UNSURE_PREFER`], alike or not.
pub fn prefer_reread(first: &str, reread: &LineRead, min_conf: f32, unsure: bool) -> bool {
    let conf = reread.mean_conf();
    conf.is_some_and(|c| c >= min_conf) && same_line(first, &reread.text)
        || unsure && conf.is_some_and(|c| c >= UNSURE_PREFER)
}

/// Whether PP-OCR's `reading` replaces Tesseract's `own` ([`prefer_reread`] at [`PREFER_CONF`]),
/// pushing the reading not taken to `others` for the name vote: Tesseract's when replaced, PP-OCR's
/// when kept only if it reads the same text.
fn settle(own: &str, reading: &LineRead, unsure: bool, others: &mut Vec<String>) -> bool {
    if prefer_reread(own, reading, PREFER_CONF, unsure) {
        others.push(own.to_string());
        true
    } else {
        if same_line(own, &reading.text) {
            others.push(reading.text.clone());
        }
        false
    }
}

/// Whether two readings, neither empty, are of the same line: normalised edit similarity, spaces
/// aside, at least [`SAME_LINE`].
fn same_line(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let (a, b) = (squeeze(a), squeeze(b));
    !a.is_empty() && !b.is_empty() && strsim::normalized_levenshtein(&a, &b) >= SAME_LINE
}

/// How alike two readings of one line must be for the second to replace the first.
pub const SAME_LINE: f64 = 0.6;

/// PP-OCR's mean character confidence needed to replace Tesseract's reading of a line.
pub const PREFER_CONF: f32 = 0.5;

/// Tesseract's words grouped into lines: (the line's box, its words).
fn lines_of(words: Vec<Word>) -> Vec<(LineBox, Vec<Word>)> {
    let mut out: Vec<(LineBox, Vec<Word>)> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some((l, ws)) if (l.block, l.par, l.line) == (w.block, w.par, w.line) => {
                let (x1, y1) = ((l.x + l.w).max(w.x + w.w), (l.y + l.h).max(w.y + w.h));
                (l.x, l.y) = (l.x.min(w.x), l.y.min(w.y));
                (l.w, l.h) = (x1 - l.x, y1 - l.y);
                ws.push(w);
            }
            _ => out.push((
                LineBox {
                    block: w.block,
                    par: w.par,
                    line: w.line,
                    x: w.x,
                    y: w.y,
                    w: w.w,
                    h: w.h,
                },
                vec![w],
            )),
        }
    }
    out
}

/// The box to crop a line by: the words' extent across (a line box can run past the words of a short
/// last line), and the line box's extent down where it lies within the words' (word boxes stretch to
/// punctuation marks, and a taller crop shrinks the glyphs PP-OCR sees).
fn tighten(words: &LineBox, line: &LineBox) -> LineBox {
    let (top, bottom) = (
        line.y.max(words.y),
        (line.y + line.h).min(words.y + words.h),
    );
    let (y, h) = if bottom > top && (bottom - top) * 2 > words.h {
        (top, bottom - top)
    } else {
        (words.y, words.h)
    };
    LineBox { y, h, ..*words }
}

/// Reads a page with `first`, then re-reads the lines [`reread_reason`] names with `reader`.
pub struct Hybrid<E, R> {
    pub first: E,
    pub reader: R,
    pub id: String,
}

impl<E, R: LineReader> Hybrid<E, R> {
    /// Settles `stretches` of a line's words `ws` with their readings `reads` (one per stretch, in
    /// order): the characters of each reading aligned to its core replace the core's words when
    /// [`prefer_reread`] says so. Returns the line's words and the other readings of the cores for
    /// the name vote: Tesseract's of a core replaced, PP-OCR's of one kept that reads the same text
    /// unsure (only the cores: the rest of the line is read once).
    fn settle_stretches(
        line: &LineBox,
        ws: Vec<Word>,
        stretches: &[Stretch],
        reads: impl Iterator<Item = LineRead>,
    ) -> (Vec<Word>, Vec<String>) {
        let mut out = Vec::new();
        let mut others = Vec::new();
        let mut next = 0;
        for (s, read) in stretches.iter().zip(reads) {
            out.extend_from_slice(&ws[next..s.core.start]);
            next = s.core.end;
            let chars = |r: std::ops::Range<usize>| -> usize {
                ws[r].iter().map(|w| w.text.chars().count()).sum()
            };
            let before = chars(s.crop.start..s.core.start);
            let core = before..before + chars(s.core.clone());
            let first: Vec<char> = ws[s.crop.clone()]
                .iter()
                .flat_map(|w| w.text.chars())
                .collect();
            let kept = splice::core_chars(&first, core, &read.chars);
            let reading = LineRead {
                text: kept.iter().map(|c| c.text.as_str()).collect(),
                chars: kept,
            };
            let own = crate::text::join_words(ws[s.core.clone()].iter().map(|w| w.text.as_str()));
            if settle(&own, &reading, s.unsure, &mut others) {
                out.extend(line_words(line, &reading));
            } else {
                out.extend_from_slice(&ws[s.core.clone()]);
            }
        }
        out.extend_from_slice(&ws[next..]);
        (out, others)
    }
}

impl<E: Engine, R: LineReader> Engine for Hybrid<E, R> {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String> {
        // Without hOCR: the page's hOCR is made from the final words below.
        let first = self.first.recognize(img, false)?;
        let (text_height, scale) = (first.text_height, first.scale);
        let boxes = first.lines;
        // The engine's own line boxes where it gives them (word boxes stretch to punctuation and
        // would shrink the glyphs PP-OCR sees), else the union of the line's word boxes.
        let lines: Vec<(LineBox, Vec<Word>)> = lines_of(first.words)
            .into_iter()
            .map(|(union, ws)| {
                let key = (union.block, union.par, union.line);
                let own = boxes.iter().find(|b| (b.block, b.par, b.line) == key);
                (own.map_or(union, |b| tighten(&union, b)), ws)
            })
            .collect();
        let texts: Vec<String> = lines
            .iter()
            .map(|(_, ws)| crate::text::join_words(ws.iter().map(|w| w.text.as_str())))
            .collect();
        // What is read again, and the lines the layout left out (captions, read by PP-OCR alone):
        // every crop of the page in one call to the reader.
        let plans: Vec<Plan> = (0..lines.len())
            .map(|i| plan(&texts, i, &lines[i].1))
            .collect();
        let mut crops = Vec::new();
        for ((line, ws), p) in lines.iter().zip(&plans) {
            match p {
                Plan::Keep => {}
                Plan::Whole { .. } => crops.push(line_crop(line, LINE_MARGIN)),
                Plan::Stretches(stretches) => crops.extend(stretches.iter().map(|s| {
                    line_crop(&splice::words_box(&ws[s.crop.clone()], line), LINE_MARGIN)
                })),
            }
        }
        let kept_lines: Vec<LineBox> = lines.iter().map(|(l, _)| *l).collect();
        let candidates = crate::gaps::missed_lines(img, &kept_lines);
        crops.extend(candidates.iter().map(|c| line_crop(c, LINE_MARGIN)));
        let mut reads = self.reader.read_lines(img, &rects(crops))?.into_iter();
        let mut words = Vec::new();
        let mut alternates = Vec::new();
        for (i, ((line, ws), p)) in lines.into_iter().zip(plans).enumerate() {
            match p {
                Plan::Keep => words.extend(ws),
                Plan::Whole { unsure } => {
                    let read = reads.next().unwrap_or_default();
                    if settle(&texts[i], &read, unsure, &mut alternates) {
                        words.extend(line_words(&line, &read));
                    } else {
                        words.extend(ws);
                    }
                }
                Plan::Stretches(stretches) => {
                    let mine = reads.by_ref().take(stretches.len());
                    let (line_out, others) = Self::settle_stretches(&line, ws, &stretches, mine);
                    alternates.extend(others);
                    words.extend(line_out);
                }
            }
        }
        let missed = crate::gaps::kept(candidates, reads.collect());
        let (words, lines) = crate::gaps::insert(words, kept_lines, missed);
        let r = Recognized {
            text_height,
            scale,
            alternates,
            ..recognized(words, lines)
        };
        Ok(crate::engines::ppocr::with_hocr(r, img, want_hocr))
    }
}

/// The `hybrid` engine, as the registry lists it.
pub struct Spec;

impl EngineSpec for Spec {
    fn about(&self) -> &'static About {
        &About {
            name: "hybrid",
            about: "Tesseract reads the page, PP-OCR re-reads the lines that decide names and figures",
            languages: "Tesseract's --lang, with PP-OCRv6's Chinese dictionary for the lines read again",
            orientation: true,
            deskew: false,
        }
    }
    fn add_options(&self, cmd: Command) -> Command {
        crate::engines::ppocr::model_options(cmd)
    }
    fn check_options(
        &self,
        flags: &ArgMatches,
        tesseract: &TesseractConfig,
    ) -> Result<Arc<dyn Configured>, OcrError> {
        Ok(Arc::new(HybridBackend(PpocrBackend {
            tesseract: tesseract.clone(),
            ppocr: crate::engines::ppocr::configured_models(flags)?,
        })))
    }
}

impl Registered for HybridBackend {
    fn spec(&self) -> &'static dyn EngineSpec {
        &Spec
    }
}

/// What builds `hybrid` engines: the same settings as `ppocr`.
#[derive(Debug, Clone)]
pub struct HybridBackend(pub PpocrBackend);

impl Backend for HybridBackend {
    type Engine = Hybrid<Tesseract, Recognizer>;
    type Detector = crate::engines::tesseract::osd::Osd;

    fn engine(&self) -> Result<Self::Engine, OcrError> {
        let first = Tesseract::new(&self.0.tesseract)?;
        let gaps = crate::gaps::KEEP_CONF;
        let id = format!(
            "hybrid [{}] reread=subtitle,title,profile1,number-{BEFORE}+{AFTER},unsure<{UNSURE_ALONE}|{UNSURE_RUN}x<{UNSURE_CONF}|latin|w>{STRETCHED}h-{UNSURE_CONTEXT}+{UNSURE_CONTEXT}>={UNSURE_PREFER},whole>={WHOLE_LINE} gaps>={gaps} prefer>={PREFER_CONF} same>={SAME_LINE} alternates [{}]",
            first.id(),
            self.0.id()
        );
        Ok(Hybrid {
            first,
            reader: Recognizer::new(&self.0.ppocr)?,
            id,
        })
    }

    fn detector(&self) -> Option<crate::engines::tesseract::osd::Osd> {
        self.0.detector()
    }

    fn lang(&self) -> &str {
        self.0.lang()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{LineImage, Rect};

    fn lines(texts: &[(&str, f32)]) -> Vec<String> {
        texts.iter().map(|(t, _)| t.to_string()).collect()
    }

    #[test]
    fn the_rule_names_titles_subtitles_and_figures() {
        let page = lines(&[
            ("新时代绿色社区创建上海案例精选", 95.0),
            ("向“绿”而行共建“和美”东力", 93.0),
            ("——浦东新区高行镇东力居民区", 91.0),
            ("社区概况", 96.0),
            ("东力新村为老旧小区，共有1224户", 94.0),
            ("常住居民较多，老年人口占比较高", 94.0),
            ("持续开展垃圾分类宣传活动", 62.0),
            ("绿色理念走进千家万户", 92.0),
            ("统一一个标准，约两万人参与", 92.0),
            ("外来人口占百分之十五", 92.0),
        ]);
        let reasons: Vec<Option<Reason>> =
            (0..page.len()).map(|i| reread_reason(&page, i)).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some(Reason::Title),
                Some(Reason::Subtitle),
                None,
                Some(Reason::Profile),
                None,
                None,
                None,
                Some(Reason::Number),
                Some(Reason::Number)
            ]
        );
    }

    /// A first engine that reads fixed lines, one word per line 40 px a character, with the
    /// confidences given.
    struct Lines(Vec<(&'static str, f32)>);

    impl Engine for Lines {
        fn id(&self) -> &str {
            "lines"
        }
        fn recognize(&mut self, _img: &GrayImage, _hocr: bool) -> Result<Recognized, String> {
            let words = self
                .0
                .iter()
                .enumerate()
                .map(|(i, (t, c))| Word {
                    text: t.to_string(),
                    conf: *c,
                    block: 1,
                    par: 1,
                    line: i as u32 + 1,
                    x: 100,
                    y: 100 + 60 * i as u32,
                    w: 40 * t.chars().count() as u32,
                    h: 40,
                    char_conf: Vec::new(),
                })
                .collect();
            Ok(recognized(words, Vec::new()))
        }
    }

    /// The fakes read one rectangle at a time.
    macro_rules! reads_rects {
        ($fake:ty) => {
            impl LineReader for $fake {
                fn read_lines(
                    &mut self,
                    page: &GrayImage,
                    lines: &[LineImage],
                ) -> Result<Vec<LineRead>, String> {
                    lines
                        .iter()
                        .map(|l| match l {
                            LineImage::Rect(r) => self.read_line(page, *r),
                            LineImage::Levelled { .. } => Err("a levelled crop".into()),
                        })
                        .collect()
                }
            }
        };
    }
    reads_rects!(Log);
    reads_rects!(Truth);

    /// A reader that logs the rectangles it is asked for and reads the line at that height (lines are
    /// 60 px apart from y = 100) with a mark "✓" after it, or `other` instead when given (a crop that
    /// caught another text), or nothing when `blank`.
    struct Log {
        rects: Vec<Rect>,
        texts: Vec<&'static str>,
        other: Option<&'static str>,
        blank: bool,
        conf: f32,
    }

    impl Log {
        fn read_line(&mut self, _page: &GrayImage, rect: Rect) -> Result<LineRead, String> {
            self.rects.push(rect);
            let line = self.texts[((rect.y + 6 - 100) / 60) as usize];
            let text = match self.other {
                _ if self.blank => String::new(),
                Some(o) => o.to_string(),
                None => format!("{line}✓"),
            };
            let chars = text
                .chars()
                .enumerate()
                .map(|(i, c)| crate::lines::CharRead {
                    text: c.to_string(),
                    conf: self.conf,
                    x0: rect.x + 20 * i as u32,
                    x1: rect.x + 20 * (i as u32 + 1),
                    peak: rect.x + 20 * i as u32 + 10,
                })
                .collect();
            Ok(LineRead { text, chars })
        }
    }

    #[test]
    fn hybrid_rereads_exactly_the_lines_the_rule_names() {
        let texts = vec![
            "向绿而行",
            "——浦东新区高行镇东力居民区",
            "社区概况",
            "共有1224户",
            "开展宣传活动",
            "开展宣传活功",
        ];
        let confs = [95.0, 91.0, 96.0, 94.0, 92.0, 40.0];
        let first = Lines(texts.iter().copied().zip(confs).collect());
        let mut hybrid = Hybrid {
            first,
            reader: Log {
                rects: Vec::new(),
                texts,
                other: None,
                blank: false,
                conf: 0.9,
            },
            id: "test".into(),
        };
        let page = GrayImage::new(1000, 600);
        let out = hybrid.recognize(&page, false).unwrap();
        // Lines 0 (title), 1 (subtitle), 3 (number), not 5 (a word at 40 is not unsure); each crop
        // is its line's box plus the margin (0.15 × 40 = 6 px).
        let ys: Vec<u32> = hybrid.reader.rects.iter().map(|r| r.y).collect();
        assert_eq!(ys, [94, 154, 274]);
        let boxes: Vec<(u32, u32, u32)> = hybrid
            .reader
            .rects
            .iter()
            .map(|r| (r.x, r.w, r.h))
            .collect();
        assert_eq!(
            boxes,
            [
                (94, 4 * 40 + 12, 52),
                (94, 14 * 40 + 12, 52),
                (94, 7 * 40 + 12, 52)
            ]
        );
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(
            lines,
            [
                "向绿而行✓",
                "——浦东新区高行镇东力居民区✓",
                "社区概况",
                "共有1224户✓",
                "开展宣传活动",
                "开展宣传活功"
            ]
        );
        // Tesseract's readings of the lines replaced are kept for the name vote.
        assert_eq!(
            out.alternates,
            ["向绿而行", "——浦东新区高行镇东力居民区", "共有1224户"]
        );
        // A reread that reads nothing, or another text, keeps Tesseract's line.
        hybrid.reader.blank = true;
        let kept = hybrid.recognize(&page, false).unwrap();
        assert_eq!(kept.text.lines().nth(1), Some("——浦东新区高行镇东力居民区"));
        hybrid.reader.blank = false;
        hybrid.reader.other = Some("力量开展生态科普和环保教育");
        let kept = hybrid.recognize(&page, false).unwrap();
        assert_eq!(kept.text.lines().nth(3), Some("共有1224户"));
        // Another text is no reading of the line: no alternate either.
        assert!(kept.alternates.is_empty(), "{:?}", kept.alternates);
        // An unsure reread keeps Tesseract's line and is the alternate.
        hybrid.reader.other = None;
        hybrid.reader.conf = 0.3;
        let kept = hybrid.recognize(&page, false).unwrap();
        assert_eq!(kept.text.lines().nth(3), Some("共有1224户"));
        assert_eq!(kept.alternates[2], "共有1224户✓");
    }

    /// A first engine that reads one line, one word per character but for the figure, each word
    /// 40 px on from the last.
    struct Chars(Vec<&'static str>);

    impl Engine for Chars {
        fn id(&self) -> &str {
            "chars"
        }
        fn recognize(&mut self, _img: &GrayImage, _hocr: bool) -> Result<Recognized, String> {
            let mut x = 100;
            let words = self
                .0
                .iter()
                .map(|t| {
                    let w = 40 * t.chars().count() as u32;
                    let word = Word {
                        text: t.to_string(),
                        conf: 90.0,
                        block: 1,
                        par: 1,
                        line: 1,
                        x,
                        y: 100,
                        w: w - 4,
                        h: 40,
                        char_conf: Vec::new(),
                    };
                    x += w;
                    word
                })
                .collect();
            Ok(recognized(words, Vec::new()))
        }
    }

    /// A reader of the true line laid out as [`Chars`] lays it out (40 px a character from x = 100):
    /// it reads the characters whose middle its crop holds.
    struct Truth {
        line: &'static str,
        rects: Vec<Rect>,
    }

    impl Truth {
        fn read_line(&mut self, _page: &GrayImage, rect: Rect) -> Result<LineRead, String> {
            self.rects.push(rect);
            let chars: Vec<crate::lines::CharRead> = self
                .line
                .chars()
                .enumerate()
                .map(|(i, c)| (100 + 40 * i as u32, c))
                .filter(|(x, _)| (rect.x..rect.x + rect.w).contains(&(x + 18)))
                .map(|(x, c)| crate::lines::CharRead {
                    text: c.to_string(),
                    conf: 0.95,
                    x0: x,
                    x1: x + 36,
                    peak: x + 18,
                })
                .collect();
            Ok(LineRead {
                text: chars.iter().map(|c| c.text.as_str()).collect(),
                chars,
            })
        }
    }

    /// A hybrid engine over one line Tesseract read as `first` (one word per character, but the
    /// part between the two `|`, one word) and PP-OCR reads as `truth`.
    fn on_one_line(first: &'static str, truth: &'static str) -> Hybrid<Chars, Truth> {
        let words = first
            .split('|')
            .enumerate()
            .flat_map(|(k, part)| {
                if k == 1 {
                    vec![part]
                } else {
                    part.char_indices()
                        .map(|(i, c)| &part[i..i + c.len_utf8()])
                        .collect()
                }
            })
            .collect();
        Hybrid {
            first: Chars(words),
            reader: Truth {
                line: truth,
                rects: Vec::new(),
            },
            id: "test".into(),
        }
    }

    /// Reads the page, checks that PP-OCR was asked for one crop, and gives its extent across.
    fn read_one_crop(hybrid: &mut Hybrid<Chars, Truth>) -> (Recognized, (u32, u32)) {
        let out = hybrid.recognize(&GrayImage::new(2000, 300), false).unwrap();
        let rects = &hybrid.reader.rects;
        assert_eq!(rects.len(), 1, "{rects:?}");
        (out, (rects[0].x, rects[0].x + rects[0].w))
    }

    #[test]
    fn hybrid_rereads_a_figure_with_its_context_not_its_whole_line() {
        let truth = "东力新村为老旧小区，共有1224户，常住人口较多，老年人口占比较高，活动丰富";
        // Tesseract misread the figure and a character far from it.
        let mut hybrid = on_one_line(
            "东力新村为老旧小区，共有|1284|户，常住人口较多，老年人口占北较高，活动丰富",
            truth,
        );
        let (out, span) = read_one_crop(&mut hybrid);
        // The crop: 老 (the buffer), "旧小区，共有", the figure, "户，", 常 (the buffer), with the margin.
        assert_eq!(span, (100 + 5 * 40 - 6, 100 + 19 * 40 - 4 + 6));
        // The figure is PP-OCR's; the misread far from it is Tesseract's still.
        assert_eq!(
            out.text.trim(),
            "东力新村为老旧小区，共有1224户，常住人口较多，老年人口占北较高，活动丰富"
        );
        // The words re-read carry PP-OCR's confidences and boxes; the rest are Tesseract's.
        let reread: Vec<&Word> = out.words.iter().filter(|w| w.conf > 94.0).collect();
        assert_eq!(reread.len(), 1);
        assert_eq!(reread[0].text, "旧小区，共有1224户，");
        assert_eq!(reread[0].x, 100 + 6 * 40);
        // Tesseract's reading of what was re-read is kept for the name vote, and only that.
        assert_eq!(out.alternates, ["旧小区，共有1284户，"]);
    }

    fn word(text: &str, conf: f32, x: u32, w: u32) -> Word {
        Word {
            text: text.into(),
            conf,
            block: 1,
            par: 1,
            line: 1,
            x,
            y: 100,
            w,
            h: 40,
            char_conf: Vec::new(),
        }
    }

    #[test]
    fn unsure_words_are_low_runs_very_low_words_latin_and_stretched_boxes() {
        let ws: Vec<Word> = [
            ("共", 90.0, 40),
            ("有", 20.0, 40), // a run of three under 30
            ("住", 10.0, 40),
            ("户", 25.0, 40),
            ("人", 90.0, 40),
            ("口", 20.0, 40), // two under 30: no run
            ("较", 20.0, 40),
            ("多", 90.0, 40),
            ("老", 4.0, 40), // under 5 alone
            ("年", 90.0, 40),
            ("AI", 90.0, 80), // Latin
            ("人", 90.0, 40),
            ("口", 90.0, 170), // wider than 4 heights for one character
            ("占", 90.0, 150),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(t, c, w))| word(t, c, 100 + 200 * i as u32, w))
        .collect();
        let unsure: Vec<usize> = unsure_words(&ws)
            .iter()
            .enumerate()
            .filter_map(|(i, &u)| u.then_some(i))
            .collect();
        assert_eq!(unsure, [1, 2, 3, 8, 10, 12]);
        assert!(unsure_words(&[]).is_empty());
    }

    #[test]
    fn a_garbled_reading_gives_way_to_a_confident_one_that_is_not_alike() {
        let unlike = LineRead {
            text: "绿色理念走进千家万户".into(),
            chars: "绿色理念走进千家万户"
                .chars()
                .map(|c| crate::lines::CharRead {
                    text: c.to_string(),
                    conf: 0.85,
                    x0: 0,
                    x1: 1,
                    peak: 0,
                })
                .collect(),
        };
        // Not alike: kept unless Tesseract was unsure; and then only for a confident reading.
        assert!(!prefer_reread(
            "RCR小区交0电分PE",
            &unlike,
            PREFER_CONF,
            false
        ));
        assert!(prefer_reread(
            "RCR小区交0电分PE",
            &unlike,
            PREFER_CONF,
            true
        ));
        let doubtful = LineRead {
            chars: unlike
                .chars
                .iter()
                .map(|c| crate::lines::CharRead {
                    conf: 0.6,
                    ..c.clone()
                })
                .collect(),
            ..unlike.clone()
        };
        assert!(!prefer_reread(
            "RCR小区交0电分PE",
            &doubtful,
            PREFER_CONF,
            true
        ));
    }

    #[test]
    fn hybrid_rereads_a_garbled_line_whole_and_takes_a_confident_reading() {
        let texts = vec!["ER", "开展宣传活动"];
        let mut hybrid = Hybrid {
            first: Lines(texts.iter().copied().zip([0.0, 92.0]).collect()),
            reader: Log {
                rects: Vec::new(),
                texts,
                other: Some("绿色理念走进千家万户"),
                blank: false,
                conf: 0.9,
            },
            id: "test".into(),
        };
        let page = GrayImage::new(1000, 600);
        let out = hybrid.recognize(&page, false).unwrap();
        assert_eq!(hybrid.reader.rects.len(), 1, "only the garbled line");
        assert_eq!(hybrid.reader.rects[0].y, 94);
        assert_eq!(out.text.lines().next(), Some("绿色理念走进千家万户"));
        assert_eq!(out.alternates, ["ER"]);
        // A doubtful reading keeps Tesseract's.
        hybrid.reader.conf = 0.5;
        let kept = hybrid.recognize(&page, false).unwrap();
        assert_eq!(kept.text.lines().next(), Some("ER"));
    }

    #[test]
    fn hybrid_rereads_an_unsure_word_with_a_character_either_side() {
        let truth = "东力新村为老旧小区环境整洁，常住人口较多，老年人口占比较高，活动丰富多彩";
        // Tesseract read 环境 as "AI" (one word, two characters wide), and misread 比 far from it.
        let mut hybrid = on_one_line(
            "东力新村为老旧小区|AI|整洁，常住人口较多，老年人口占北较高，活动丰富多彩",
            truth,
        );
        let (out, span) = read_one_crop(&mut hybrid);
        // The crop: 小 (the buffer), 区, the word, 整, 洁 (the buffer), with the margin.
        assert_eq!(span, (100 + 7 * 40 - 6, 100 + 13 * 40 - 4 + 6));
        // PP-OCR's reading replaces the garbled word though the two are not alike; the misread
        // far from it is Tesseract's still.
        assert_eq!(
            out.text.trim(),
            "东力新村为老旧小区环境整洁，常住人口较多，老年人口占北较高，活动丰富多彩"
        );
        assert_eq!(out.alternates, ["区AI整"]);
    }
}
