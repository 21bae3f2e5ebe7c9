//! What the OCR stage hands on and is set up with: its errors, a page's words and lines, what an engine
//! returns, the seams the page loop is generic over ([`Engine`], [`Detector`], [`Backend`]), a page's
//! result ([`PageOcr`]) and the stage's options.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::engines::{self, tesseract};
use crate::input::{self, PageKind, PageSource};
use crate::io::FileError;

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
    /// An input (truth file, folder, model dictionary) that cannot be read, or an output (the
    /// cache) that cannot be written.
    #[error(transparent)]
    File(#[from] FileError),
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

impl Word {
    /// One word covering the whole of `line`, read as `text` with confidence `conf`.
    pub fn on_line(text: impl Into<String>, conf: f32, line: &LineBox) -> Word {
        Word {
            text: text.into(),
            conf,
            block: line.block,
            par: line.par,
            line: line.line,
            x: line.x,
            y: line.y,
            w: line.w,
            h: line.h,
            char_conf: Vec::new(),
        }
    }
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

/// What OCR read on a page and how: what the dataset keeps of each page (`pages.parquet` adds the
/// page's place in the book's structure).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub label: String,
    pub file: String,
    pub frame: u32,
    pub sha256: Option<String>,
    pub kind: Option<PageKind>,
    pub text: String,
    /// Mean word confidence, 0–100; None when no word was recognised.
    pub mean_conf: Option<f32>,
    /// Rotation applied before recognition (0, 90, 180, 270 degrees clockwise).
    pub rotation: u16,
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
    pub error: Option<PageError>,
}

/// Everything known about one page after OCR: the [`Reading`], and what the later stages need of
/// the image and the manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageOcr {
    #[serde(flatten)]
    pub reading: Reading,
    /// The manifest's district and contents title (a hint; the book's structure decides).
    pub district: Option<String>,
    pub contents_title: Option<String>,
    /// Size of the image the word boxes refer to (after any rotation).
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub words: Vec<Word>,
    /// The page found in a photo (its corners and size), rectified and its light flattened before
    /// anything else, when the image is a photo of a page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<input::photo::Quad>,
    /// The page of a two-page spread this is (its side and columns of the image), when the image is
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half: Option<input::spread::Half>,
    pub hocr: Option<String>,
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
            rotation: self.reading.rotation,
            deskew_deg: self.reading.deskew_deg,
        }
    }

    /// Where this page's image is: its file and frame, with its place in the book.
    pub fn source(&self) -> PageSource {
        PageSource {
            label: self.reading.label.clone(),
            path: self.reading.file.clone().into(),
            frame: self.reading.frame,
            kind: self.reading.kind,
            district: self.district.clone(),
            contents_title: self.contents_title.clone(),
        }
    }

    /// A page with nothing read yet: its place in the book from `src`, everything else empty.
    pub fn blank(src: &PageSource, engine: &str) -> Self {
        PageOcr {
            reading: Reading {
                label: src.label.clone(),
                file: src.path.display().to_string(),
                frame: src.frame,
                kind: src.kind,
                engine: engine.to_string(),
                ..Reading::default()
            },
            district: src.district.clone(),
            contents_title: src.contents_title.clone(),
            ..PageOcr::default()
        }
    }

    /// This page's result placed where `src` puts it in this run's book (for cache hits: the cache
    /// knows the image, not where it sits).
    pub(crate) fn placed(self, src: &PageSource) -> Self {
        let at = match self.half {
            Some(h) => PageOcr::blank(&src.half(h.side), &self.reading.engine),
            None => PageOcr::blank(src, &self.reading.engine),
        };
        PageOcr {
            reading: Reading {
                label: at.reading.label,
                file: at.reading.file,
                frame: at.reading.frame,
                kind: at.reading.kind,
                ..self.reading
            },
            district: at.district,
            contents_title: at.contents_title,
            ..self
        }
    }

    pub(crate) fn failed(
        src: &PageSource,
        sha256: Option<String>,
        engine: &str,
        error: PageError,
        millis: u64,
    ) -> Self {
        let blank = PageOcr::blank(src, engine);
        PageOcr {
            reading: Reading {
                sha256,
                millis,
                error: Some(error),
                ..blank.reading
            },
            ..blank
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
            cancel: &crate::CANCEL,
        }
    }
}
