//! Stage 2: OCR. The page loop (an engine per busy worker from a pool, longest pages first, a result
//! cache, blank and duplicate pages, orientation and script checks, Ctrl-C) is generic over the
//! [`Backend`] that builds the engines: Tesseract here, fakes in the tests.
//!
//! A page that fails is recorded with its error and the run goes on; only a missing model or an
//! unusable cache folder stop the stage.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_core::{edition, io, text};
use greenbook_input as input;

pub mod engines;
pub mod gaps;
pub mod lines;
pub mod preprocess;
pub mod profile;
pub mod runs;
pub mod skew;

use engines::tesseract;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use image::GrayImage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::input::{PageKind, PageSource};
use crate::io::progress::Progress;

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error(
        "no Tesseract model for language '{lang}' (searched {searched}); install the Debian package {package} or pass --tessdata"
    )]
    Model {
        lang: String,
        searched: String,
        package: String,
    },
    /// A model or runtime another engine needs is not installed.
    #[error("{what} not found (searched {searched}); {hint}")]
    Missing {
        what: String,
        searched: String,
        hint: String,
    },
    #[error("OCR engine: {0}")]
    Engine(String),
    /// An input (truth file, folder) that cannot be read.
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An output (cache, text or hOCR file) that cannot be written.
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the worker pool: {0}")]
    Pool(String),
    /// An engine's flags that do not fit together, or that are not its own.
    #[error("{0}")]
    Options(String),
}

/// One recognised word with its box (pixels) and confidence (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub conf: f32,
    pub block: u32,
    pub par: u32,
    pub line: u32,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    /// Per-character confidence, 0–100, one per character of `text`, when the engine knows them
    /// (PP-OCR; empty for Tesseract).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub char_conf: Vec<u8>,
}

/// A text line found by layout analysis, in the pixels of the image analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineBox {
    pub block: u32,
    pub par: u32,
    pub line: u32,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// What an engine returns for one image.
#[derive(Debug, Clone)]
pub struct Recognized {
    pub text: String,
    pub words: Vec<Word>,
    /// The boxes of the lines the words are on (empty when the engine does not know them).
    pub lines: Vec<LineBox>,
    /// The page's text height as measured, px, and the scale the page was read at (Tesseract, or
    /// Tesseract's layout for PP-OCR).
    pub text_height: Option<f32>,
    pub scale: Option<f32>,
    pub mean_conf: Option<f32>,
    pub hocr: Option<String>,
    /// Lines read by two engines (`hybrid`): the reading not kept of each, in reading order.
    pub alternates: Vec<String>,
    /// Most of the lines found run down the page, not across it: the page may lie on its side.
    pub sideways: bool,
}

/// An OCR engine. A worker has one to itself while it reads a page; it need not be `Sync`.
pub trait Engine: Send {
    /// Engine, version, model and every setting that changes output: part of the cache key.
    fn id(&self) -> &str;
    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String>;
}

/// What orientation and script detection found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Orientation {
    /// Clockwise rotation of the page as scanned: 0, 90, 180 or 270.
    pub degrees: u16,
    pub confidence: f32,
    /// Script name, e.g. "Han", "Latin", "Cyrillic".
    pub script: String,
    pub script_confidence: f32,
}

/// Orientation and script detection, asked only about pages whose first reading looks wrong.
pub trait Detector: Send {
    /// None when the page has too little text to decide.
    fn detect(&mut self, img: &GrayImage, ppi: i32) -> Option<Orientation>;
}

/// The seam the page loop is generic over: builds the engines and detectors the workers use.
pub trait Backend: Sync {
    type Engine: Engine;
    type Detector: Detector;
    /// A new engine; an error here (a missing or broken model) stops the stage before any page is read.
    fn engine(&self) -> Result<Self::Engine, OcrError>;
    /// A new detector, or None when this backend has none (then pages are read as they are).
    fn detector(&self) -> Option<Self::Detector>;
    /// The language setting, as the user gave it (e.g. chi_sim), for messages.
    fn lang(&self) -> &str;
    /// Whether the engine reads Han script: then a page OSD finds in another script is flagged.
    fn reads_han(&self) -> bool {
        self.lang().contains("chi") || self.lang().contains("jpn")
    }
}

/// Why a page gave no usable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageErrorKind {
    /// The file could not be read or decoded (missing, truncated, not an image, too large or small).
    Unreadable,
    /// No ink on the page.
    Blank,
    /// The engine read no word.
    NoText,
    /// The page is in another script than the language asked for; its text is kept, not used.
    ForeignScript,
    /// Byte-identical to an earlier page; not used twice.
    Duplicate,
    /// The engine failed on the page.
    Engine,
    /// Ctrl-C came before the page was read.
    Interrupted,
}

crate::text::edge_strings!(PageErrorKind {
    Unreadable => "unreadable",
    Blank => "blank",
    NoText => "no_text",
    ForeignScript => "foreign_script",
    Duplicate => "duplicate",
    Engine => "engine",
    Interrupted => "interrupted",
});

