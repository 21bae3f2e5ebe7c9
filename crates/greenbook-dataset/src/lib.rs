//! Stage 6: the analysts' dataset. Plain row types built from the earlier stages' results, written as
//! typed, zstd-compressed Parquet (with column statistics and key-value metadata) through Polars, and
//! read back into the same row types for `stats` and the reports. The schema is documented in
//! `docs/schema.md`; bump [`SCHEMA_VERSION`] when a column changes.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_book as book;
use greenbook_core::{io, text};
use greenbook_extract as extract;
use greenbook_input as input;
use greenbook_ocr as ocr;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::book::Book;
use crate::extract::{CaseFacts, FIELDS, Field, Flag, Measure, Scope, Values};
use crate::input::PageKind;
use crate::ocr::{PageError, PageErrorKind, PageOcr};
use crate::text::numerals::Qualifier;

pub mod corrections;

pub const SCHEMA_VERSION: &str = "8";
pub const FILES: [&str; 4] = [
    "pages.parquet",
    "contents.parquet",
    "cases.parquet",
    "facts.parquet",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A Parquet file that cannot be read.
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An output that cannot be written.
    #[error("{path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Polars { path: PathBuf, source: PolarsError },
    #[error("{path}: column {column}: {message}")]
    Schema {
        path: PathBuf,
        column: String,
        message: String,
    },
}

/// One row of `pages.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRow {
    pub index: u32,
    pub label: String,
    pub file: String,
    pub frame: u32,
    pub sha256: Option<String>,
    pub kind: Option<PageKind>,
    /// From the book's structure (chapter divider or case subtitle), never from a manifest.
    pub district: Option<String>,
    pub case_id: Option<String>,
    pub text: String,
    pub mean_conf: Option<f32>,
    pub words: u32,
    pub rotation: u32,
    pub text_height_px: Option<f32>,
    pub ocr_scale: Option<f32>,
    pub skew_deg: Option<f32>,
    /// The skew the page was levelled by before it was read, degrees.
    pub deskew_deg: Option<f32>,
    /// `L` or `R` for a page of a two-page spread.
    pub spread_side: Option<String>,
    /// For a photo of a page: the page's corners in the photo (x,y of top-left, top-right,
    /// bottom-right, bottom-left), from which it was rectified and its light flattened.
    pub photo_corners: Option<String>,
    /// What the reader should know of how the page was captured and read (a camera photo in which
    /// no page could be found, read as it is).
    pub capture_note: Option<String>,
    pub ocr_ms: u64,
    pub engine: String,
    pub error: Option<PageError>,
}

/// One row of `contents.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentsRow {
    pub chapter: u32,
    pub district: String,
    pub printed_page: u32,
    pub title: String,
    /// The digitised case matched to this entry, if any.
    pub case_id: Option<String>,
}

/// One row of `cases.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub case_id: String,
    pub district: Option<String>,
    pub town: Option<String>,
    pub community: Option<String>,
    /// Share of the name's occurrences that read `community` (0–1).
    pub community_agreement: Option<f32>,
    /// Other readings of the name on the case's pages.
    pub community_alternatives: Vec<String>,
    /// Figures read for a fact the case has no value for, each refused with why (`field: value
    /// (words: reason)`).
    pub refused: Vec<String>,
    pub title: String,
    pub printed_page: Option<u32>,
    pub first_page: String,
    pub last_page: String,
    /// The six facts, one column each (see [`crate::extract::FIELDS`]).
    pub values: Values,
    /// What a reviewer corrected (the community's name or a fact), in the order corrected; the
    /// column holds their names (`community`, `households`…).
    pub corrected: Vec<corrections::Target>,
    /// A reviewer's correction of the community's name: what OCR read, and the correction's note,
    /// reviewer and date.
    pub community_fix: Option<NameFix>,
}

/// A reviewer's correction of a community's name, beside the name it replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameFix {
    pub ocr: Option<String>,
    pub note: Option<String>,
    pub reviewer: Option<String>,
    pub reviewed_on: Option<String>,
}

/// Where a fact's value comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// Read from the page by OCR and extraction.
    #[default]
    Ocr,
    /// Set by a reviewer's correction (`corrections.csv`).
    Corrected,
}

crate::text::edge_strings!(Source {
    Ocr => "ocr",
    Corrected => "corrected",
});

