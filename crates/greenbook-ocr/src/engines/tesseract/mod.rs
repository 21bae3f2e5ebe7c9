//! The Tesseract engine through `leptess`'s C API: one engine per worker at a time (Send, not Sync).

use std::path::{Path, PathBuf};

use image::GrayImage;

pub mod api;
pub mod osd;

use std::sync::Arc;

use api::Api;

use crate::engines::{About, Configured, EngineSpec, Registered};

use crate::lines::words_to_text;
use crate::{Backend, Engine, LineBox, OcrError, Recognized};

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
    /// Resampling factor applied before recognition: 0.6 (300 → 180 DPI). Measured on the sample scans
    /// and on 40 synthetic-book pages it was not chosen on (BENCHMARKS.md): 0.55 gives a lower CER (the
    /// Han characters) but reads numbers worse (84.5 % of the numbers exact against 91 %), which cost
    /// 0.03–0.06 extraction F1 on the synthetic book; the facts are what greenbook is for.
    pub scale: f32,
}

pub struct Tesseract {
    api: Api,
    id: String,
    /// The scale for text of the reference height ([`crate::preprocess::REF_TEXT_PX`]).
    base_scale: f32,
    /// The scale and measured text height of the page set last.
    scale: f32,
    text_height: Option<f32>,
}

/// Parses `GetTSVText` output: level-5 rows are words with box and confidence. Kept for the test that
/// checks `Api::words` against Tesseract's own TSV.
#[cfg(test)]
fn parse_tsv(tsv: &str) -> Vec<crate::Word> {
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
            Some(crate::Word {
                text: text.to_string(),
                conf: f[10].trim().parse::<f32>().ok()?,
                block: num(2)? as u32,
                par: num(3)? as u32,
                line: num(4)? as u32,
                x: num(6)? as u32,
                y: num(7)? as u32,
                w: num(8)? as u32,
                h: num(9)? as u32,
                char_conf: Vec::new(),
            })
        })
        .collect()
}

impl Tesseract {
    pub fn new(cfg: &TesseractConfig) -> Result<Tesseract, OcrError> {
        let mut api = Api::new(&cfg.tessdata, &cfg.lang).ok_or_else(|| OcrError::Model {
            lang: cfg.lang.clone(),
            searched: format!("{} (Tesseract could not load it)", cfg.tessdata.display()),
            package: debian_package(&cfg.lang),
        })?;
        api.set("preserve_interword_spaces", "1")
            .and_then(|()| api.set("tessedit_pageseg_mode", &cfg.psm.to_string()))
            .map_err(OcrError::Engine)?;
        let model_bytes: u64 = cfg
            .lang
            .split('+')
            .filter_map(|l| std::fs::metadata(cfg.tessdata.join(format!("{l}.traineddata"))).ok())
            .map(|m| m.len())
            .sum();
        let id = format!(
            "tesseract {} lang={} model_bytes={model_bytes} psm={} scale={}@{}px post=3 prep=3",
            version(),
            cfg.lang,
            cfg.psm,
            cfg.scale,
            crate::preprocess::REF_TEXT_PX
        );
        Ok(Tesseract {
            api,
            id,
            base_scale: cfg.scale,
            scale: cfg.scale,
            text_height: None,
        })
    }

    /// Hands Tesseract the page at the scale its measured text height asks for (the source resolution
    /// given to match: the scale the DPI of a 300-DPI page would have).
    fn set_page(&mut self, img: &GrayImage) {
        self.text_height = crate::preprocess::text_height(img);
        self.scale = crate::preprocess::scale_for(self.base_scale, self.text_height);
        // The resolution Tesseract is told is that of the image it gets: the page's own (300 DPI
        // for reference-size text, else estimated from the text height) times the scale.
        let source_dpi = crate::preprocess::source_dpi(self.text_height);
        let ppi = (source_dpi * self.scale).round() as i32;
        if (self.scale - 1.0).abs() > 1e-3 {
            let scaled = crate::preprocess::resample(img, self.scale);
            self.api.set_image(&scaled, ppi);
        } else {
            self.api.set_image(img, ppi);
        }
    }

    /// The scale and the measured text height of the page set last.
    pub fn measured(&self) -> (f32, Option<f32>) {
        (self.scale, self.text_height)
    }

    /// Pixels of the scaled image → pixels of the caller's image.
    fn unscale(&self, v: u32) -> u32 {
        (v as f32 * (1.0 / self.scale)) as u32
    }

    /// A box (x, y, width, height) of the scaled image in the caller's pixels.
    fn unscale_box(&self, b: (u32, u32, u32, u32)) -> (u32, u32, u32, u32) {
        (
            self.unscale(b.0),
            self.unscale(b.1),
            self.unscale(b.2),
            self.unscale(b.3),
        )
    }

    /// The page's text lines from layout analysis alone (no recognition), boxes in `img`'s pixels.
    pub fn lines(&mut self, img: &GrayImage) -> Vec<LineBox> {
        self.set_page(img);
        let mut lines = self.api.layout_lines();
        for l in &mut lines {
            (l.x, l.y, l.w, l.h) = self.unscale_box((l.x, l.y, l.w, l.h));
        }
        lines
    }
}