/// A page's error: what kind, and a message for people that names the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct PageError {
    pub kind: PageErrorKind,
    pub message: String,
}

impl PageError {
    pub fn new(kind: PageErrorKind, message: impl Into<String>) -> Self {
        PageError {
            kind,
            message: message.into(),
        }
    }
}

/// Everything known about one page after OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOcr {
    pub label: String,
    pub file: String,
    pub frame: u32,
    pub sha256: Option<String>,
    pub kind: Option<PageKind>,
    pub district: Option<String>,
    pub contents_title: Option<String>,
    /// Size of the image the word boxes refer to (after any rotation).
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub text: String,
    /// Mean word confidence, 0–100; None when no word was recognised.
    pub mean_conf: Option<f32>,
    pub words: Vec<Word>,
    /// Rotation applied before recognition (0, 90, 180, 270 degrees clockwise).
    pub rotation: u16,
    /// The page found in a photo (its corners and size), rectified and its light flattened before
    /// anything else, when the image is a photo of a page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<input::photo::Quad>,
    /// The page of a two-page spread this is (its side and columns of the image), when the image is
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half: Option<input::spread::Half>,
    /// The skew the page was levelled by before recognition (degrees, as `skew_deg`), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deskew_deg: Option<f32>,
    /// What the reader should know of how the page was captured (see [`input::PHOTO_NOT_FOUND`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_note: Option<String>,
    /// Typical height of the page's text lines, px, measured from the page.
    #[serde(default)]
    pub text_height_px: Option<f32>,
    /// The scale the page was read at (from the text height; see `preprocess::scale_for`).
    #[serde(default)]
    pub ocr_scale: Option<f32>,
    /// Skew of the text lines as read (after any rotation), degrees; positive when the lines descend
    /// to the right, i.e. the page is turned clockwise.
    pub skew_deg: Option<f32>,
    pub millis: u64,
    pub engine: String,
    pub hocr: Option<String>,
    pub error: Option<PageError>,
    #[serde(default)]
    pub cached: bool,
    /// Lines read by two engines (`hybrid`): the reading not kept of each, in reading order. The
    /// community-name vote counts them (see `book::vote_name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternates: Vec<String>,
}

impl PageOcr {
    /// How OCR levelled and turned the page: what makes its image the one its boxes refer to.
    pub fn as_read(&self) -> input::AsRead {
        input::AsRead {
            photo: self.photo,
            half: self.half,
            rotation: self.rotation,
            deskew_deg: self.deskew_deg,
        }
    }

    /// Where this page's image is: its file and frame, with its place in the book.
    pub fn source(&self) -> PageSource {
        PageSource {
            label: self.label.clone(),
            path: self.file.clone().into(),
            frame: self.frame,
            kind: self.kind,
            district: self.district.clone(),
            contents_title: self.contents_title.clone(),
        }
    }

    /// A page with nothing read yet: its place in the book from `src`, everything else empty.
    pub fn blank(src: &PageSource, engine: &str) -> Self {
        PageOcr {
            label: src.label.clone(),
            file: src.path.display().to_string(),
            frame: src.frame,
            sha256: None,
            kind: src.kind,
            district: src.district.clone(),
            contents_title: src.contents_title.clone(),
            width: None,
            height: None,
            text: String::new(),
            mean_conf: None,
            words: Vec::new(),
            rotation: 0,
            photo: None,
            half: None,
            deskew_deg: None,
            capture_note: None,
            text_height_px: None,
            ocr_scale: None,
            skew_deg: None,
            millis: 0,
            engine: engine.to_string(),
            hocr: None,
            error: None,
            cached: false,
            alternates: Vec::new(),
        }
    }

    /// This page's result placed where `src` puts it in this run's book (for cache hits: the cache
    /// knows the image, not where it sits).
    fn placed(self, src: &PageSource) -> Self {
        let at = match self.half {
            Some(h) => PageOcr::blank(&src.half(h.side), &self.engine),
            None => PageOcr::blank(src, &self.engine),
        };
        PageOcr {
            label: at.label,
            file: at.file,
            frame: at.frame,
            kind: at.kind,
            district: at.district,
            contents_title: at.contents_title,
            ..self
        }
    }

    fn failed(
        src: &PageSource,
        sha256: Option<String>,
        engine: &str,
        error: PageError,
        millis: u64,
    ) -> Self {
        PageOcr {
            sha256,
            millis,
            error: Some(error),
            ..PageOcr::blank(src, engine)
        }
    }
}