/// One row of `facts.parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    pub case_id: String,
    pub field: Field,
    pub value: f64,
    pub qualifier: Qualifier,
    pub page: String,
    pub sentence: String,
    pub span_start: u32,
    pub span_end: u32,
    pub rule: String,
    pub page_conf: Option<f32>,
    pub scope: Scope,
    pub ocr_conf: Option<f32>,
    pub confidence: f32,
    pub flags: Vec<Flag>,
    /// Why the figure was taken (None for a fact a reviewer added).
    pub why: Option<String>,
    /// The other figures read for the field and not taken, each with why.
    pub refused: Vec<String>,
    /// The value OCR read, when a correction replaced it (None when OCR found no value).
    pub ocr_value: Option<f64>,
    pub source: Source,
    /// The reviewer's note, name and date of a correction.
    pub note: Option<String>,
    pub reviewer: Option<String>,
    pub reviewed_on: Option<String>,
}

/// Everything the analysts get, as rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub pages: Vec<PageRow>,
    pub contents: Vec<ContentsRow>,
    pub cases: Vec<CaseRow>,
    pub facts: Vec<FactRow>,
}

impl Dataset {
    /// Builds the rows from OCR pages, the book structure read from them, and the extracted facts.
    pub fn build(pages: &[PageOcr], book: &Book, cases: &[CaseFacts]) -> Dataset {
        let page_rows = pages
            .iter()
            .enumerate()
            .map(|(i, p)| PageRow {
                index: i as u32,
                label: p.label.clone(),
                file: p.file.clone(),
                frame: p.frame,
                sha256: p.sha256.clone(),
                kind: p.kind,
                district: book.page_district.get(i).cloned().flatten(),
                case_id: book
                    .page_case
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|c| book.cases[c].id.clone()),
                text: p.text.clone(),
                mean_conf: p.mean_conf,
                words: p.words.len() as u32,
                rotation: u32::from(p.rotation),
                text_height_px: p.text_height_px,
                ocr_scale: p.ocr_scale,
                skew_deg: p.skew_deg,
                deskew_deg: p.deskew_deg,
                spread_side: p.half.map(|h| h.side.suffix().to_string()),
                photo_corners: p.photo.map(|q| {
                    q.corners
                        .iter()
                        .map(|(x, y)| format!("{x:.0},{y:.0}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }),
                capture_note: p.capture_note.clone(),
                ocr_ms: p.millis,
                engine: p.engine.clone(),
                error: p.error.clone(),
            })
            .collect();
        let contents = book
            .contents
            .iter()
            .map(|e| ContentsRow {
                chapter: e.chapter,
                district: e.district.clone(),
                printed_page: e.page,
                title: e.title.clone(),
                case_id: book
                    .cases
                    .iter()
                    .find(|c| c.contents.as_ref() == Some(e))
                    .map(|c| c.id.clone()),
            })
            .collect();
        let label = |i: usize| pages.get(i).map(|p| p.label.clone()).unwrap_or_default();
        let case_rows = book
            .cases
            .iter()
            .zip(cases)
            .map(|(c, f)| CaseRow {
                case_id: c.id.clone(),
                district: c.district.clone(),
                town: c.town.clone(),
                community: c.community.clone(),
                community_agreement: c.name_agreement,
                community_alternatives: c.name_alternatives.clone(),
                refused: f
                    .refused
                    .iter()
                    .map(|r| format!("{}: {}", r.field, r.show()))
                    .collect(),
                title: c
                    .contents
                    .as_ref()
                    .map_or(c.title.clone(), |e| e.title.clone()),
                printed_page: c.contents.as_ref().map(|e| e.page),
                first_page: label(c.first_page),
                last_page: label(c.last_page),
                values: f.values,
                corrected: Vec::new(),
                community_fix: None,
            })
            .collect();
        let facts = cases
            .iter()
            .flat_map(|c| &c.facts)
            .map(|f| FactRow {
                case_id: f.case_id.clone(),
                field: f.field,
                value: f.value,
                qualifier: f.qualifier,
                page: f.page.clone(),
                sentence: f.sentence.clone(),
                span_start: f.span.0 as u32,
                span_end: f.span.1 as u32,
                rule: f.rule.to_string(),
                page_conf: f.page_conf,
                scope: f.scope.clone(),
                ocr_conf: f.ocr_conf,
                confidence: f.confidence,
                flags: f.flags.clone(),
                why: Some(f.why.clone()),
                refused: f.refused.iter().map(|r| r.show()).collect(),
                ocr_value: None,
                source: Source::Ocr,
                note: None,
                reviewer: None,
                reviewed_on: None,
            })
            .collect();
        Dataset {
            pages: page_rows,
            contents,
            cases: case_rows,
            facts,
        }
    }

    /// Districts in contents (chapter) order, then any named only by a case's subtitle.
    pub fn districts(&self) -> Vec<String> {
        let mut v: Vec<(u32, String)> = Vec::new();
        for c in &self.contents {
            if !v.iter().any(|(_, d)| d == &c.district) {
                v.push((c.chapter, c.district.clone()));
            }
        }
        for c in &self.cases {
            if let Some(d) = &c.district
                && !v.iter().any(|(_, x)| x == d)
            {
                v.push((u32::MAX, d.clone()));
            }
        }
        v.sort_by_key(|(ch, _)| *ch);
        v.into_iter().map(|(_, d)| d).collect()
    }

    /// The facts of one case.
    pub fn facts_of<'a>(&'a self, case_id: &'a str) -> impl Iterator<Item = &'a FactRow> + 'a {
        self.facts.iter().filter(move |f| f.case_id == case_id)
    }

    /// Writes the four Parquet files into `dir`, each atomically.
    pub fn write(&self, dir: &Path, source: &str) -> Result<(), StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let frames = [
            ("pages.parquet", self.pages_frame()),
            ("contents.parquet", self.contents_frame()),
            ("cases.parquet", self.cases_frame()),
            ("facts.parquet", self.facts_frame()),
        ];
        for (name, df) in frames {
            let path = dir.join(name);
            let mut df = df.map_err(|source| StoreError::Polars {
                path: path.clone(),
                source,
            })?;
            write_parquet(&path, &mut df, source, !self.contents.is_empty())?;
        }
        Ok(())
    }

    fn pages_frame(&self) -> PolarsResult<DataFrame> {
        let p = &self.pages;
        frame(vec![
            col("page_index", p.iter().map(|r| r.index).collect::<Vec<_>>()),
            col("label", strs(p, |r| &r.label)),
            col("file", strs(p, |r| &r.file)),
            col("frame", p.iter().map(|r| r.frame).collect::<Vec<_>>()),
            col("sha256", opt_strs(p, |r| &r.sha256)),
            col(
                "kind",
                p.iter()
                    .map(|r| r.kind.map(PageKind::as_str))
                    .collect::<Vec<_>>(),
            ),
            col("district", opt_strs(p, |r| &r.district)),
            col("case_id", opt_strs(p, |r| &r.case_id)),
            col("text", strs(p, |r| &r.text)),
            col(
                "mean_conf",
                p.iter().map(|r| r.mean_conf).collect::<Vec<_>>(),
            ),
            col("words", p.iter().map(|r| r.words).collect::<Vec<_>>()),
            col("rotation", p.iter().map(|r| r.rotation).collect::<Vec<_>>()),
            col(
                "text_height_px",
                p.iter().map(|r| r.text_height_px).collect::<Vec<_>>(),
            ),
            col(
                "ocr_scale",
                p.iter().map(|r| r.ocr_scale).collect::<Vec<_>>(),
            ),
            col("skew_deg", p.iter().map(|r| r.skew_deg).collect::<Vec<_>>()),
            col(
                "deskew_deg",
                p.iter().map(|r| r.deskew_deg).collect::<Vec<_>>(),
            ),
            col("spread_side", opt_strs(p, |r| &r.spread_side)),
            col("photo_corners", opt_strs(p, |r| &r.photo_corners)),
            col("capture_note", opt_strs(p, |r| &r.capture_note)),
            col("ocr_ms", p.iter().map(|r| r.ocr_ms).collect::<Vec<_>>()),
            col("engine", strs(p, |r| &r.engine)),
            col(
                "error",
                p.iter()
                    .map(|r| r.error.as_ref().map(|e| e.message.as_str()))
                    .collect::<Vec<_>>(),
            ),
            col(
                "error_kind",
                p.iter()
                    .map(|r| r.error.as_ref().map(|e| e.kind.as_str()))
                    .collect::<Vec<_>>(),
            ),
        ])
    }

    fn contents_frame(&self) -> PolarsResult<DataFrame> {
        let c = &self.contents;
        frame(vec![
            col("chapter", c.iter().map(|r| r.chapter).collect::<Vec<_>>()),
            col("district", strs(c, |r| &r.district)),
            col(
                "printed_page",
                c.iter().map(|r| r.printed_page).collect::<Vec<_>>(),
            ),
            col("title", strs(c, |r| &r.title)),
            col("case_id", opt_strs(c, |r| &r.case_id)),
        ])
    }

    fn cases_frame(&self) -> PolarsResult<DataFrame> {
        let c = &self.cases;
        let mut columns = vec![
            col("case_id", strs(c, |r| &r.case_id)),
            col("district", opt_strs(c, |r| &r.district)),
            col("town", opt_strs(c, |r| &r.town)),
            col("community", opt_strs(c, |r| &r.community)),
            col(
                "community_agreement",
                c.iter().map(|r| r.community_agreement).collect::<Vec<_>>(),
            ),
            str_list("refused", c, |r| {
                r.refused.iter().map(String::as_str).collect()
            }),
            str_list("community_alternatives", c, |r| {
                r.community_alternatives
                    .iter()
                    .map(String::as_str)
                    .collect()
            }),
            col("title", strs(c, |r| &r.title)),
            col(
                "printed_page",
                c.iter().map(|r| r.printed_page).collect::<Vec<_>>(),
            ),
            col("first_page", strs(c, |r| &r.first_page)),
            col("last_page", strs(c, |r| &r.last_page)),
            str_list("corrected", c, |r| {
                r.corrected.iter().map(|t| t.name()).collect()
            }),
            col("community_ocr", fix_strs(c, |f| &f.ocr)),
            col("community_note", fix_strs(c, |f| &f.note)),
            col("community_reviewer", fix_strs(c, |f| &f.reviewer)),
            col("community_reviewed_on", fix_strs(c, |f| &f.reviewed_on)),
        ];
        columns.extend(FIELDS.iter().map(|spec| {
            let values = c.iter().map(|r| r.values.get(spec.field));
            match spec.measure {
                Measure::Count => col(
                    spec.name,
                    values.map(|v| v.map(|v| v as i64)).collect::<Vec<_>>(),
                ),
                Measure::Year => col(
                    spec.name,
                    values.map(|v| v.map(|v| v as i32)).collect::<Vec<_>>(),
                ),
                Measure::Percent => col(spec.name, values.collect::<Vec<_>>()),
            }
        }));
        frame(columns)
    }

    fn facts_frame(&self) -> PolarsResult<DataFrame> {
        let f = &self.facts;
        frame(vec![
            col("case_id", strs(f, |r| &r.case_id)),
            col(
                "field",
                f.iter().map(|r| r.field.name()).collect::<Vec<_>>(),
            ),
            col("value", f.iter().map(|r| r.value).collect::<Vec<_>>()),
            col("unit", f.iter().map(|r| r.field.unit()).collect::<Vec<_>>()),
            col(
                "qualifier",
                f.iter().map(|r| r.qualifier.as_str()).collect::<Vec<_>>(),
            ),
            col("page", non_empty(f, |r| &r.page)),
            col("sentence", non_empty(f, |r| &r.sentence)),
            col(
                "span_start",
                f.iter().map(|r| r.span_start).collect::<Vec<_>>(),
            ),
            col("span_end", f.iter().map(|r| r.span_end).collect::<Vec<_>>()),
            col("rule", strs(f, |r| &r.rule)),
            col(
                "page_conf",
                f.iter().map(|r| r.page_conf).collect::<Vec<_>>(),
            ),
            col(
                "scope",
                f.iter().map(|r| r.scope.column()).collect::<Vec<_>>(),
            ),
            col("ocr_conf", f.iter().map(|r| r.ocr_conf).collect::<Vec<_>>()),
            col(
                "confidence",
                f.iter().map(|r| r.confidence).collect::<Vec<_>>(),
            ),
            str_list("flags", f, |r| r.flags.iter().map(|x| x.as_str()).collect()),
            col("why", opt_strs(f, |r| &r.why)),
            str_list("refused", f, |r| {
                r.refused.iter().map(String::as_str).collect()
            }),
            col(
                "ocr_value",
                f.iter().map(|r| r.ocr_value).collect::<Vec<_>>(),
            ),
            col(
                "source",
                f.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
            ),
            col("note", opt_strs(f, |r| &r.note)),
            col("reviewer", opt_strs(f, |r| &r.reviewer)),
            col("reviewed_on", opt_strs(f, |r| &r.reviewed_on)),
        ])
    }

    /// Reads the four Parquet files back from `dir`.
    pub fn read(dir: &Path) -> Result<Dataset, StoreError> {
        let pages = Table::open(&dir.join("pages.parquet"))?;
        let contents = Table::open(&dir.join("contents.parquet"))?;
        let cases = Table::open(&dir.join("cases.parquet"))?;
        let facts = Table::open(&dir.join("facts.parquet"))?;
        let mut ds = Dataset::default();
        for i in 0..pages.height() {
            ds.pages.push(PageRow {
                index: pages.u32("page_index", i)?.unwrap_or(i as u32),
                label: pages.string("label", i)?.unwrap_or_default(),
                file: pages.string("file", i)?.unwrap_or_default(),
                frame: pages.u32("frame", i)?.unwrap_or(0),
                sha256: pages.string("sha256", i)?,
                kind: pages.parsed("kind", i, PageKind::parse)?,
                district: pages.string("district", i)?,
                case_id: pages.string("case_id", i)?,
                text: pages.string("text", i)?.unwrap_or_default(),
                mean_conf: pages.f32("mean_conf", i)?,
                words: pages.u32("words", i)?.unwrap_or(0),
                rotation: pages.u32("rotation", i)?.unwrap_or(0),
                text_height_px: pages.f32("text_height_px", i)?,
                ocr_scale: pages.f32("ocr_scale", i)?,
                skew_deg: pages.f32("skew_deg", i)?,
                deskew_deg: pages.f32("deskew_deg", i)?,
                spread_side: pages.string("spread_side", i)?,
                photo_corners: pages.string("photo_corners", i)?,
                capture_note: pages.string("capture_note", i)?,
                ocr_ms: pages.u64("ocr_ms", i)?.unwrap_or(0),
                engine: pages.string("engine", i)?.unwrap_or_default(),
                error: match pages.string("error", i)? {
                    None => None,
                    Some(message) => Some(PageError {
                        kind: pages
                            .parsed("error_kind", i, PageErrorKind::parse)?
                            .unwrap_or(PageErrorKind::Unreadable),
                        message,
                    }),
                },
            });
        }
        for i in 0..contents.height() {
            ds.contents.push(ContentsRow {
                chapter: contents.u32("chapter", i)?.unwrap_or(0),
                district: contents.string("district", i)?.unwrap_or_default(),
                printed_page: contents.u32("printed_page", i)?.unwrap_or(0),
                title: contents.string("title", i)?.unwrap_or_default(),
                case_id: contents.string("case_id", i)?,
            });
        }
        for i in 0..cases.height() {
            ds.cases.push(CaseRow {
                case_id: cases.string("case_id", i)?.unwrap_or_default(),
                district: cases.string("district", i)?,
                town: cases.string("town", i)?,
                community: cases.string("community", i)?,
                community_agreement: cases.f32("community_agreement", i)?,
                community_alternatives: cases.strings("community_alternatives", i)?,
                refused: cases.strings("refused", i)?,
                title: cases.string("title", i)?.unwrap_or_default(),
                printed_page: cases.u32("printed_page", i)?,
                first_page: cases.string("first_page", i)?.unwrap_or_default(),
                last_page: cases.string("last_page", i)?.unwrap_or_default(),
                values: {
                    let mut v = Values::default();
                    for spec in &FIELDS {
                        v.set(
                            spec.field,
                            match spec.measure {
                                Measure::Count => cases.i64(spec.name, i)?.map(|x| x as f64),
                                Measure::Year => cases.i32(spec.name, i)?.map(f64::from),
                                Measure::Percent => cases.f64(spec.name, i)?,
                            },
                        );
                    }
                    v
                },
                corrected: cases.targets("corrected", i)?,
                community_fix: {
                    let fix = NameFix {
                        ocr: cases.string("community_ocr", i)?,
                        note: cases.string("community_note", i)?,
                        reviewer: cases.string("community_reviewer", i)?,
                        reviewed_on: cases.string("community_reviewed_on", i)?,
                    };
                    (fix != NameFix::default()).then_some(fix)
                },
            });
        }
        for i in 0..facts.height() {
            ds.facts.push(FactRow {
                case_id: facts.string("case_id", i)?.unwrap_or_default(),
                field: facts.required("field", i, Field::parse)?,
                value: facts.f64("value", i)?.unwrap_or(f64::NAN),
                qualifier: facts.required("qualifier", i, Qualifier::parse)?,
                page: facts.string("page", i)?.unwrap_or_default(),
                sentence: facts.string("sentence", i)?.unwrap_or_default(),
                span_start: facts.u32("span_start", i)?.unwrap_or(0),
                span_end: facts.u32("span_end", i)?.unwrap_or(0),
                rule: facts.string("rule", i)?.unwrap_or_default(),
                page_conf: facts.f32("page_conf", i)?,
                scope: Scope::from_column(facts.string("scope", i)?.as_deref()),
                ocr_conf: facts.f32("ocr_conf", i)?,
                confidence: facts.f32("confidence", i)?.unwrap_or(0.0),
                flags: facts.flags("flags", i)?,
                why: facts.string("why", i)?,
                refused: facts.strings("refused", i)?,
                ocr_value: facts.f64("ocr_value", i)?,
                source: facts.required("source", i, Source::parse)?,
                note: facts.string("note", i)?,
                reviewer: facts.string("reviewer", i)?,
                reviewed_on: facts.string("reviewed_on", i)?,
            });
        }
        Ok(ds)
    }
}

fn col<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Series::new(name.into(), values).into_column()
}