impl TesseractConfig {
    /// `lang` from `tessdata` (or where [`find_tessdata`] looks), page segmentation mode 4, read at
    /// 0.6×: the settings measured best on book pages.
    pub fn new(tessdata: Option<&Path>, lang: &str) -> Result<TesseractConfig, OcrError> {
        Ok(TesseractConfig {
            tessdata: find_tessdata(tessdata, lang)?,
            lang: lang.to_string(),
            psm: 4,
            scale: 0.6,
        })
    }
}

/// The `tesseract` engine, as the registry lists it.
pub struct Spec;

impl EngineSpec for Spec {
    fn about(&self) -> &'static About {
        &About {
            name: "tesseract",
            about: "Tesseract reads every page; the fastest",
            languages: "those of the traineddata --lang names (chi_sim, chi_sim+eng, …)",
            orientation: true,
            deskew: false,
        }
    }
    fn add_options(&self, cmd: clap::Command) -> clap::Command {
        cmd
    }
    fn check_options(
        &self,
        _flags: &clap::ArgMatches,
        tesseract: &TesseractConfig,
    ) -> Result<Arc<dyn Configured>, OcrError> {
        Ok(Arc::new(tesseract.clone()))
    }
}

impl Registered for TesseractConfig {
    fn spec(&self) -> &'static dyn EngineSpec {
        &Spec
    }
}

impl Backend for TesseractConfig {
    type Engine = Tesseract;
    type Detector = osd::Osd;

    fn engine(&self) -> Result<Tesseract, OcrError> {
        Tesseract::new(self)
    }

    fn detector(&self) -> Option<osd::Osd> {
        osd::Osd::new(&self.tessdata)
    }

    fn lang(&self) -> &str {
        &self.lang
    }
}

impl Engine for Tesseract {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String> {
        self.set_page(img);
        self.api.recognize()?;
        let (mut words, mut lines) = self.api.words_and_lines()?;
        // Boxes in the caller's pixel space.
        for w in &mut words {
            (w.x, w.y, w.w, w.h) = self.unscale_box((w.x, w.y, w.w, w.h));
        }
        for l in &mut lines {
            (l.x, l.y, l.w, l.h) = self.unscale_box((l.x, l.y, l.w, l.h));
        }
        let hocr = if want_hocr {
            Some(self.api.hocr()?)
        } else {
            None
        };
        let confs: Vec<f32> = words.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
        let mean_conf = (!confs.is_empty()).then(|| confs.iter().sum::<f32>() / confs.len() as f32);
        Ok(Recognized {
            text: words_to_text(&words),
            words,
            lines,
            mean_conf,
            hocr,
            text_height: self.text_height,
            scale: Some(self.scale),
            alternates: Vec::new(),
            sideways: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Word;
    use api::LIVE_ITERATORS;

    /// An engine that has recognised a committed page at the default settings.
    fn recognized(label: &str) -> Tesseract {
        let cfg = TesseractConfig {
            tessdata: find_tessdata(None, "chi_sim").expect("chi_sim installed (scripts/setup.sh)"),
            lang: "chi_sim".into(),
            psm: 4,
            scale: 0.6,
        };
        let mut engine = Tesseract::new(&cfg).unwrap();
        let page = format!("{}/../../scans/{label}.png", env!("CARGO_MANIFEST_DIR"));
        let img = image::open(page).unwrap().into_luma8();
        let img = crate::preprocess::resample(&img, cfg.scale);
        engine.api.set_image(&img, 180);
        engine.api.recognize().unwrap();
        engine
    }

    /// `Api::words` must give exactly what Tesseract's own TSV gives (it replaced it: 2× faster).
    #[test]
    fn words_from_the_iterator_match_tesseracts_tsv() {
        let mut engine = recognized("p008");
        let direct = engine.api.words().unwrap();
        let tsv = parse_tsv(&engine.api.tsv().unwrap());
        assert!(direct.len() > 100, "{} words", direct.len());
        assert_eq!(direct.len(), tsv.len());
        for (a, b) in direct.iter().zip(&tsv) {
            assert!((a.conf - b.conf).abs() < 1e-3, "{a:?} vs {b:?}");
            assert_eq!(
                Word {
                    conf: b.conf,
                    ..a.clone()
                },
                *b
            );
        }
        assert!(
            direct.iter().map(|w| w.block).max() >= Some(2),
            "several blocks numbered"
        );
    }

    /// The result iterator is deleted when taking a word fails half-way, so it cannot leak.
    #[test]
    fn the_result_iterator_is_freed_on_the_error_path() {
        let mut engine = recognized("p001");
        let before = LIVE_ITERATORS.get();
        let failed = engine.api.words_with(|text| {
            assert_eq!(LIVE_ITERATORS.get(), before + 1);
            let _ = Api::take(text, "word");
            Err("taken badly".into())
        });
        assert_eq!(failed.map(|(w, _)| w), Err("taken badly".to_string()));
        assert_eq!(LIVE_ITERATORS.get(), before, "iterator deleted");
        assert!(!engine.api.words().unwrap().is_empty());
        assert_eq!(LIVE_ITERATORS.get(), before);
    }
}