/// Options of the OCR stage.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    /// Tesseract's settings: the `tesseract` engine, and layout analysis and orientation detection
    /// for the others.
    pub tesseract: tesseract::TesseractConfig,
    /// The engine that reads the pages, set up from its flags ([`engines`]).
    pub engine: std::sync::Arc<dyn engines::Configured>,
    pub jobs: usize,
    /// Cache folder; None disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Where rendered PDF pages are kept for the rest of the run (see [`OcrOptions::rendered_dir`]);
    /// None: `rendered/` in the cache.
    pub render_dir: Option<PathBuf>,
    /// Redo pages even when cached.
    pub force: bool,
    /// Keep hOCR (for `--hocr-dir`).
    pub hocr: bool,
    /// Set (by Ctrl-C) to make the workers take no new page: [`CANCEL`] unless a caller gives its own.
    pub cancel: &'static AtomicBool,
}

impl OcrOptions {
    /// Where the PDF pages rendered for OCR are kept for the later stages of the run (`book.pdf`, the
    /// review page), so each is rendered once: `render_dir`, else `rendered/` in the cache.
    pub fn rendered_dir(&self) -> Option<PathBuf> {
        self.render_dir
            .clone()
            .or_else(|| self.cache_dir.as_ref().map(|d| d.join("rendered")))
    }
}

impl OcrOptions {
    /// Defaults: the default engine ([`engines::DEFAULT`], as on the command line) set up as its
    /// flags' defaults set it up, Tesseract's `lang` (psm 4) for layout analysis and orientation, one
    /// worker per core, the cache under `output/cache`. An engine's missing model is an error here.
    pub fn new(tessdata: Option<&Path>, lang: &str) -> Result<OcrOptions, OcrError> {
        OcrOptions::with_args(tessdata, lang, &[])
    }

    /// The same, with the engine an argument list names and sets up, as the command line takes it:
    /// `["--engine", "tesseract"]`, `["--recognition", "small"]`.
    pub fn with_args(
        tessdata: Option<&Path>,
        lang: &str,
        args: &[&str],
    ) -> Result<OcrOptions, OcrError> {
        let tesseract = tesseract::TesseractConfig::new(tessdata, lang)?;
        let engine = engines::from_args(args, &tesseract)?;
        Ok(OcrOptions::with_engine(tesseract, engine))
    }

    /// The same, with the engine the command line's flags chose ([`engines::add_options`]).
    pub fn from_flags(
        tessdata: Option<&Path>,
        lang: &str,
        flags: &clap::ArgMatches,
    ) -> Result<OcrOptions, OcrError> {
        let tesseract = tesseract::TesseractConfig::new(tessdata, lang)?;
        let engine = engines::configure(flags, &tesseract)?;
        Ok(OcrOptions::with_engine(tesseract, engine))
    }

    fn with_engine(
        tesseract: tesseract::TesseractConfig,
        engine: std::sync::Arc<dyn engines::Configured>,
    ) -> OcrOptions {
        OcrOptions {
            tesseract,
            engine,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cache_dir: Some(PathBuf::from("output/cache")),
            render_dir: None,
            force: false,
            hocr: false,
            cancel: &CANCEL,
        }
    }
}

/// Engines not in use, shared by the workers: a worker takes one for a page and puts it back, so no more
/// are built than workers run at once, and the engines built up front (which check the model) are the
/// ones used.
struct Pool<E> {
    idle: Mutex<Vec<E>>,
}

impl<E> Pool<E> {
    fn new(idle: Vec<E>) -> Self {
        Pool {
            idle: Mutex::new(idle),
        }
    }

    /// Runs `f` with an idle engine, or with a new one from `make` when none is idle.
    fn with<R>(
        &self,
        make: impl FnOnce() -> Result<E, String>,
        f: impl FnOnce(&mut E) -> R,
    ) -> Result<R, String> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut engine = match idle {
            Some(e) => e,
            None => make()?,
        };
        let out = f(&mut engine);
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(engine);
        Ok(out)
    }
}

/// What the workers of one run share: the recognition engines and the detectors (built only when a
/// suspicious page needs one).
struct Engines<'b, B: Backend> {
    backend: &'b B,
    id: String,
    ocr: Pool<B::Engine>,
    osd: Pool<B::Detector>,
}

/// A first recognition this poor makes the page a candidate for orientation/script detection.
const SUSPICIOUS_CONF: f32 = 70.0;
const MIN_HAN_CHARS: usize = 20;

fn han_chars(text: &str) -> usize {
    text.chars().filter(|c| crate::text::is_cjk(*c)).count()
}

/// A page to double-check with OSD: read with low confidence, or with few Han characters that are not
/// most of what was read (a rotated or foreign page; not a chapter divider with one short title).
fn suspicious(rec: &Recognized) -> bool {
    let han = han_chars(&rec.text);
    let read = rec.text.chars().filter(|c| !c.is_whitespace()).count();
    rec.sideways
        || rec.mean_conf.is_none_or(|c| c < SUSPICIOUS_CONF)
        || (han < MIN_HAN_CHARS && han * 2 <= read)
}

