//! PP-OCR text-line recognition (PP-OCRv6 small, ONNX) through ONNX Runtime, loaded at run time from
//! the files `scripts/setup.sh` unpacks into `models/` from PyPI wheels: nothing is downloaded here.
//!
//! A line is cropped from the full-resolution grey page, resized to height 48 (as RapidOCR does: width
//! padded to at least 320), normalised to (v/255 − 0.5)/0.5, and the CTC output is decoded greedily.
//! Every character keeps its confidence and its x-range from the CTC frames, so words and characters
//! get boxes on the page.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use image::GrayImage;
use ort::session::Session;
use ort::value::TensorRef;

use crate::profile::{self, Step};
mod config;
mod decode;
pub mod detect;
mod recognizer;

pub use config::*;
pub use decode::*;
pub use recognizer::*;

use std::sync::Arc;

use clap::{Arg, ArgMatches, Command};

use crate::engines::{About, Configured, EngineSpec, Registered, add_once};

use crate::engines::tesseract::{Tesseract, TesseractConfig};
use crate::lines::{
    CharRead, LINE_MARGIN, LineImage, LineRead, LineReader, Rect, clamp, line_crop, line_words,
    recognized, rects,
};
use crate::{Backend, Engine, LineBox, OcrError, Recognized};

/// The `ppocr` engine: Tesseract's layout analysis finds the lines (its recognizer does not run), PP-OCR
/// reads every line from the full-resolution page.
pub struct Ppocr {
    finder: LineFinder,
    rec: Recognizer,
    id: String,
}

/// What finds the lines of a page.
enum LineFinder {
    Detector(detect::TextDetector),
    Tesseract(Tesseract),
}

/// A line the detector found is kept when PP-OCR reads it with at least this mean confidence
/// (RapidOCR's `text_score`): a region of a photo or of show-through read as text scores lower.
pub const TEXT_SCORE: f32 = 0.5;

/// The same for a box read without a single Chinese character: the windows of a photographed building
/// read as `III` at 0.6–0.7, where a folio, a Roman page number or a Latin heading reads at 0.9 and
/// more (the bar of the finder of missed lines, [`crate::gaps::KEEP_CONF`]).
pub const LATIN_SCORE: f32 = 0.8;

/// The `ppocr` engine, as the registry lists it.
pub struct Spec;

/// The flags `ppocr` and `hybrid` share: which models read the lines, and where they are.
pub fn model_options(cmd: Command) -> Command {
    let cmd = add_once(
        cmd,
        Arg::new("recognition")
            .long("recognition")
            .value_name("RECOGNITION")
            .value_parser(clap::builder::EnumValueParser::<Recognition>::new())
            .default_value("cascade")
            .help(
                "Which models read the lines ppocr and hybrid find: cascade (PP-OCRv6 tiny reads \
                 every line, PP-OCRv6 small reads again where tiny is unsure; about three times \
                 faster), small (PP-OCRv6 small reads every line) or tiny (PP-OCRv6 tiny alone)",
            ),
    );
    let cmd = add_once(
        cmd,
        Arg::new("models")
            .long("models")
            .value_name("DIR")
            .value_parser(clap::value_parser!(PathBuf))
            .help("Folder with the PP-OCR models (default: $GREENBOOK_MODELS, then models/)"),
    );
    add_once(
        cmd,
        Arg::new("onnxruntime")
            .long("onnxruntime")
            .value_name("PATH")
            .value_parser(clap::value_parser!(PathBuf))
            .help("ONNX Runtime's shared library (default: $GREENBOOK_ONNXRUNTIME, then models/)"),
    )
}

/// The models and runtime `model_options` name, found.
pub fn configured_models(flags: &ArgMatches) -> Result<PpocrConfig, OcrError> {
    let path = |id: &str| flags.get_one::<PathBuf>(id).map(PathBuf::as_path);
    let mut cfg = PpocrConfig::find(path("models"), path("onnxruntime"))?;
    if let Some(r) = flags.get_one::<Recognition>("recognition") {
        cfg.recognition = *r;
    }
    Ok(cfg)
}