fn strs<R>(rows: &[R], f: impl Fn(&R) -> &String) -> Vec<&str> {
    rows.iter().map(|r| f(r).as_str()).collect()
}

/// A text column of the cases' name corrections (null where there is none, or the part is empty).
fn fix_strs(rows: &[CaseRow], part: impl Fn(&NameFix) -> &Option<String>) -> Vec<Option<&str>> {
    rows.iter()
        .map(|r| r.community_fix.as_ref().and_then(|f| part(f).as_deref()))
        .collect()
}

/// A text column where an empty string (a corrected fact with no OCR provenance) is null.
fn non_empty<R>(rows: &[R], f: impl Fn(&R) -> &String) -> Vec<Option<&str>> {
    rows.iter()
        .map(|r| Some(f(r).as_str()).filter(|s| !s.is_empty()))
        .collect()
}

fn opt_strs<R>(rows: &[R], f: impl Fn(&R) -> &Option<String>) -> Vec<Option<&str>> {
    rows.iter().map(|r| f(r).as_deref()).collect()
}

/// A List(String) column: the strings `f` gives for each row.
fn str_list<'a, R>(name: &str, rows: &'a [R], f: impl Fn(&'a R) -> Vec<&'a str>) -> Column {
    rows.iter()
        .map(|r| Some(Series::new("".into(), f(r))))
        .collect::<ListChunked>()
        .with_name(name.into())
        .into_column()
}