/// Set by a Ctrl-C handler: workers finish the page they are on and take no new one.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// The smallest skew a page is levelled for (degrees): below it, lines are level enough for the
/// layout analysis, and the page is read as scanned (the committed scans, within ±0.88°, read the
/// same as unlevelled; levelling them from 0.3° cost two specks read as `·`).
pub const DESKEW_MIN: f32 = 0.9;

fn cache_path(dir: &Path, sha: &str, engine: &str) -> PathBuf {
    let prep =
        format!("photo=2 spread=5 deskew>={DESKEW_MIN}/5/peak1.04 parens=2 dash=1 sideways=1");
    let key = crate::io::sha256_hex(format!("{sha}\n{engine}\n{prep}").as_bytes());
    dir.join(&key[..2]).join(format!("{key}.json"))
}

fn read_cache(path: &Path) -> Option<Vec<PageOcr>> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Blank page: almost no dark pixels (after the paper's own shading).
fn is_blank(img: &GrayImage) -> bool {
    let dark = img.as_raw().iter().step_by(7).filter(|&&v| v < 128).count();
    let total = img.as_raw().len() / 7;
    dark * 10_000 < total.max(1)
}

/// Reads one image: one page, or the two pages of a spread (see [`input::spread`]).
fn ocr_one<B: Backend>(src: &PageSource, opts: &OcrOptions, engines: &Engines<B>) -> Vec<PageOcr> {
    let start = Instant::now();
    let pages = ocr_page_or_spread(src, opts, engines, start);
    profile::add_page(start);
    pages
}

fn ocr_page_or_spread<B: Backend>(
    src: &PageSource,
    opts: &OcrOptions,
    engines: &Engines<B>,
    start: Instant,
) -> Vec<PageOcr> {
    let engine_id = engines.id.as_str();
    let ms = |s: Instant| s.elapsed().as_millis() as u64;
    let t = Instant::now();
    let raw = match input::read(src) {
        Ok(r) => r,
        Err(e) => {
            let e = PageError::new(PageErrorKind::Unreadable, e.to_string());
            return vec![PageOcr::failed(src, None, engine_id, e, ms(start))];
        }
    };
    let cache = opts
        .cache_dir
        .as_ref()
        .map(|d| cache_path(d, &raw.sha256, engine_id));
    if let Some(path) = cache.as_ref().filter(|_| !opts.force)
        && let Some(hits) = read_cache(path)
        && (!opts.hocr || hits.iter().all(|h| h.hocr.is_some()))
    {
        return hits
            .into_iter()
            .map(|mut hit| {
                hit.cached = true;
                hit.placed(src)
            })
            .collect();
    }
    let fail = |kind: PageErrorKind, e: String| {
        let e = PageError::new(kind, e);
        vec![PageOcr::failed(
            src,
            Some(raw.sha256.clone()),
            engine_id,
            e,
            ms(start),
        )]
    };
    let keep = opts
        .rendered_dir()
        .map(|d| input::rendered_png(&d, &raw.sha256));
    let img = match input::decode(src, &raw.bytes, keep.as_deref()) {
        Ok(i) => i,
        Err(e) => return fail(PageErrorKind::Unreadable, e.to_string()),
    };
    profile::add(profile::Step::Decode, t);
    let t = Instant::now();
    if is_blank(&img) {
        let e = format!("{}: blank page (no ink found)", src.shown());
        return fail(PageErrorKind::Blank, e);
    }
    // A photo of a page: the page cut out, made rectangular and evenly lit, before anything else.
    let photo = input::photo::find_page(&img);
    let img = match &photo {
        Some(q) => input::photo::flatten_light(&input::photo::rectify(&img, q)),
        None => img,
    };
    let note = (photo.is_none() && input::camera_photo(&raw.bytes))
        .then(|| input::PHOTO_NOT_FOUND.to_string());
    let placed = |mut p: PageOcr| {
        p.sha256 = Some(raw.sha256.clone());
        p.photo = photo;
        p.capture_note = note.clone();
        p
    };
    let halves = input::spread::halves(&img);
    profile::add(profile::Step::Prepare, t);
    let pages: Vec<PageOcr> = match halves {
        Some(halves) => halves
            .iter()
            .map(|h| {
                let page = src.half(h.side);
                placed(read_page(
                    &page,
                    Some(*h),
                    h.crop(&img),
                    opts,
                    engines,
                    start,
                ))
            })
            .collect(),
        None => vec![placed(read_page(src, None, img, opts, engines, start))],
    };
    if let Some(path) = cache.filter(|_| pages.iter().all(|p| p.error.is_none()))
        && let Ok(json) = serde_json::to_vec(&pages)
    {
        // A cache that cannot be written costs a rerun, never the result.
        let _ = profile::time(profile::Step::Write, || crate::io::write_file(&path, &json));
    }
    pages
}

/// Reads one page's image (a whole image, or one page of a spread): levelled, then recognised, turned
/// and read again when it looks rotated, checked for its script.
fn read_page<B: Backend>(
    src: &PageSource,
    half: Option<input::spread::Half>,
    img: GrayImage,
    opts: &OcrOptions,
    engines: &Engines<B>,
    start: Instant,
) -> PageOcr {
    let engine_id = engines.id.as_str();
    let ms = |s: Instant| s.elapsed().as_millis() as u64;
    let fail = |kind: PageErrorKind, e: String| {
        let e = PageError::new(kind, e);
        PageOcr {
            half,
            ..PageOcr::failed(src, None, engine_id, e, ms(start))
        }
    };
    // A tilted page is levelled first: the layout analysis cuts tilted paragraphs into pieces.
    let t = Instant::now();
    let measured = skew::measure(&img);
    let deskew = measured
        .filter(|(a, clear)| *clear && a.abs() >= DESKEW_MIN)
        .map(|(a, _)| a);
    let img = match deskew {
        Some(a) => input::deskewed(&img, a),
        None => img,
    };
    profile::add(profile::Step::Prepare, t);
    let recognize = |img: &GrayImage| {
        engines
            .ocr
            .with(
                || engines.backend.engine().map_err(|e| e.to_string()),
                |engine| engine.recognize(img, opts.hocr),
            )
            .and_then(|r| r)
    };
    let mut rec = match recognize(&img) {
        Ok(r) => r,
        Err(e) => {
            return fail(PageErrorKind::Engine, format!("{}: {e}", src.shown()));
        }
    };
    // A rotated or foreign page reads badly: ask the detector, turn the page if it says so, keep the
    // better read. Boxes, size and skew are those of the image the kept reading came from.
    let mut rotation = 0u16;
    let mut rotated: Option<GrayImage> = None;
    let mut script_error = None;
    let orientation = || {
        let make = || engines.backend.detector().ok_or_else(String::new);
        engines.osd.with(make, |o| o.detect(&img, 300)).ok()?
    };
    if suspicious(&rec)
        && let Some(o) = orientation()
    {
        if o.degrees != 0 && o.confidence >= 1.0 {
            let fix = (360 - o.degrees) % 360;
            let turned = preprocess::rotate(&img, fix);
            // A page on its side reads a few confident fragments: any reading across the lines wins.
            if let Ok(again) = recognize(&turned)
                && ((rec.sideways && !again.sideways)
                    || again.mean_conf.unwrap_or(0.0) > rec.mean_conf.unwrap_or(0.0))
            {
                rec = again;
                rotation = fix;
                rotated = Some(turned);
            }
        }
        let foreign =
            !matches!(o.script.as_str(), "Han" | "Common" | "") && o.script_confidence >= 1.0;
        if engines.backend.reads_han() && foreign && han_chars(&rec.text) < MIN_HAN_CHARS {
            script_error = Some(PageError::new(
                PageErrorKind::ForeignScript,
                format!(
                    "{}: the page is in {} script, not Chinese (--lang {}); text kept, not used",
                    src.shown(),
                    o.script,
                    engines.backend.lang()
                ),
            ));
        }
    }
    let read = rotated.as_ref().unwrap_or(&img);
    let error = if rec.words.is_empty() {
        Some(PageError::new(
            PageErrorKind::NoText,
            format!("{}: no text recognised", src.shown()),
        ))
    } else {
        script_error
    };
    PageOcr {
        half,
        width: Some(read.width()),
        height: Some(read.height()),
        text: rec.text,
        mean_conf: rec.mean_conf,
        words: rec.words,
        rotation,
        deskew_deg: deskew,
        text_height_px: rec.text_height,
        ocr_scale: rec.scale,
        // The page read as measured before: that measure stands.
        skew_deg: if deskew.is_none() && rotated.is_none() {
            measured.map(|(a, _)| a)
        } else {
            skew::estimate(read)
        },
        millis: ms(start),
        hocr: rec.hocr,
        error,
        alternates: rec.alternates,
        ..PageOcr::blank(src, engine_id)
    }
}

/// OCRs every page in parallel with the engine `opts.engine`, in page order. Pages that fail carry
/// their error.
pub fn run(
    pages: &[PageSource],
    opts: &OcrOptions,
    progress: &dyn Progress,
) -> Result<Vec<PageOcr>, OcrError> {
    opts.engine.run(pages, opts, progress)
}

/// OCRs every page in parallel with the engines `backend` builds, in page order.
pub fn run_with<B: Backend>(
    backend: &B,
    pages: &[PageSource],
    opts: &OcrOptions,
    progress: &dyn Progress,
) -> Result<Vec<PageOcr>, OcrError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| OcrError::Pool(e.to_string()))?;
    // Build the engines up front, one per worker that will have a page, in parallel (a chi_sim load
    // is ~130 ms): a missing or broken model is a clear error before any page is read.
    let built: Vec<B::Engine> = pool.install(|| {
        (0..opts.jobs.clamp(1, pages.len().max(1)))
            .into_par_iter()
            .map(|_| backend.engine())
            .collect::<Result<_, _>>()
    })?;
    let engines = Engines {
        backend,
        id: built
            .first()
            .map(|e| e.id().to_string())
            .unwrap_or_default(),
        ocr: Pool::new(built),
        osd: Pool::new(Vec::new()),
    };
    if let Some(dir) = &opts.cache_dir {
        std::fs::create_dir_all(dir).map_err(|source| OcrError::Write {
            path: dir.clone(),
            source,
        })?;
    }
    progress.start("ocr", pages.len() as u64);
    let mut out: Vec<(usize, Vec<PageOcr>)> = pool.install(|| {
        longest_first(pages)
            .into_iter()
            .par_bridge()
            .map(|i| {
                let src = &pages[i];
                let pages = if opts.cancel.load(Ordering::SeqCst) {
                    let e = PageError::new(PageErrorKind::Interrupted, "interrupted");
                    vec![PageOcr::failed(src, None, &engines.id, e, 0)]
                } else {
                    ocr_one(src, opts, &engines)
                };
                progress.inc(1);
                (i, pages)
            })
            .collect()
    });
    progress.finish();
    out.sort_unstable_by_key(|(i, _)| *i);
    let mut pages = mark_duplicates(out.into_iter().flat_map(|(_, p)| p).collect());
    label_halves(&mut pages);
    Ok(pages)
}