impl EngineSpec for Spec {
    fn about(&self) -> &'static About {
        &About {
            name: "ppocr",
            about: "PP-OCR reads every line its text detector, or Tesseract's layout analysis, finds; the most accurate",
            languages: "Chinese (Simplified and Traditional), Latin letters and digits: PP-OCRv6's dictionary",
            orientation: true,
            deskew: true,
        }
    }
    fn add_options(&self, cmd: Command) -> Command {
        let cmd = add_once(
            cmd,
            Arg::new("layout")
                .long("layout")
                .value_name("LAYOUT")
                .value_parser(clap::builder::EnumValueParser::<Layout>::new())
                .default_value("detector")
                .help(
                    "What finds the lines ppocr reads: PP-OCR's own text detector, or Tesseract's \
                     layout analysis",
                ),
        );
        model_options(cmd)
    }
    fn check_options(
        &self,
        flags: &ArgMatches,
        tesseract: &TesseractConfig,
    ) -> Result<Arc<dyn Configured>, OcrError> {
        let mut ppocr = configured_models(flags)?;
        if let Some(l) = flags.get_one::<Layout>("layout") {
            ppocr.layout = *l;
        }
        Ok(Arc::new(PpocrBackend {
            tesseract: tesseract.clone(),
            ppocr,
        }))
    }
}

impl Registered for PpocrBackend {
    fn spec(&self) -> &'static dyn EngineSpec {
        &Spec
    }
}

/// What builds `ppocr` engines: Tesseract's settings (for layout and OSD) and the PP-OCR model.
#[derive(Debug, Clone)]
pub struct PpocrBackend {
    pub tesseract: TesseractConfig,
    pub ppocr: PpocrConfig,
}

impl PpocrBackend {
    /// Model, runtime and settings that change the output: part of the cache key.
    pub fn id(&self) -> String {
        let rec = self.rec_id();
        if self.ppocr.layout == Layout::Detector {
            return format!(
                "ppocr {rec} runtime={RUNTIME} minw={MIN_WIDTH} simplified>={SIMPLIFIED_SHARE} zero>={ZERO_MIN}/{ZERO_AFTER_NUMERAL} marks>={MARK_MIN} specks=4/{SPECK_GAP} resize=fir crop=2 layout=[det {} sha256={} side={} thresh={}/{} unclip={} blockgap={} rows+{} text>={TEXT_SCORE}/{LATIN_SCORE}]",
                detect::DET_MODEL,
                &self.ppocr.det_sha256[..16],
                detect::MAX_SIDE,
                detect::THRESH,
                detect::BOX_THRESH,
                detect::UNCLIP,
                detect::BLOCK_GAP,
                detect::ROW_MARGIN,
            );
        }
        format!(
            "ppocr {rec} runtime={RUNTIME} margin={LINE_MARGIN} minw={MIN_WIDTH} simplified>={SIMPLIFIED_SHARE} zero>={ZERO_MIN}/{ZERO_AFTER_NUMERAL} marks>={MARK_MIN} specks=4/{SPECK_GAP} resize=fir gaps>={} post=3 cc=1 layout=[tesseract {} lang={} psm={} scale={}]",
            crate::gaps::KEEP_CONF,
            crate::engines::tesseract::version(),
            self.tesseract.lang,
            self.tesseract.psm,
            self.tesseract.scale
        )
    }
}

impl PpocrBackend {
    /// The recognizer's part of the engine id: the full model, and the fast one with its bar.
    fn rec_id(&self) -> String {
        let full = format!(
            "rec={REC_MODEL} rec_sha256={}",
            &self.ppocr.model_sha256[..16]
        );
        match (self.ppocr.recognition, &self.ppocr.fast) {
            (Recognition::Cascade, Some(f)) => format!(
                "{full} fast={FAST_MODEL} fast_sha256={} bar={CASCADE_BAR} windows=2",
                &f.sha256[..16]
            ),
            (Recognition::Tiny, Some(f)) => {
                format!("rec={FAST_MODEL} rec_sha256={}", &f.sha256[..16])
            }
            _ => full,
        }
    }
}

impl Backend for PpocrBackend {
    type Engine = Ppocr;
    type Detector = crate::engines::tesseract::osd::Osd;

    fn engine(&self) -> Result<Ppocr, OcrError> {
        let rec = Recognizer::new(&self.ppocr)?;
        Ok(Ppocr {
            // Tesseract's model is loaded only when its layout analysis finds the lines.
            finder: match self.ppocr.layout {
                Layout::Detector => LineFinder::Detector(detect::TextDetector::new(&self.ppocr)?),
                Layout::Tesseract => LineFinder::Tesseract(Tesseract::new(&self.tesseract)?),
            },
            rec,
            id: self.id(),
        })
    }