fn frame(columns: Vec<Column>) -> PolarsResult<DataFrame> {
    let height = columns.first().map_or(0, |c| c.len());
    DataFrame::new(height, columns)
}

/// Writes one frame as zstd Parquet with full statistics and greenbook's key-value metadata,
/// atomically (temp file + rename).
fn write_parquet(
    path: &Path,
    df: &mut DataFrame,
    source: &str,
    contents: bool,
) -> Result<(), StoreError> {
    let meta = KeyValueMetadata::from_static(vec![
        (
            "greenbook.version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (
            "greenbook.schema_version".to_string(),
            SCHEMA_VERSION.to_string(),
        ),
        ("greenbook.source".to_string(), source.to_string()),
        // Whether the scans held the contents pages: without them, cases come from their subtitles
        // alone (no printed page numbers, ids from page labels).
        (
            "greenbook.contents".to_string(),
            if contents { "found" } else { "absent" }.to_string(),
        ),
        (
            "greenbook.table".to_string(),
            path.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
        ),
    ]);
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .with_key_value_metadata(Some(meta))
        .finish(df)
        .map_err(|source| StoreError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
    crate::io::write_atomic(path, &buf).map_err(|source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// A Parquet file read back, with typed, checked access by column name.
pub struct Table {
    path: PathBuf,
    df: DataFrame,
}

impl Table {
    pub fn open(path: &Path) -> Result<Table, StoreError> {
        let file = std::fs::File::open(path).map_err(|source| StoreError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let df = ParquetReader::new(file)
            .finish()
            .map_err(|source| StoreError::Polars {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Table {
            path: path.to_path_buf(),
            df,
        })
    }

    pub fn height(&self) -> usize {
        self.df.height()
    }

    pub fn frame(&self) -> &DataFrame {
        &self.df
    }

    /// The key-value metadata of a Parquet file.
    pub fn metadata(path: &Path) -> Result<Vec<(String, String)>, StoreError> {
        let file = std::fs::File::open(path).map_err(|source| StoreError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = ParquetReader::new(file);
        let md = reader.get_metadata().map_err(|source| StoreError::Polars {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(md
            .key_value_metadata()
            .iter()
            .flatten()
            .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
            .collect())
    }

    fn column(&self, name: &str) -> Result<&Column, StoreError> {
        self.df.column(name).map_err(|e| StoreError::Schema {
            path: self.path.clone(),
            column: name.to_string(),
            message: e.to_string(),
        })
    }

    fn bad(&self, name: &str, e: PolarsError) -> StoreError {
        StoreError::Schema {
            path: self.path.clone(),
            column: name.to_string(),
            message: e.to_string(),
        }
    }

    pub fn string(&self, name: &str, i: usize) -> Result<Option<String>, StoreError> {
        let c = self.column(name)?;
        let ca = c.str().map_err(|e| self.bad(name, e))?;
        Ok(ca.get(i).map(str::to_string))
    }

    /// A List(String) column's list in row `i` (empty for a null).
    pub fn strings(&self, name: &str, i: usize) -> Result<Vec<String>, StoreError> {
        let c = self.column(name)?;
        let list = c.list().map_err(|e| self.bad(name, e))?;
        let Some(series) = list.get_as_series(i) else {
            return Ok(Vec::new());
        };
        let strs = series.str().map_err(|e| self.bad(name, e))?;
        Ok(strs.iter().flatten().map(str::to_string).collect())
    }

    /// A List(String) column of what reviewers corrected.
    pub fn targets(&self, name: &str, i: usize) -> Result<Vec<corrections::Target>, StoreError> {
        self.strings(name, i)?
            .iter()
            .map(|s| {
                corrections::Target::parse(s).ok_or_else(|| StoreError::Schema {
                    path: self.path.clone(),
                    column: name.to_string(),
                    message: format!("row {i}: unknown corrected field '{s}'"),
                })
            })
            .collect()
    }

    /// A List(String) column of flags.
    pub fn flags(&self, name: &str, i: usize) -> Result<Vec<Flag>, StoreError> {
        self.strings(name, i)?
            .iter()
            .map(|s| {
                Flag::parse(s).ok_or_else(|| StoreError::Schema {
                    path: self.path.clone(),
                    column: name.to_string(),
                    message: format!("row {i}: unknown flag '{s}'"),
                })
            })
            .collect()
    }

    /// A string column read into a type; a value it does not know is a schema error naming it.
    pub fn parsed<T>(
        &self,
        name: &str,
        i: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match self.string(name, i)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| StoreError::Schema {
                path: self.path.clone(),
                column: name.to_string(),
                message: format!("row {i}: unknown value '{s}'"),
            }),
        }
    }

    /// Like [`Table::parsed`], for a column that may not be null.
    pub fn required<T>(
        &self,
        name: &str,
        i: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        self.parsed(name, i, parse)?
            .ok_or_else(|| StoreError::Schema {
                path: self.path.clone(),
                column: name.to_string(),
                message: format!("row {i}: null"),
            })
    }
}

macro_rules! typed_getter {
    ($name:ident, $ty:ty, $method:ident) => {
        impl Table {
            pub fn $name(&self, name: &str, i: usize) -> Result<Option<$ty>, StoreError> {
                let c = self.column(name)?;
                let ca = c.$method().map_err(|e| self.bad(name, e))?;
                Ok(ca.get(i))
            }
        }
    };
}
typed_getter!(u32, u32, u32);
typed_getter!(u64, u64, u64);
typed_getter!(i32, i32, i32);
typed_getter!(i64, i64, i64);
typed_getter!(f32, f32, f32);
typed_getter!(f64, f64, f64);

/// Summary statistics of one numeric field over some cases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub sum: f64,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// n, sum, mean, median, min, max of the values present; None when there are none.
pub fn summarize(values: impl IntoIterator<Item = f64>) -> Option<Summary> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let sum: f64 = v.iter().sum();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Summary {
        n,
        sum,
        mean: sum / n as f64,
        median,
        min: v[0],
        max: v[n - 1],
    })
}

/// The per-district summary `greenbook stats` prints.
pub fn stats_table(ds: &Dataset) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10}	{:>8}	{:>9}	{:>5}	mean / median per fact",
        "district", "contents", "digitised", "facts"
    );
    let mut rows: Vec<(String, Vec<&CaseRow>, usize)> = ds
        .districts()
        .iter()
        .map(|d| {
            let cases: Vec<&CaseRow> = ds
                .cases
                .iter()
                .filter(|c| c.district.as_deref() == Some(d))
                .collect();
            let listed = ds.contents.iter().filter(|c| &c.district == d).count();
            (d.clone(), cases, listed)
        })
        .collect();
    rows.push((
        "全市".to_string(),
        ds.cases.iter().collect(),
        ds.contents.len(),
    ));
    for (d, cases, listed) in rows {
        let facts = ds
            .facts
            .iter()
            .filter(|f| cases.iter().any(|c| c.case_id == f.case_id))
            .count();
        let mut parts = Vec::new();
        for f in Field::ALL {
            if let Some(s) = summarize(cases.iter().filter_map(|c| c.values.get(f))) {
                parts.push(format!(
                    "{} {} / {} (n={})",
                    f.name(),
                    crate::text::fmt_plain(s.mean),
                    crate::text::fmt_plain(s.median),
                    s.n
                ));
            }
        }
        let detail = if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join("; ")
        };
        let _ = writeln!(
            out,
            "{:<10}\t{:>8}\t{:>9}\t{:>5}\t{}",
            d,
            listed,
            cases.len(),
            facts,
            detail
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let s = summarize([3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!(
            (s.n, s.min, s.max, s.median, s.mean),
            (4, 1.0, 10.0, 2.5, 4.0)
        );
        assert!(summarize(std::iter::empty()).is_none());
    }

    /// A page's district comes from the book's structure; a manifest's district column is not used
    /// (nothing would show that structure detection had failed).
    #[test]
    fn page_districts_come_from_the_structure_not_the_manifest() {
        let page = |label: &str, text: &str| PageOcr {
            label: label.into(),
            file: format!("{label}.png"),
            frame: 0,
            sha256: None,
            kind: Some(PageKind::Case),
            district: Some("浦东新区".into()),
            contents_title: None,
            width: None,
            height: None,
            text: text.into(),
            mean_conf: Some(90.0),
            words: Vec::new(),
            rotation: 0,
            deskew_deg: None,
            capture_note: None,
            half: None,
            photo: None,
            text_height_px: None,
            ocr_scale: None,
            skew_deg: None,
            millis: 0,
            engine: "test".into(),
            hocr: None,
            error: None,
            cached: false,
            alternates: Vec::new(),
        };
        let pages = [
            page("p1", "一段没有结构的文字。"),
            page(
                "p2",
                "向绿而行\n——黄浦区外滩街道金陵居民区\n社区概况\n外滩街道常住人口约5.2万人。共有800户。",
            ),
        ];
        let texts: Vec<crate::book::PageText> = pages
            .iter()
            .map(|p| crate::book::PageText {
                conf: p.mean_conf,
                ..crate::book::PageText::transcription(&p.label, &p.file, p.text.clone())
            })
            .collect();
        let book = crate::book::read(&texts);
        let facts = crate::extract::extract(&book, &texts);
        let ds = Dataset::build(&pages, &book, &facts);
        assert_eq!(ds.pages[0].district, None, "not the manifest's 浦东新区");
        assert_eq!(ds.pages[1].district.as_deref(), Some("黄浦区"));
        assert_eq!(ds.cases[0].values.int(Field::Households), Some(800));
        // Why each figure was taken, and what was refused for a fact left null, survive the Parquet
        // files.
        let dir = std::env::temp_dir().join(format!("greenbook-store-{}", std::process::id()));
        ds.write(&dir, "test").unwrap();
        let back = Dataset::read(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(back.cases[0].values.int(Field::Population), None);
        assert_eq!(
            back.cases[0].refused.len(),
            1,
            "{:?}",
            back.cases[0].refused
        );
        assert!(
            back.cases[0].refused[0].starts_with("population: 52,000 (")
                && back.cases[0].refused[0].contains("外滩街道")
        );
        let hh = back
            .facts
            .iter()
            .find(|f| f.field == Field::Households)
            .unwrap();
        assert!(
            hh.why
                .as_deref()
                .is_some_and(|w| w.contains("800") && w.contains("this community"))
        );
    }
}