/// The order in which workers take pages: the longest to read first, so that the last pages to finish
/// are short ones and no worker idles long at the end (each worker takes the next page when it is free).
/// A page's bytes predict its OCR time well (correlation 0.98 on the sample scans: text compresses less
/// than paper); a multi-page file's bytes are shared among its pages.
fn longest_first(pages: &[PageSource]) -> Vec<usize> {
    let cost = page_weights(pages);
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost[i]));
    order
}

/// Each page's share of its file's bytes (a file's size read once, divided among the pages from it;
/// 0 for a file that cannot be read — it fails when read, and its page records the error).
pub fn page_weights(pages: &[PageSource]) -> Vec<u64> {
    let mut files: std::collections::HashMap<&Path, (u64, u64)> = Default::default();
    for p in pages {
        files
            .entry(p.path.as_path())
            .or_insert_with(|| (std::fs::metadata(&p.path).map_or(0, |m| m.len()), 0))
            .1 += 1;
    }
    pages
        .iter()
        .map(|p| files.get(p.path.as_path()).map_or(0, |(size, n)| size / n))
        .collect()
}

/// A page whose image is byte-identical to an earlier page's is recorded as a duplicate (an error),
/// so it is neither counted twice nor silently dropped.
pub fn mark_duplicates(mut pages: Vec<PageOcr>) -> Vec<PageOcr> {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in 0..pages.len() {
        // The two pages of one spread share their image's hash: each is its own page.
        let Some(sha) = pages[i]
            .sha256
            .as_ref()
            .map(|s| format!("{s}{}", pages[i].half.map_or("", |h| h.side.suffix())))
        else {
            continue;
        };
        if pages[i].error.is_some() && pages[i].words.is_empty() {
            continue;
        }
        match first.get(&sha) {
            Some(&j) => {
                let (label, file) = (pages[j].label.clone(), pages[j].file.clone());
                let p = &mut pages[i];
                p.error = Some(PageError::new(
                    PageErrorKind::Duplicate,
                    format!(
                        "{}: duplicate of page {label} ({file}); not used twice",
                        p.file
                    ),
                ));
            }
            None => {
                first.insert(sha, i);
            }
        }
    }
    pages
}