    fn detector(&self) -> Option<crate::engines::tesseract::osd::Osd> {
        self.tesseract.detector()
    }

    fn lang(&self) -> &str {
        &self.tesseract.lang
    }
}

impl Engine for Ppocr {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String> {
        let layout = match &mut self.finder {
            LineFinder::Detector(det) => {
                let r = read_detected(det, &mut self.rec, img)?;
                return Ok(with_hocr(r, img, want_hocr));
            }
            LineFinder::Tesseract(layout) => layout,
        };
        let lines = profile::time(Step::Layout, || {
            crate::gaps::without_slivers(layout.lines(img))
        });
        // The layout's lines and those it left out (captions), read in one call.
        let candidates = crate::gaps::missed_lines(img, &lines);
        let crops = lines
            .iter()
            .chain(&candidates)
            .map(|l| line_crop(l, LINE_MARGIN));
        let mut reads = self.rec.read_lines(img, &rects(crops))?;
        let missed = crate::gaps::kept(candidates, reads.split_off(lines.len().min(reads.len())));
        let mut words = Vec::new();
        for (line, read) in lines.iter().zip(&reads) {
            words.extend(line_words(line, read));
        }
        let (words, lines) = crate::gaps::insert(words, lines, missed);
        let (scale, text_height) = layout.measured();
        let r = Recognized {
            scale: Some(scale),
            text_height,
            ..recognized(words, lines)
        };
        Ok(with_hocr(r, img, want_hocr))
    }
}

/// The line in box `r` of the page, cut level and to its ink's rows.
fn levelled_line(img: &GrayImage, r: &detect::RotRect) -> LineImage {
    let crop = profile::time(Step::Crop, || {
        let crop = detect::level_crop(img, r);
        let (y0, y1) = detect::line_rows(&crop);
        image::imageops::crop_imm(&crop, 0, y0, crop.width(), y1 - y0).to_image()
    });
    // Column u of the crop lies where the box's middle line reaches u along it.
    LineImage::Levelled {
        crop,
        centre: r.cx,
        half: r.w / 2.0,
        cos: r.angle.cos(),
    }
}

/// Reads a page with the detector's lines: each box cropped level along its own tilt and read, the
/// boxes joined into lines and blocks in reading order ([`detect::reading_order`]). A box read
/// with a mean confidence under [`TEXT_SCORE`] is dropped.
pub fn read_detected(
    det: &mut detect::TextDetector,
    rec: &mut Recognizer,
    img: &GrayImage,
) -> Result<Recognized, String> {
    let found = det.detect(img)?;
    let boxes: Vec<detect::RotRect> = found.iter().map(|f| f.0).collect();
    let (pw, ph) = img.dimensions();
    let mut words = Vec::new();
    let mut lines = Vec::new();
    let (mut block_no, mut line_no) = (0u32, 0u32);
    let order = detect::reading_order(&boxes, pw);
    // Every box of the page cut level and read in one call.
    let crops: Vec<LineImage> = order
        .iter()
        .flatten()
        .flatten()
        .map(|&i| levelled_line(img, &boxes[i]))
        .collect();
    let mut all = rec.read_lines(img, &crops)?.into_iter();
    for block in order {
        block_no += 1;
        let mut any = false;
        for line in block {
            let mut reads = Vec::new();
            for &i in &line {
                let read = all.next().unwrap_or_default();
                let han = read.text.chars().any(crate::text::is_han);
                let bar = if han { TEXT_SCORE } else { LATIN_SCORE };
                if read.mean_conf().is_some_and(|c| c >= bar) {
                    reads.push((i, read));
                }
            }
            if reads.is_empty() {
                continue;
            }
            line_no += 1;
            let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
            for (i, _) in &reads {
                let (x, y, w, h) = boxes[*i].bounds(pw, ph);
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + w), y1.max(y + h));
            }
            let lb = LineBox {
                block: block_no,
                par: 1,
                line: line_no,
                x: x0,
                y: y0,
                w: x1.saturating_sub(x0).max(1),
                h: y1.saturating_sub(y0).max(1),
            };
            for (_, read) in &reads {
                words.extend(line_words(&lb, read));
            }
            lines.push(lb);
            any = true;
        }
        if !any {
            block_no -= 1;
        }
    }
    // A page on its side: most boxes are tall and narrow (a line of text stands up).
    let tall = boxes.iter().filter(|b| b.h > 1.5 * b.w).count();
    Ok(Recognized {
        text_height: crate::preprocess::text_height(img),
        // Every line is read at height 48 whatever the scan: no reading scale.
        scale: None,
        sideways: boxes.len() >= 4 && tall * 2 > boxes.len(),
        ..recognized(words, lines)
    })
}

