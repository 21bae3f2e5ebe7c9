//! Stage 6, what is published from the dataset: the leadership's digests (one per district plus a
//! city-wide overview, this module), the archive's outputs ([`archive`]: text, hOCR, ALTO, `book.txt`,
//! `book.pdf`), the review page ([`review`]) and the analysts' workbook ([`workbook`]).
//!
//! A digest is first laid out as plain [`Block`]s (so its text is known before any font is chosen),
//! then typeset by [`typeset`] with Typst from the template `templates/digest.typ` and the committed
//! CJK fonts. Charts come from [`charts`] (plotters, same font).

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_core::{edition, io, text};
use greenbook_dataset as dataset;
use greenbook_extract as extract;
use greenbook_input as input;
use greenbook_ocr as ocr;

pub mod archive;
pub mod charts;
mod digest;
pub mod fonts;
mod headline;
pub mod review;
pub mod typeset;
pub mod workbook;

pub use digest::{district_digest, overview};

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::io::FileError;

/// The source line under a digest's tables and charts: the edition's title and year.
fn source_line() -> String {
    let b = &crate::edition::current().book;
    format!("资料来源：《{}》（{}）", b.title, b.year)
}
/// Pages whose mean OCR confidence is below this are listed in the data-quality notes.
pub const LOW_CONFIDENCE: f32 = 80.0;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {message}")]
    Font { path: PathBuf, message: String },
    #[error("{path}: characters missing from the report font ({chars}); refusing to print tofu")]
    MissingGlyphs { path: PathBuf, chars: String },
    #[error("{path}: {message}")]
    Render { path: PathBuf, message: String },
    /// A `--template-dir` template that cannot be read or does not typeset.
    #[error("{path}: {message}")]
    Template { path: PathBuf, message: String },
    /// An output that cannot be written.
    #[error(transparent)]
    File(#[from] FileError),
}

/// One piece of a digest, before typesetting.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Cover title (large, bold, centred).
    Title(String),
    Heading(String),
    Para(String),
    /// Small grey note.
    Note(String),
    Table {
        weights: Vec<usize>,
        header: Vec<String>,
        rows: Vec<Vec<Cell>>,
    },
    Chart(charts::Chart),
    PageBreak,
}

/// A table cell: text, a figure (a column of figures is set right-aligned), or a value the data does
/// not have (printed "—").
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A figure as printed, with its marks: "约8000", "48.5", "1225（校）".
    Figure(String),
    Missing,
}

impl Cell {
    /// What the cell prints.
    pub fn text(&self) -> &str {
        match self {
            Cell::Text(s) | Cell::Figure(s) => s,
            Cell::Missing => "—",
        }
    }

    /// A figure when there is one.
    fn figure(value: Option<String>) -> Cell {
        value.map_or(Cell::Missing, Cell::Figure)
    }

    /// Text when there is some.
    fn text_or_missing(value: Option<String>) -> Cell {
        value.map_or(Cell::Missing, Cell::Text)
    }
}

/// A digest laid out, ready to typeset.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// File name without extension, e.g. "01-浦东新区" or "00-全市概览".
    pub name: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Digest {
    /// Every character the digest will print (chart labels are rasterised and checked separately).
    pub fn text(&self) -> String {
        let mut s = self.title.clone();
        s.push_str(typeset::FOOTER_SAMPLE);
        for b in &self.blocks {
            match b {
                Block::Title(t) | Block::Heading(t) | Block::Para(t) | Block::Note(t) => {
                    s.push_str(t)
                }
                Block::Table { header, rows, .. } => {
                    for c in header {
                        s.push_str(c);
                    }
                    for c in rows.iter().flatten() {
                        s.push_str(c.text());
                    }
                }
                Block::Chart(c) => s.push_str(&c.caption),
                Block::PageBreak => {}
            }
        }
        s
    }
}

impl Digest {
    /// [`Digest::text`] plus the labels drawn inside its charts: everything the fonts must cover.
    pub fn all_text(&self) -> String {
        let mut text = self.text();
        for b in &self.blocks {
            if let Block::Chart(c) = b {
                text.push_str(&c.labels);
            }
        }
        text
    }
}

/// A calendar date (the run's date), checked once where it enters: `--date`, SOURCE_DATE_EPOCH or
/// the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date, when the month is 1–12 and the day within that month (leap years counted).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Options for the digests.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The run's date, printed on the covers and set in book.pdf; the command line resolves it
    /// (`--date`, else SOURCE_DATE_EPOCH, else today).
    pub date: Option<Date>,
    /// Only this district (and the overview).
    pub only_district: Option<String>,
    /// Folder with GreenbookSansSC-Regular.ttf / -Bold.ttf; None: the fonts built into the binary.
    pub font_dir: Option<PathBuf>,
    /// Folder with the digest template `digest.typ` (and anything it reads); None: the built-in one.
    pub template_dir: Option<PathBuf>,
}

/// A written digest.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: usize,
    pub pages: usize,
}

/// Lays out every digest: the overview first, then one per district. Charts are drawn in the regular
/// face of `fonts`, the face their labels are checked against.
pub fn layout_all(ds: &Dataset, opts: &ReportOptions, fonts: &fonts::ReportFonts) -> Vec<Digest> {
    let stamp = opts
        .date
        .map_or_else(|| "日期未注明".to_string(), |d| d.to_string());
    let font = charts::register(&fonts.regular);
    let mut out = vec![overview(ds, &stamp, font)];
    for (i, d) in ds.districts().iter().enumerate() {
        if opts.only_district.as_ref().is_some_and(|only| only != d) {
            continue;
        }
        out.push(district_digest(ds, d, i + 1, &stamp, font));
    }
    out
}

/// Writes every digest into `dir` atomically; returns what was written.
pub fn write_all(
    ds: &Dataset,
    dir: &Path,
    opts: &ReportOptions,
    progress: &dyn crate::io::progress::Progress,
) -> Result<Vec<Written>, ReportError> {
    let fonts = fonts::ReportFonts::load(opts.font_dir.as_deref())?;
    std::fs::create_dir_all(dir).map_err(FileError::write(dir))?;
    let digests = layout_all(ds, opts, &fonts);
    let typesetter = typeset::Typesetter::new(&fonts, opts.template_dir.as_deref())?;
    progress.start("report", digests.len() as u64);
    // One digest per task: the pages of the overview and of a district with cases take the longest.
    use rayon::prelude::*;
    let written = digests
        .par_iter()
        .map(|d| {
            // A district's name comes from the page: made a plain file name.
            let path = dir.join(format!("{}.pdf", crate::io::outputs::safe_name(&d.name)));
            let (bytes, pages) = typesetter.render(d, opts.date, &path)?;
            crate::io::write_atomic(&path, &bytes)?;
            progress.inc(1);
            Ok(Written {
                path,
                bytes: bytes.len(),
                pages,
            })
        })
        .collect::<Result<Vec<_>, ReportError>>()?;
    progress.finish();
    Ok(written)
}