/// The printed folio of a page: its last line of text, else its first, when that line is a number of
/// one to four digits and nothing else.
pub fn folio_read(text: &str) -> Option<u32> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    [lines.last(), lines.first()]
        .into_iter()
        .flatten()
        .find(|l| (1..=4).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|l| l.parse().ok())
}

/// Gives the two pages of each spread the labels of their printed folios, `p062` and `p063` (as the
/// committed scans are labelled, so `book.pdf`'s page labels and the review page show them): a half
/// whose folio was not read takes the one next to its other half's. A spread keeps `<file>-L` and
/// `-R` when neither folio was read, when the two read are not consecutive (left even, right odd is
/// not required: books differ), or when another page already has that label.
pub fn label_halves(pages: &mut [PageOcr]) {
    use input::spread::Side;
    let mut taken: std::collections::HashSet<String> =
        pages.iter().map(|p| p.label.clone()).collect();
    let mut i = 0;
    while i + 1 < pages.len() {
        let pair = matches!(
            (pages[i].half, pages[i + 1].half),
            (Some(l), Some(r)) if l.side == Side::Left && r.side == Side::Right
        ) && (pages[i].file.as_str(), pages[i].frame)
            == (pages[i + 1].file.as_str(), pages[i + 1].frame);
        if !pair {
            i += 1;
            continue;
        }
        let read = |p: &PageOcr| p.error.is_none().then(|| folio_read(&p.text)).flatten();
        let left = match (read(&pages[i]), read(&pages[i + 1])) {
            (Some(l), Some(r)) if r == l + 1 => Some(l),
            (Some(l), None) => Some(l),
            (None, Some(r)) if r > 0 => Some(r - 1),
            _ => None,
        };
        if let Some(l) = left {
            let labels = [format!("p{l:03}"), format!("p{:03}", l + 1)];
            if labels.iter().all(|n| !taken.contains(n)) {
                for (k, name) in labels.into_iter().enumerate() {
                    taken.insert(name.clone());
                    pages[i + k].label = name;
                }
            }
        }
        i += 2;
    }
}