/// Adds hOCR made from the words when asked for.
pub fn with_hocr(mut r: Recognized, img: &GrayImage, want_hocr: bool) -> Recognized {
    if want_hocr {
        r.hocr = Some(crate::hocr_from_words(
            &r.words,
            &r.lines,
            img.width(),
            img.height(),
        ));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore = "experiment: cargo test --lib subtitle_margins -- --ignored --nocapture"]
    fn subtitle_margins() {
        let cfg = PpocrConfig::find(None, None).unwrap();
        let mut rec = Recognizer::new(&cfg).unwrap();
        let tess = crate::OcrOptions::with_args(None, "chi_sim", &["--engine", "tesseract"])
            .unwrap()
            .tesseract;
        let mut layout = Tesseract::new(&tess).unwrap();
        for label in ["p002", "p005", "p008"] {
            let page = format!("{}/../../scans/{label}.png", env!("CARGO_MANIFEST_DIR"));
            let img = image::open(page).unwrap().into_luma8();
            let lines = layout.lines(&img);
            for m in [0.0, 0.1, 0.15, 0.25, 0.4] {
                let t = std::time::Instant::now();
                let texts: Vec<String> = lines
                    .iter()
                    .take(6)
                    .map(|l| rec.read(&img, line_crop(l, m)).unwrap().text)
                    .collect();
                println!("{label} margin {m}: {:?} {:?}", texts, t.elapsed());
            }
        }
    }

    #[test]
    fn ctc_decoding_merges_repeats_drops_blanks_and_places_characters() {
        let dict: Vec<String> = ["", "东", "力", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Frames: 东 东 blank 东 力 力 blank blank
        let best = [1, 1, 0, 1, 2, 2, 0, 0];
        let mut probs = vec![0.0f32; best.len() * 4];
        for (t, &c) in best.iter().enumerate() {
            probs[t * 4 + c] = 0.9 - t as f32 * 0.01;
        }
        let line = decode(&probs, best.len(), 4, &dict, &Classes::of(&dict), |f| {
            (f * 10.0) as u32
        });
        assert_eq!(line.text, "东东力");
        let confs: Vec<f32> = line.chars.iter().map(|c| c.conf).collect();
        for (got, want) in confs.iter().zip([0.9, 0.87, 0.86]) {
            assert!((got - want).abs() < 1e-6, "{confs:?}");
        }
        assert_eq!(confs.len(), 3);
        let xs: Vec<(u32, u32)> = line.chars.iter().map(|c| (c.x0, c.x1)).collect();
        assert_eq!(xs, [(0, 25), (25, 40), (40, 70)]);
        assert!(
            xs.windows(2).all(|w| w[0].1 <= w[1].0),
            "in order, not overlapping"
        );
    }

    #[test]
    fn a_simplified_form_wins_when_it_is_nearly_as_likely() {
        let dict: Vec<String> = ["", "开", "開", "崑", "昆", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        assert_eq!(known.simplified, [None, None, Some(1), Some(4), None, None]);
        // Frame 1: 開 0.6, 开 0.3 → 开. Frame 2: blank. Frame 3: 崑 0.99, 昆 0.001 → 崑 stays.
        let probs = [
            0.0, 0.3, 0.6, 0.0, 0.0, 0.0, //
            0.9, 0.0, 0.0, 0.0, 0.0, 0.0, //
            0.0, 0.0, 0.0, 0.99, 0.001, 0.0,
        ];
        let line = decode(&probs, 3, 6, &dict, &known, |f| f as u32);
        assert_eq!(line.text, "开崑");
    }

    /// 二〇〇五 where the model split the second 〇 between 〇 and ○ and a blank won the frame (the
    /// probabilities PP-OCRv6 gave on a Ming page): read with both 〇; a circle class alone is 〇 too.
    #[test]
    fn a_zero_split_between_look_alikes_is_read() {
        let dict: Vec<String> = ["", "二", "〇", "○", "五", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        assert_eq!(known.zero, [2, 3]);
        let frame = |b: f32, er: f32, z: f32, c: f32, wu: f32| [b, er, z, c, wu, 0.0];
        let frames = [
            frame(0.0, 1.0, 0.0, 0.0, 0.0),
            frame(1.0, 0.0, 0.0, 0.0, 0.0),
            frame(0.2, 0.0, 0.4, 0.4, 0.0),
            frame(1.0, 0.0, 0.0, 0.0, 0.0),
            frame(0.532, 0.0, 0.064, 0.396, 0.0),
            frame(1.0, 0.0, 0.0, 0.0, 0.0),
            frame(0.0, 0.0, 0.0, 0.0, 1.0),
            // Noise after a numeral, under ZERO_AFTER_NUMERAL (the most seen on real pages was 0.02).
            frame(0.97, 0.0, 0.0, 0.03, 0.0),
        ];
        let probs: Vec<f32> = frames.concat();
        let line = decode(&probs, frames.len(), 6, &dict, &known, |f| f as u32);
        assert_eq!(line.text, "二〇〇五");
        assert!((line.chars[2].conf - 0.46).abs() < 1e-6);
    }

    /// 二〇一〇年 where the last 〇 peaked at only 0.12 under the blank (PP-OCRv6 on a Kai page): read
    /// after a numeral from [`ZERO_AFTER_NUMERAL`]; the same faint peak after another character is not.
    #[test]
    fn a_faint_zero_is_read_after_a_numeral_only() {
        let dict: Vec<String> = ["", "二", "〇", "○", "一", "年", "于", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        assert_eq!(known.numerals, [2, 4, 1]);
        let frame = |class: usize, p: f32| {
            let mut f = [0.0f32; 8];
            f[0] = 1.0 - p;
            f[class] = p;
            f
        };
        let line = |frames: &[[f32; 8]]| {
            decode(&frames.concat(), frames.len(), 8, &dict, &known, |f| {
                f as u32
            })
            .text
        };
        let faint = frame(3, 0.12);
        let (er, ling, yi, nian, yu) = (
            frame(1, 1.0),
            frame(2, 1.0),
            frame(4, 1.0),
            frame(5, 1.0),
            frame(6, 1.0),
        );
        let blank = frame(0, 1.0);
        assert_eq!(
            line(&[er, blank, ling, blank, yi, blank, faint, blank, nian]),
            "二〇一〇年"
        );
        assert_eq!(line(&[yu, blank, faint, blank, nian]), "于年");
        // Below the threshold even after a numeral.
        assert_eq!(line(&[yi, blank, frame(3, 0.03), blank, nian]), "一年");
    }

    /// A 、 the blank outweighs is read where it peaks above [`MARK_MIN`], not where it is fainter; a
    /// dot beside a full-width mark is dropped, a dot between digits kept.
    #[test]
    fn a_faint_pause_mark_is_read_and_specks_beside_marks_dropped() {
        let dict: Vec<String> = ["", "红", "、", "绿", "，", "。", ".", "1", "5", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        assert_eq!(known.marks, [2, 4, 5]);
        let one = |class: usize, p: f32| {
            let mut f = [0.0f32; 10];
            f[0] = 1.0 - p;
            f[class] = p;
            f
        };
        let frames = [
            one(1, 1.0),
            one(2, 0.05),
            one(2, 0.3), // 、 under the blank, peaking: read
            one(2, 0.1),
            one(3, 1.0),
            one(2, 0.08), // too faint: not read
            one(5, 1.0),
            one(6, 0.9), // a speck after 。: dropped
            one(7, 1.0),
            one(6, 0.9), // 1.5: kept
            one(8, 1.0),
            one(1, 1.0),
            one(6, 0.9), // between two Han: dropped
            one(3, 1.0),
            one(8, 1.0),
            one(6, 0.9), // between a digit and Han: dropped
            one(1, 1.0),
            one(3, 1.0),
            one(6, 0.9), // at the end after Han: dropped
        ];
        let probs: Vec<f32> = frames.concat();
        let line = decode(&probs, frames.len(), 10, &dict, &known, |f| f as u32);
        assert_eq!(line.text, "红、绿。1.5红绿5红绿");
        assert!((line.chars[1].conf - 0.3).abs() < 1e-6);
        // A folio with a speck after it; a line opening with its number.
        let read = |classes: &[usize]| {
            let frames: Vec<[f32; 10]> = classes
                .iter()
                .flat_map(|&c| [one(c, 1.0), one(0, 1.0)])
                .collect();
            decode(&frames.concat(), frames.len(), 10, &dict, &known, |f| {
                f as u32
            })
            .text
        };
        assert_eq!(read(&[7, 8, 6]), "15");
        assert_eq!(read(&[7, 6, 1, 3]), "1.红绿");
        assert_eq!(read(&[6, 7, 8]), "15");
    }

    /// A middle dot between digits is a speck (1·0273 is 10273); between a letter and a digit it
    /// stays (TU·327).
    #[test]
    fn a_middle_dot_between_digits_is_a_speck() {
        let dict: Vec<String> = ["", "1", "0", "·", "U", " "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        let read = |classes: &[usize]| {
            let frames: Vec<[f32; 6]> = classes
                .iter()
                .flat_map(|&c| {
                    let mut f = [0.0f32; 6];
                    f[c] = 1.0;
                    [f, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]]
                })
                .collect();
            decode(&frames.concat(), frames.len(), 6, &dict, &known, |f| {
                f as u32
            })
            .text
        };
        assert_eq!(read(&[1, 3, 2, 1]), "101");
        assert_eq!(read(&[4, 3, 1, 2]), "U·10");
    }

    #[test]
    fn unsure_stretches_reach_chinese_characters_on_both_sides() {
        let line = |text: &str, unsure: &[usize]| LineRead {
            text: text.into(),
            chars: text
                .chars()
                .enumerate()
                .map(|(i, c)| CharRead {
                    text: c.to_string(),
                    conf: if unsure.contains(&i) { 0.4 } else { 0.99 },
                    x0: 10 * i as u32,
                    x1: 10 * i as u32 + 10,
                    peak: 10 * i as u32 + 5,
                })
                .collect(),
        };
        // Sure of every character: nothing is read again.
        assert!(unsure_spans(&line("绿地崑廉居民区", &[])).is_empty());
        // One unsure character: it and a neighbour each side.
        assert_eq!(unsure_spans(&line("绿地篦廉居民区", &[2])), vec![(1, 3)]);
        // Beside a figure, the stretch runs on to Chinese characters: never cut next to a digit or
        // a point.
        assert_eq!(
            unsure_spans(&line("绿化率达48.5%，社区", &[4])),
            vec![(3, 10)]
        );
        // Two that meet are one stretch.
        assert_eq!(
            unsure_spans(&line("一二三四五六七八", &[2, 4])),
            vec![(1, 5)]
        );
    }

    #[test]
    fn a_point_that_takes_no_room_in_a_count_is_a_speck() {
        let dict: Vec<String> = ["", "1", "0", "2", ".", "人", "%"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let known = Classes::of(&dict);
        // The best class of each frame (0 is the blank).
        let read = |best: &[usize]| {
            let frames: Vec<[f32; 7]> = best
                .iter()
                .map(|&c| {
                    let mut f = [0.0f32; 7];
                    f[c] = 1.0;
                    f
                })
                .collect();
            decode(&frames.concat(), frames.len(), 7, &dict, &known, |f| {
                f as u32
            })
            .text
        };
        // 102.01人 with digits three frames apart and the point in the gap between 2 and 0, taking
        // no room of its own: a speck.
        let squeezed = [1, 1, 0, 2, 2, 0, 3, 3, 4, 2, 2, 0, 1, 1, 0, 5, 5];
        assert_eq!(read(&squeezed), "10201人");
        // A printed point widens the gap by two frames: kept.
        let printed = [1, 1, 0, 2, 2, 0, 3, 3, 0, 4, 0, 2, 2, 0, 1, 1, 0, 5, 5];
        assert_eq!(read(&printed), "102.01人");
        // A share keeps its point whatever the gap.
        let mut share = squeezed;
        share[15..].fill(6);
        assert_eq!(read(&share), "102.01%");
        // At the line's end the unit may be on the next line: judged by the gap alone.
        assert_eq!(read(&squeezed[..15]), "10201");
        assert_eq!(read(&printed[..17]), "102.01");
    }
}
