//! The `hybrid` engine: Tesseract reads the page, and PP-OCR re-reads the lines that decide names and
//! facts — case titles and subtitles and lines with a figure — and reads the lines layout analysis
//! left out (captions, [`super::gaps`]). [`reread_reason`] is the rule that names the lines;
//! [`prefer_reread`] picks between the two readings of a line. Lines with a fact keyword but no figure
//! are not re-read: on the tuning pages that cost 14 % of the time and changed no character.

use image::GrayImage;

use super::ppocr::{LineRead, PpocrBackend, Recognizer, Rect, line_crop, line_words, recognized};
use super::tesseract::Tesseract;
use super::{Backend, Engine, LineBox, OcrError, Recognized, Word};

/// Reads one text line from a page: PP-OCR here, a fake in the tests.
pub trait LineReader: Send {
    fn read_line(&mut self, page: &GrayImage, rect: Rect) -> Result<LineRead, String>;
}

impl LineReader for Recognizer {
    fn read_line(&mut self, page: &GrayImage, rect: Rect) -> Result<LineRead, String> {
        self.read(page, rect)
    }
}

/// Why a line is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A case subtitle (——district, street or town, community).
    Subtitle,
    /// The line above a subtitle: the case title.
    Title,
    /// Digits or a Chinese numeral: a figure.
    Number,
}

fn is_subtitle(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with('—') || t.starts_with("一一") || t.starts_with("--") || t.starts_with('-'))
        && t.chars().count() < 40
        && t.contains('区')
}

/// The reason to re-read line `i` of a page's lines (texts in reading order), or None to keep
/// Tesseract's reading. Lines with a word Tesseract is unsure of are not re-read: on the tuning pages,
/// re-reading lines with a word under 60 (80) took the engine from 0.96× to 0.86× (0.78×) the CLI's
/// speed for CER 0.69 % (0.68 %) against 1.13 %, with names and numbers exact either way.
pub fn reread_reason(lines: &[String], i: usize) -> Option<Reason> {
    let text = &lines[i];
    if is_subtitle(text) {
        return Some(Reason::Subtitle);
    }
    if lines.get(i + 1).is_some_and(|next| is_subtitle(next)) {
        return Some(Reason::Title);
    }
    let chars: Vec<char> = text.chars().collect();
    let chinese_figure = chars.windows(2).any(|w| {
        "〇零一二两三四五六七八九十百千万".contains(w[0]) && "户人年万千百成".contains(w[1])
    });
    if chinese_figure
        || chars
            .iter()
            .any(|&c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '%' || c == '％')
    {
        return Some(Reason::Number);
    }
    None
}

/// Whether PP-OCR's reading replaces Tesseract's (`first`): when it read something, its mean character
/// confidence is at least `min_conf` (0–1), and the two readings are the same line (normalised edit
/// similarity at least [`SAME_LINE`]): a crop that caught parts of two lines reads as another text.
pub fn prefer_reread(first: &str, reread: &LineRead, min_conf: f32) -> bool {
    reread.mean_conf().is_some_and(|c| c >= min_conf) && same_line(first, &reread.text)
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
        let mut words = Vec::new();
        let mut kept_lines = Vec::new();
        let mut alternates = Vec::new();
        for (i, (line, ws)) in lines.into_iter().enumerate() {
            kept_lines.push(line);
            if reread_reason(&texts, i).is_some() {
                let read = self
                    .reader
                    .read_line(img, line_crop(&line, super::ppocr::LINE_MARGIN))?;
                if prefer_reread(&texts[i], &read, PREFER_CONF) {
                    alternates.push(texts[i].clone());
                    words.extend(line_words(&line, &read));
                    continue;
                }
                if same_line(&texts[i], &read.text) {
                    alternates.push(read.text.clone());
                }
            }
            words.extend(ws);
        }
        // Lines the layout left out (captions), read by PP-OCR alone, in their places.
        let reader = &mut self.reader;
        let missed = super::gaps::read_missed(img, &kept_lines, |r| reader.read_line(img, r))?;
        let (words, lines) = super::gaps::insert(words, kept_lines, missed);
        let r = Recognized {
            text_height,
            scale,
            alternates,
            ..recognized(words, lines)
        };
        Ok(super::ppocr::with_hocr(r, img, want_hocr))
    }
}

/// What builds `hybrid` engines: the same settings as `ppocr`.
#[derive(Debug, Clone)]
pub struct HybridBackend(pub PpocrBackend);

impl Backend for HybridBackend {
    type Engine = Hybrid<Tesseract, Recognizer>;
    type Detector = super::osd::Osd;

    fn engine(&self) -> Result<Self::Engine, OcrError> {
        let first = Tesseract::new(&self.0.tesseract)?;
        let gaps = super::gaps::KEEP_CONF;
        let id = format!(
            "hybrid [{}] reread=subtitle,title,number gaps>={gaps} prefer>={PREFER_CONF} same>={SAME_LINE} alternates [{}]",
            first.id(),
            self.0.id()
        );
        Ok(Hybrid {
            first,
            reader: Recognizer::new(&self.0.ppocr)?,
            id,
        })
    }

    fn detector(&self) -> Option<super::osd::Osd> {
        self.0.detector()
    }

    fn lang(&self) -> &str {
        self.0.lang()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("持续开展垃圾分类宣传活动", 92.0),
            ("统一一个标准，约两万人参与", 92.0),
            ("统一一个标准，形成合力", 92.0),
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
                Some(Reason::Number),
                None,
                None,
                None,
                Some(Reason::Number),
                None
            ]
        );
    }

    /// A first engine that reads fixed lines, one word per line, with the confidences given.
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
                    w: 800,
                    h: 40,
                    char_conf: Vec::new(),
                })
                .collect();
            Ok(recognized(words, Vec::new()))
        }
    }

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

    impl LineReader for Log {
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
                .map(|(i, c)| crate::ocr::ppocr::CharRead {
                    text: c.to_string(),
                    conf: self.conf,
                    x0: rect.x + 20 * i as u32,
                    x1: rect.x + 20 * (i as u32 + 1),
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
        // Lines 0 (title), 1 (subtitle), 3 (number), not 5 (unsure words are kept); each crop is its line's box plus the
        // margin (0.15 × 40 = 6 px).
        let ys: Vec<u32> = hybrid.reader.rects.iter().map(|r| r.y).collect();
        assert_eq!(ys, [94, 154, 274]);
        assert!(
            hybrid
                .reader
                .rects
                .iter()
                .all(|r| (r.x, r.w, r.h) == (94, 812, 52))
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
}
