//! The Tesseract engine through `leptess`: one `LepTess` per worker thread (it is Send, not Sync).

use std::path::{Path, PathBuf};

use image::GrayImage;
use leptess::{LepTess, Variable};

use super::{Engine, OcrError, Recognized, Word};
use crate::text;

/// Debian's traineddata folders, newest first.
const DEBIAN_TESSDATA: [&str; 2] = [
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
];

/// The Tesseract library version, e.g. "5.3.0".
pub fn version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(leptess::capi::TessVersion()) }
        .to_string_lossy()
        .into_owned()
}

/// Finds the folder holding `<lang>.traineddata` for every language of `lang` ("chi_sim+eng"):
/// `--tessdata`, then `TESSDATA_PREFIX`, then Debian's paths.
pub fn find_tessdata(explicit: Option<&Path>, lang: &str) -> Result<PathBuf, OcrError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = explicit {
        candidates.push(p.to_path_buf());
    } else {
        if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
            let p = PathBuf::from(p);
            candidates.push(p.join("tessdata"));
            candidates.push(p);
        }
        candidates.extend(DEBIAN_TESSDATA.iter().map(PathBuf::from));
    }
    let has_all = |dir: &Path| {
        lang.split('+')
            .all(|l| dir.join(format!("{l}.traineddata")).is_file())
    };
    candidates
        .iter()
        .find(|d| has_all(d))
        .cloned()
        .ok_or_else(|| OcrError::Model {
            lang: lang.to_string(),
            searched: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            package: debian_package(lang),
        })
}

/// The Debian packages that ship a language's model.
fn debian_package(lang: &str) -> String {
    lang.split('+')
        .map(|l| format!("tesseract-ocr-{}", l.replace('_', "-").to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Engine settings that change its output (and so are part of the cache key).
#[derive(Debug, Clone)]
pub struct TesseractConfig {
    pub tessdata: PathBuf,
    pub lang: String,
    /// Page segmentation mode; 4 ("single column of text of variable sizes") keeps the short "图N"
    /// captions under photos that mode 3 drops, and measured best on the sample scans.
    pub psm: u8,
    /// Resampling factor applied before recognition. 0.6 (300 → 180 DPI) measured best on the sample
    /// scans: overall CER 2.44 % at 1.0, 2.08 % at 0.6, 2.37 % at 0.65, 2.52 % at 0.5 (BENCHMARKS.md).
    pub scale: f32,
}

pub struct Tesseract {
    api: LepTess,
    id: String,
    scale: f32,
}

/// Encodes grey pixels as binary PGM, which Leptonica reads from memory without decompression.
fn pgm(img: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Parses `get_tsv_text` output: level-5 rows are words with box and confidence.
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    tsv.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let num = |i: usize| f[i].trim().parse::<i64>().ok();
            let text = f[11].trim();
            if text.is_empty() {
                return None;
            }
            Some(Word {
                text: text.to_string(),
                conf: f[10].trim().parse::<f32>().ok()?,
                block: num(2)? as u32,
                par: num(3)? as u32,
                line: num(4)? as u32,
                x: num(6)? as u32,
                y: num(7)? as u32,
                w: num(8)? as u32,
                h: num(9)? as u32,
            })
        })
        .collect()
}

/// Lines in reading order from words: CJK unspaced, Latin words and numbers spaced, ASCII punctuation
/// next to Han restored to full width; a blank line between blocks.
pub fn words_to_text(words: &[Word]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut last_block = None;
    while i < words.len() {
        let key = (words[i].block, words[i].par, words[i].line);
        let j = words[i..]
            .iter()
            .position(|w| (w.block, w.par, w.line) != key)
            .map_or(words.len(), |k| i + k);
        if last_block.is_some_and(|b| b != key.0) {
            out.push('\n');
        }
        last_block = Some(key.0);
        let line = text::join_words(words[i..j].iter().map(|w| w.text.as_str()));
        out.push_str(&text::repair_ocr(&text::restore_fullwidth(
            &text::fix_spacing(&line),
        )));
        out.push('\n');
        i = j;
    }
    out
}

impl Tesseract {
    pub fn new(cfg: &TesseractConfig) -> Result<Tesseract, OcrError> {
        let dir = cfg.tessdata.to_string_lossy();
        let mut api = LepTess::new(Some(&dir), &cfg.lang).map_err(|e| OcrError::Model {
            lang: cfg.lang.clone(),
            searched: format!("{dir} ({e})"),
            package: debian_package(&cfg.lang),
        })?;
        let set = |api: &mut LepTess, v: Variable, val: &str| {
            api.set_variable(v, val)
                .map_err(|_| OcrError::Engine(format!("cannot set {v:?}={val}")))
        };
        set(&mut api, Variable::PreserveInterwordSpaces, "1")?;
        set(&mut api, Variable::DebugFile, "/dev/null")?;
        set(
            &mut api,
            Variable::TesseditPagesegMode,
            &cfg.psm.to_string(),
        )?;
        let model_bytes: u64 = cfg
            .lang
            .split('+')
            .filter_map(|l| std::fs::metadata(cfg.tessdata.join(format!("{l}.traineddata"))).ok())
            .map(|m| m.len())
            .sum();
        let id = format!(
            "tesseract {} lang={} model_bytes={model_bytes} psm={} scale={} post=1",
            version(),
            cfg.lang,
            cfg.psm,
            cfg.scale
        );
        Ok(Tesseract {
            api,
            id,
            scale: cfg.scale,
        })
    }
}

impl Engine for Tesseract {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String> {
        let scaled;
        let img = if (self.scale - 1.0).abs() > 1e-3 {
            scaled = super::preprocess::resample(img, self.scale);
            &scaled
        } else {
            img
        };
        self.api
            .set_image_from_mem(&pgm(img))
            .map_err(|e| format!("Leptonica cannot take the image: {e}"))?;
        self.api
            .set_source_resolution((300.0 * self.scale).round() as i32);
        if self.api.recognize() != 0 {
            return Err("Tesseract recognition failed".into());
        }
        let tsv = self
            .api
            .get_tsv_text(0)
            .map_err(|e| format!("TSV output is not UTF-8: {e}"))?;
        let mut words = parse_tsv(&tsv);
        // Boxes in the caller's pixel space.
        for w in &mut words {
            let k = 1.0 / self.scale;
            (w.x, w.y, w.w, w.h) = (
                (w.x as f32 * k) as u32,
                (w.y as f32 * k) as u32,
                (w.w as f32 * k) as u32,
                (w.h as f32 * k) as u32,
            );
        }
        let hocr = if want_hocr {
            Some(
                self.api
                    .get_hocr_text(0)
                    .map_err(|e| format!("hOCR output is not UTF-8: {e}"))?,
            )
        } else {
            None
        };
        let confs: Vec<f32> = words.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
        let mean_conf = (!confs.is_empty()).then(|| confs.iter().sum::<f32>() / confs.len() as f32);
        Ok(Recognized {
            text: words_to_text(&words),
            words,
            mean_conf,
            hocr,
        })
    }
}
