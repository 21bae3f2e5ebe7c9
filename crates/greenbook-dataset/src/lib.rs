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

use polars_core::prelude::*;
use polars_io::prelude::*;

use crate::book::Book;
use crate::extract::{CaseFacts, Field, Figure, Flag, Values};
use crate::io::FileError;
use crate::ocr::{PageOcr, Reading};

pub mod columns;
pub mod corrections;
mod tables;

pub const SCHEMA_VERSION: &str = "8";
pub const FILES: [&str; 4] = [
    "pages.parquet",
    "contents.parquet",
    "cases.parquet",
    "facts.parquet",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A Parquet file that cannot be read, or an output that cannot be written.
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: {source}")]
    Polars { path: PathBuf, source: PolarsError },
    #[error("{path}: column {column}: {message}")]
    Schema {
        path: PathBuf,
        column: String,
        message: String,
    },
}

/// One row of `pages.parquet`: what OCR read on the page, and its place in the book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRow {
    pub index: u32,
    pub reading: Reading,
    /// From the book's structure (chapter divider or case subtitle), never from a manifest.
    pub district: Option<String>,
    pub case_id: Option<String>,
    pub words: u32,
    /// `L` or `R` for a page of a two-page spread.
    pub spread_side: Option<String>,
    /// For a photo of a page: the page's corners in the photo (x,y of top-left, top-right,
    /// bottom-right, bottom-left), from which it was rectified and its light flattened.
    pub photo_corners: Option<String>,
}

/// One row of `contents.parquet`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentsRow {
    pub chapter: u32,
    pub district: String,
    pub printed_page: u32,
    pub title: String,
    /// The digitised case matched to this entry, if any.
    pub case_id: Option<String>,
}

/// One row of `cases.parquet`.
#[derive(Debug, Clone, Default, PartialEq)]
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

/// One row of `facts.parquet`: the figure, as extraction took it or a reviewer set it.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    pub figure: Figure,
    /// Which rule took it (`households:unit户`), or `corrected` for a fact a reviewer added.
    pub rule: String,
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
        let label = |i: usize| {
            pages
                .get(i)
                .map(|p| p.reading.label.clone())
                .unwrap_or_default()
        };
        Dataset {
            pages: pages
                .iter()
                .enumerate()
                .map(|(i, p)| PageRow::of(i, p, book))
                .collect(),
            contents,
            cases: book
                .cases
                .iter()
                .zip(cases)
                .map(|(c, f)| CaseRow::of(c, f, &label))
                .collect(),
            facts: cases
                .iter()
                .flat_map(|c| &c.facts)
                .map(FactRow::of)
                .collect(),
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
        self.facts
            .iter()
            .filter(move |f| f.figure.case_id == case_id)
    }

    /// Writes the four Parquet files into `dir`, each atomically.
    pub fn write(&self, dir: &Path, source: &str) -> Result<(), StoreError> {
        std::fs::create_dir_all(dir).map_err(FileError::write(dir))?;
        let frames = [
            ("pages.parquet", columns::frame(&self.pages)),
            ("contents.parquet", columns::frame(&self.contents)),
            ("cases.parquet", columns::frame(&self.cases)),
            ("facts.parquet", columns::frame(&self.facts)),
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

    /// Reads the four Parquet files back from `dir`, each column by its table ([`columns`]).
    pub fn read(dir: &Path) -> Result<Dataset, StoreError> {
        let table = |name: &str| Table::open(&dir.join(name));
        Ok(Dataset {
            pages: columns::rows(&table("pages.parquet")?)?,
            contents: columns::rows(&table("contents.parquet")?)?,
            cases: columns::rows(&table("cases.parquet")?)?,
            facts: columns::rows(&table("facts.parquet")?)?,
        })
    }
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
    crate::io::write_atomic(path, &buf).map_err(Into::into)
}

/// A Parquet file read back, with typed, checked access by column name.
pub struct Table {
    path: PathBuf,
    df: DataFrame,
}

impl Table {
    pub fn open(path: &Path) -> Result<Table, StoreError> {
        let file = std::fs::File::open(path).map_err(FileError::read(path))?;
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
        let file = std::fs::File::open(path).map_err(FileError::read(path))?;
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
            .filter(|f| cases.iter().any(|c| c.case_id == f.figure.case_id))
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

impl PageRow {
    /// The row of page `i` of the run, with its place in the book.
    fn of(i: usize, p: &PageOcr, book: &Book) -> PageRow {
        PageRow {
            index: i as u32,
            reading: p.reading.clone(),
            district: book.page_district.get(i).cloned().flatten(),
            case_id: book
                .page_case
                .get(i)
                .copied()
                .flatten()
                .map(|c| book.cases[c].id.clone()),
            words: p.words.len() as u32,
            spread_side: p.half.map(|h| h.side.suffix().to_string()),
            photo_corners: p.photo.map(|q| {
                q.corners
                    .iter()
                    .map(|(x, y)| format!("{x:.0},{y:.0}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
        }
    }
}

impl CaseRow {
    /// The row of a case the book's structure found, with its facts; `label` names page `i`.
    fn of(c: &crate::book::Case, f: &CaseFacts, label: &dyn Fn(usize) -> String) -> CaseRow {
        CaseRow {
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
        }
    }
}

impl FactRow {
    /// The row of an extracted fact, as OCR read it.
    /// A row of `figure` taken by `rule`, as OCR read it, with no why and nothing refused or
    /// corrected.
    pub fn new(figure: Figure, rule: impl Into<String>) -> FactRow {
        FactRow {
            figure,
            rule: rule.into(),
            why: None,
            refused: Vec::new(),
            ocr_value: None,
            source: Source::Ocr,
            note: None,
            reviewer: None,
            reviewed_on: None,
        }
    }

    fn of(f: &crate::extract::Fact) -> FactRow {
        FactRow {
            why: Some(f.why.clone()),
            refused: f.refused.iter().map(|r| r.show()).collect(),
            ..FactRow::new(f.figure.clone(), f.rule.to_string())
        }
    }
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
        let page = |label: &str, text: &str| {
            let src = crate::input::PageSource::frame(label, format!("{label}.png"), 0);
            let mut p = PageOcr::blank(&src, "test");
            p.reading.kind = Some(crate::input::PageKind::Case);
            p.reading.text = text.into();
            p.reading.mean_conf = Some(90.0);
            p.district = Some("浦东新区".into());
            p
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
                conf: p.reading.mean_conf,
                ..crate::book::PageText::transcription(
                    &p.reading.label,
                    &p.reading.file,
                    p.reading.text.clone(),
                )
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
        let dir = tempfile::tempdir().unwrap();
        ds.write(dir.path(), "test").unwrap();
        let back = Dataset::read(dir.path()).unwrap();
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
            .find(|f| f.figure.field == Field::Households)
            .unwrap();
        assert!(
            hh.why
                .as_deref()
                .is_some_and(|w| w.contains("800") && w.contains("this community"))
        );
    }
}