/// The hOCR body of a page (as Tesseract's `GetHOCRText` gives it: an `ocr_page` div) from words and
/// their lines, for engines that do not write hOCR themselves. Blocks, paragraphs and lines follow the
/// words' numbering; a line's box is its layout box when known, else its words' extent.
pub fn hocr_from_words(words: &[Word], lines: &[LineBox], width: u32, height: u32) -> String {
    use std::fmt::Write;
    let esc = crate::text::escape_xml;
    let bbox = |x: u32, y: u32, w: u32, h: u32| format!("bbox {x} {y} {} {}", x + w, y + h);
    let span = |ws: &[&Word]| {
        let (x, y, w, h) = runs::extent(ws.iter().copied());
        bbox(x, y, w, h)
    };
    let mut out = format!(
        "  <div class='ocr_page' id='page_1' title='{}'>\n",
        bbox(0, 0, width, height)
    );
    let mut i = 0;
    let mut n = 0;
    while i < words.len() {
        let block = words[i].block;
        let end = words[i..]
            .iter()
            .position(|w| w.block != block)
            .map_or(words.len(), |k| i + k);
        let bw: Vec<&Word> = words[i..end].iter().collect();
        n += 1;
        let _ = writeln!(
            out,
            "   <div class='ocr_carea' id='block_{n}' title='{}'>",
            span(&bw)
        );
        let _ = writeln!(
            out,
            "    <p class='ocr_par' id='par_{n}' title='{}'>",
            span(&bw)
        );
        let mut j = 0;
        while j < bw.len() {
            let key = (bw[j].par, bw[j].line);
            let e = bw[j..]
                .iter()
                .position(|w| (w.par, w.line) != key)
                .map_or(bw.len(), |k| j + k);
            let lw = &bw[j..e];
            let title = lines
                .iter()
                .find(|l| (l.block, l.par, l.line) == (block, key.0, key.1))
                .map_or_else(|| span(lw), |l| bbox(l.x, l.y, l.w, l.h));
            n += 1;
            let _ = write!(
                out,
                "     <span class='ocr_line' id='line_{n}' title='{title}'>"
            );
            for w in lw {
                n += 1;
                let _ = write!(
                    out,
                    "<span class='ocrx_word' id='word_{n}' title='{}; x_wconf {}'>{}</span>",
                    bbox(w.x, w.y, w.w, w.h),
                    w.conf.round() as i32,
                    esc(&w.text)
                );
            }
            out.push_str("</span>\n");
            j = e;
        }
        out.push_str("    </p>\n   </div>\n");
        i = end;
    }
    out.push_str("  </div>\n");
    out
}

/// CER of one page against its truth file.
#[derive(Debug, Clone)]
pub struct PageScore {
    pub label: String,
    pub truth_chars: usize,
    pub edits: usize,
}

/// Compares `<label>.txt` files in `text_dir` with `truth_dir`; a page with no OCR text counts as all
/// wrong (every truth character is an edit).
pub fn evaluate(truth_dir: &Path, text_dir: &Path) -> Result<Vec<PageScore>, OcrError> {
    let rd = std::fs::read_dir(truth_dir).map_err(|source| OcrError::Read {
        path: truth_dir.into(),
        source,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let truth = std::fs::read_to_string(&f).map_err(|source| OcrError::Read {
            path: f.clone(),
            source,
        })?;
        let label = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let hyp =
            std::fs::read_to_string(text_dir.join(format!("{label}.txt"))).unwrap_or_default();
        let (edits, truth_chars) = crate::text::edit_counts(&truth, &hyp);
        out.push(PageScore {
            label,
            truth_chars,
            edits,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod fake_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_halves_take_their_folios_as_labels() {
        use input::spread::{Half, Side};
        let page = |label: &str, file: &str, side: Option<Side>, text: &str| {
            let src = PageSource {
                label: label.into(),
                path: file.into(),
                frame: 0,
                kind: None,
                district: None,
                contents_title: None,
            };
            PageOcr {
                text: text.into(),
                half: side.map(|side| Half {
                    side,
                    x0: 0,
                    x1: 10,
                    y0: 0,
                    y1: 10,
                }),
                ..PageOcr::blank(&src, "fake")
            }
        };
        assert_eq!(folio_read("标题\n正文。\n062\n"), Some(62));
        assert_eq!(folio_read("063\n正文。"), Some(63));
        assert_eq!(folio_read("正文 2023\n年。"), None);
        assert_eq!(folio_read("12345"), None);
        let mut pages = vec![
            page("p061", "a.png", None, "正文\n061"),
            // Both folios read.
            page("s1-L", "s1.png", Some(Side::Left), "正文\n062"),
            page("s1-R", "s1.png", Some(Side::Right), "正文\n063"),
            // Only the right one read: the left is the one before.
            page("s2-L", "s2.png", Some(Side::Left), "正文"),
            page("s2-R", "s2.png", Some(Side::Right), "正文\n065"),
            // Not consecutive: kept.
            page("s3-L", "s3.png", Some(Side::Left), "正文\n070"),
            page("s3-R", "s3.png", Some(Side::Right), "正文\n075"),
            // Taken by another page: kept.
            page("s4-L", "s4.png", Some(Side::Left), "正文\n060"),
            page("s4-R", "s4.png", Some(Side::Right), "正文\n061"),
            // Nothing read: kept.
            page("s5-L", "s5.png", Some(Side::Left), "正文"),
            page("s5-R", "s5.png", Some(Side::Right), "正文"),
        ];
        label_halves(&mut pages);
        let labels: Vec<&str> = pages.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "p061", "p062", "p063", "p064", "p065", "s3-L", "s3-R", "s4-L", "s4-R", "s5-L",
                "s5-R"
            ]
        );
    }

    fn rec(text: &str, conf: f32) -> Recognized {
        Recognized {
            text: text.into(),
            words: Vec::new(),
            lines: Vec::new(),
            text_height: None,
            scale: None,
            mean_conf: Some(conf),
            hocr: None,
            alternates: Vec::new(),
            sideways: false,
        }
    }

    #[test]
    fn suspicious_pages_are_low_confidence_or_mostly_not_han() {
        // A chapter divider (p001 as OCR'd): few characters, nearly all Han, read confidently.
        assert!(!suspicious(&rec("|\n\n浦东新区\n优秀示范案例\n", 90.7)));
        // chi_sim reading an English page: confident, but Latin.
        assert!(suspicious(&rec(
            "The cover picture shows a\nrenovated courtyard in Pudong\n",
            88.0
        )));
        // A rotated page: read badly.
        assert!(suspicious(&rec(
            "一 丨 丶 丿 乙 亅 二 亠 人 儿 入 八 冂 冖 冫 几 凵 刀 力 勹",
            41.0
        )));
        // A dense Chinese page.
        assert!(!suspicious(&rec(&"社区概况东力居民区".repeat(10), 91.0)));
        // Nothing read at all.
        let none = Recognized {
            mean_conf: None,
            ..rec("", 0.0)
        };
        assert!(suspicious(&none));
        // Lines found running down the page, read as a few confident fragments.
        assert!(suspicious(&Recognized {
            sideways: true,
            ..rec("位在图0共等道凶", 98.4)
        }));
    }

    #[test]
    fn pages_are_taken_longest_first_with_multi_page_files_shared() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: usize| {
            let p = dir.path().join(name);
            std::fs::write(&p, vec![0u8; bytes]).unwrap();
            p
        };
        let (small, big, tiff) = (file("a.png", 100), file("b.png", 900), file("c.tif", 1200));
        let src = |path: &Path, frame: u32| PageSource {
            label: format!("{}-{frame}", path.display()),
            path: path.to_path_buf(),
            frame,
            kind: None,
            district: None,
            contents_title: None,
        };
        // The 1200-byte TIFF holds 3 pages of ~400 bytes each; a missing file counts as 0.
        let missing = dir.path().join("gone.png");
        let pages = vec![
            src(&small, 0),
            src(&tiff, 0),
            src(&big, 0),
            src(&missing, 0),
            src(&tiff, 1),
            src(&tiff, 2),
        ];
        assert_eq!(longest_first(&pages), vec![2, 1, 4, 5, 0, 3]);
    }

    #[test]
    fn pool_reuses_idle_engines_and_builds_only_when_none_is_idle() {
        let pool = Pool::new(vec![7u32]);
        let built = std::cell::Cell::new(0);
        let make = || {
            built.set(built.get() + 1);
            Ok(100 + built.get())
        };
        assert_eq!(pool.with(make, |e| *e), Ok(7));
        assert_eq!(built.get(), 0, "the seed engine is used first");
        // Two at once: the second finds none idle and builds one.
        let nested = pool.with(make, |outer| {
            *outer += 1;
            pool.with(make, |inner| *inner).unwrap()
        });
        assert_eq!(nested, Ok(101));
        assert_eq!(built.get(), 1);
        let mut idle = pool.idle.into_inner().unwrap();
        idle.sort();
        assert_eq!(idle, vec![8, 101]);
        let failing: Pool<u32> = Pool::new(Vec::new());
        assert_eq!(
            failing.with(|| Err("no model".into()), |e| *e),
            Err("no model".to_string())
        );
    }
}
