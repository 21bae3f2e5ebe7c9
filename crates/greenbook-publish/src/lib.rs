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
pub mod fonts;
pub mod review;
pub mod typeset;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::dataset::{CaseRow, Dataset, Summary, summarize};
use crate::extract::{Field, Measure};
use crate::text::fmt_num;

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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
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
            crate::io::write_atomic(&path, &bytes).map_err(|source| ReportError::Io {
                path: path.clone(),
                source,
            })?;
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

/// A fact value as printed: "约1,224" for approximate values, "1,224（校）" for a value a reviewer
/// corrected, "—" when absent.
fn show_fact(ds: &Dataset, case: &CaseRow, field: Field, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    let fact = ds.facts_of(&case.case_id).find(|f| f.field == field);
    let mark = fact.map_or("", |f| f.qualifier.mark());
    let corrected = if fact.is_some_and(|f| f.source == crate::dataset::Source::Corrected) {
        CORRECTED_MARK
    } else {
        ""
    };
    format!("{mark}{}{corrected}", field.show(v))
}

/// After a value or name a reviewer corrected.
const CORRECTED_MARK: &str = "（校）";

/// A community's name as printed, marked when a reviewer corrected it.
fn show_name(c: &CaseRow) -> String {
    let name = c.community.clone().unwrap_or_else(|| c.title.clone());
    if c.corrected
        .contains(&crate::dataset::corrections::Target::Community)
    {
        format!("{name}{CORRECTED_MARK}")
    } else {
        name
    }
}

/// A fact's cell: its figure as printed ([`show_fact`]), or missing.
fn fact_cell(ds: &Dataset, case: &CaseRow, field: Field, value: Option<f64>) -> Cell {
    Cell::figure(value.map(|v| show_fact(ds, case, field, Some(v))))
}

/// A summary's cells: cases with the field, the sum (counts only), mean, median, least and most.
fn summary_cells(s: Option<Summary>, field: Field) -> Vec<Cell> {
    let f = |v: f64| Cell::Figure(field.show(v));
    match s {
        None => {
            let mut row = vec![Cell::Figure("0".into())];
            row.extend(std::iter::repeat_n(Cell::Missing, 5));
            row
        }
        Some(s) => vec![
            Cell::Figure(s.n.to_string()),
            if field.measure() == Measure::Count {
                Cell::Figure(fmt_num(s.sum))
            } else {
                Cell::Missing
            },
            f(s.mean),
            f(s.median),
            f(s.min),
            f(s.max),
        ],
    }
}

/// The mean of a field over some cases (missing when none has it).
fn mean_cell(cases: &[&CaseRow], field: Field) -> Cell {
    summary_cells(
        summarize(cases.iter().filter_map(|c| c.values.get(field))),
        field,
    )
    .swap_remove(2)
}

fn key_figures(ds: &Dataset, cases: &[&CaseRow], with_city: bool) -> Block {
    let mut header: Vec<String> = [
        "指标",
        "有数据社区",
        "合计",
        "均值",
        "中位数",
        "最小",
        "最大",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if with_city {
        header.push("全市均值".into());
    }
    let all: Vec<&CaseRow> = ds.cases.iter().collect();
    let rows = Field::ALL
        .iter()
        .map(|&field| {
            let mut row = vec![Cell::Text(with_unit(field))];
            row.extend(summary_cells(
                summarize(cases.iter().filter_map(|c| c.values.get(field))),
                field,
            ));
            if with_city {
                row.push(mean_cell(&all, field));
            }
            row
        })
        .collect();
    Block::Table {
        weights: if with_city {
            vec![4, 3, 3, 3, 3, 3, 3, 3]
        } else {
            vec![4, 3, 3, 3, 3, 3, 3]
        },
        header,
        rows,
    }
}

fn community_table(ds: &Dataset, cases: &[&CaseRow], with_district: bool) -> Block {
    let mut header = vec!["社区".to_string()];
    if with_district {
        header.push("区".into());
    }
    header.push("街镇".into());
    header.extend(Field::ALL.iter().map(|f| with_unit(*f)));
    let rows = cases
        .iter()
        .map(|c| {
            let mut row = vec![Cell::Text(show_name(c))];
            if with_district {
                row.push(Cell::text_or_missing(c.district.clone()));
            }
            row.push(Cell::text_or_missing(c.town.clone()));
            for (field, value) in c.values.iter() {
                row.push(fact_cell(ds, c, field, value));
            }
            row
        })
        .collect();
    let mut weights = vec![5];
    if with_district {
        weights.push(4);
    }
    weights.extend([4, 3, 3, 3, 3, 3, 3]);
    Block::Table {
        weights,
        header,
        rows,
    }
}

fn contents_table(ds: &Dataset, district: &str) -> Block {
    let rows = ds
        .contents
        .iter()
        .filter(|c| c.district == district)
        .map(|c| {
            vec![
                Cell::Figure(c.printed_page.to_string()),
                Cell::Text(c.title.clone()),
                Cell::Text(
                    if c.case_id.is_some() {
                        "已数字化"
                    } else {
                        "未数字化"
                    }
                    .into(),
                ),
            ]
        })
        .collect();
    Block::Table {
        weights: vec![2, 12, 3],
        header: vec!["页码".into(), "案例".into(), "状态".into()],
        rows,
    }
}

fn quality_notes(ds: &Dataset, cases: &[&CaseRow], district: Option<&str>) -> Vec<Block> {
    let mut notes = Vec::new();
    for p in &ds.pages {
        let mine = district.is_none_or(|d| p.district.as_deref() == Some(d));
        if !mine {
            continue;
        }
        if let Some(e) = &p.error {
            notes.push(format!(
                "第 {} 页（{}）未能识别：{}",
                p.label,
                crate::io::file_name(&p.file),
                e
            ));
        } else if let Some(c) = p.mean_conf.filter(|c| *c < LOW_CONFIDENCE) {
            notes.push(format!(
                "第 {} 页 OCR 平均置信度较低（{:.0}），相关数字请对照原书核实。",
                p.label, c
            ));
        }
    }
    for c in cases {
        let name = show_name(c);
        let missing: Vec<&str> = c
            .values
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| f.label())
            .collect();
        if !missing.is_empty() {
            notes.push(format!("{name}：书中未给出{}。", missing.join("、")));
        }
        for f in ds.facts_of(&c.case_id) {
            if f.source == crate::dataset::Source::Corrected {
                let was = f.ocr_value.map_or_else(
                    || "OCR 未读出".to_string(),
                    |v| format!("OCR 读作 {}", crate::text::fmt_num(v)),
                );
                let note = f
                    .note
                    .as_deref()
                    .map_or(String::new(), |n| format!("；{n}"));
                notes.push(format!(
                    "{name}：{}经人工校对为 {}（{was}{note}）。",
                    f.field.label(),
                    crate::text::fmt_num(f.value),
                ));
                continue;
            }
            if !f.flags.is_empty() {
                let why: Vec<&str> = f.flags.iter().map(|x| x.note()).collect();
                notes.push(format!(
                    "{name}：{}“{}”存疑（{}，{}），请对照原书核实。",
                    f.field.label(),
                    crate::text::fmt_num(f.value),
                    why.join("；"),
                    page_ref(&f.page)
                ));
            }
            if let Some(scope) = f.scope.sub_estate() {
                notes.push(format!(
                    "{name}：{}仅给出所属小区“{scope}”的数字（{}）。",
                    f.field.label(),
                    page_ref(&f.page)
                ));
            }
        }
    }
    if notes.is_empty() {
        notes.push("未发现数据质量问题。".into());
    }
    notes.into_iter().map(Block::Para).collect()
}

fn provenance(ds: &Dataset, cases: &[&CaseRow]) -> Block {
    let mut rows = Vec::new();
    for c in cases {
        let name = show_name(c);
        for f in ds.facts_of(&c.case_id) {
            rows.push(vec![
                Cell::Text(name.clone()),
                Cell::Text(f.field.label().to_string()),
                fact_cell(ds, c, f.field, Some(f.value)),
                page_cell(&f.page),
                Cell::Text(f.sentence.clone()),
            ]);
        }
    }
    Block::Table {
        weights: vec![4, 3, 3, 2, 12],
        header: vec![
            "社区".into(),
            "指标".into(),
            "数值".into(),
            "页码".into(),
            "原文".into(),
        ],
        rows,
    }
}

fn cover(blocks: &mut Vec<Block>, title: &str, lines: Vec<String>) {
    blocks.push(Block::Title(title.to_string()));
    for l in lines {
        blocks.push(Block::Para(l));
    }
    blocks.push(Block::Note(
        "本摘要由 greenbook 根据扫描页的 OCR 结果自动生成；“—”表示书中未给出，“约”表示原文为约数，“（校）”表示经人工校对更正。"
            .into(),
    ));
    blocks.push(Block::PageBreak);
}

/// The digest of one district.
pub fn district_digest(
    ds: &Dataset,
    district: &str,
    chapter: usize,
    stamp: &str,
    font: &'static str,
) -> Digest {
    let cases: Vec<&CaseRow> = ds
        .cases
        .iter()
        .filter(|c| c.district.as_deref() == Some(district))
        .collect();
    let listed = ds
        .contents
        .iter()
        .filter(|c| c.district == district)
        .count();
    let mut b = Vec::new();
    cover(
        &mut b,
        &format!("{district}绿色社区数据摘要"),
        vec![
            source_line(),
            format!(
                "目录收录本区案例 {listed} 个，已数字化 {} 个。",
                cases.len()
            ),
            format!("生成日期：{stamp}"),
        ],
    );
    if cases.is_empty() {
        b.push(Block::Heading("说明".into()));
        b.push(Block::Para(format!(
            "{district}的案例尚未数字化：本区 {listed} 个案例的社区概况还没有扫描识别，因此暂无统计数字。下表为目录中的本区案例。"
        )));
        b.push(Block::Heading("本区案例目录".into()));
        b.push(contents_table(ds, district));
        return Digest {
            name: format!("{chapter:02}-{district}"),
            title: format!("{district}绿色社区数据摘要"),
            blocks: b,
        };
    }
    b.push(Block::Heading("要点".into()));
    b.extend(headline(ds, &cases, listed).into_iter().map(Block::Para));
    b.push(Block::Heading("关键数字（与全市比较）".into()));
    b.push(key_figures(ds, &cases, true));
    b.push(Block::Heading("社区一览".into()));
    b.push(community_table(ds, &cases, false));
    b.push(Block::Heading("本区案例目录".into()));
    b.push(contents_table(ds, district));
    b.push(Block::Heading("图表".into()));
    b.extend(
        charts::district_charts(font, &cases)
            .into_iter()
            .map(Block::Chart),
    );
    b.push(Block::Heading("数据质量说明".into()));
    b.extend(quality_notes(ds, &cases, Some(district)));
    b.push(Block::Heading("附录：数字出处".into()));
    b.push(provenance(ds, &cases));
    Digest {
        name: format!("{chapter:02}-{district}"),
        title: format!("{district}绿色社区数据摘要"),
        blocks: b,
    }
}

/// A field's column header with its unit: "户数（户）", "绿化率（%）", "建成年份".
fn with_unit(f: Field) -> String {
    match f.measure() {
        Measure::Year => f.label().to_string(),
        Measure::Percent => format!("{}（%）", f.label()),
        Measure::Count => format!(
            "{}（{}）",
            f.label(),
            if f == Field::Households { "户" } else { "人" }
        ),
    }
}

/// "第 8 页" for a page label of a printed page (`p008`), the label itself otherwise.
fn page_ref(label: &str) -> String {
    match archive::book_pdf::folio(label) {
        archive::book_pdf::Folio::Decimal(n) => format!("第 {n} 页"),
        _ => label.to_string(),
    }
}

/// The number printed on a book page (`p008` → "8"); any other label as it is.
fn page_number(label: &str) -> String {
    match archive::book_pdf::folio(label) {
        archive::book_pdf::Folio::Decimal(n) => n.to_string(),
        _ => label.to_string(),
    }
}

/// A page's cell: its printed number as a figure, or a label that is not one as text.
fn page_cell(label: &str) -> Cell {
    match archive::book_pdf::folio(label) {
        archive::book_pdf::Folio::Decimal(n) => Cell::Figure(n.to_string()),
        _ => Cell::Text(label.to_string()),
    }
}

/// Pages of several figures: "第 2、5、8 页".
fn pages_ref(labels: &[String]) -> String {
    let mut nums = Vec::new();
    for n in labels.iter().map(|l| page_number(l)) {
        if !nums.contains(&n) {
            nums.push(n);
        }
    }
    format!("第 {} 页", nums.join("、"))
}

/// A figure in a sentence, with its marks: "约8000", "1225（校）", "35%（存疑）".
fn figure(ds: &Dataset, case: &CaseRow, field: Field, v: f64) -> String {
    let fact = ds.facts_of(&case.case_id).find(|f| f.field == field);
    let doubt = if fact
        .is_some_and(|f| f.source != crate::dataset::Source::Corrected && !f.flags.is_empty())
    {
        "（存疑）"
    } else {
        ""
    };
    format!("{}{doubt}", show_fact(ds, case, field, Some(v)))
}

/// The page a case's figure is printed on.
fn fact_page(ds: &Dataset, case: &CaseRow, field: Field) -> Option<String> {
    ds.facts_of(&case.case_id)
        .find(|f| f.field == field && !f.page.is_empty())
        .map(|f| f.page.clone())
}

/// The district's message in a few sentences built from the data, each figure followed by the book
/// page it comes from.
fn headline(ds: &Dataset, cases: &[&CaseRow], listed: usize) -> Vec<String> {
    let mut out = vec![format!(
        "目录收录本区案例 {listed} 个，已数字化 {} 个：{}。",
        cases.len(),
        cases
            .iter()
            .map(|c| show_name(c))
            .collect::<Vec<_>>()
            .join("、")
    )];
    out.extend(totals(ds, cases));
    out.push(green_against_city(ds, cases));
    out.extend(oldest_and_newest(ds, cases));
    out.extend(highest_shares(ds, cases));
    out.extend(quality_line(ds, cases));
    out
}

/// The totals of households and population, with their pages.
fn totals(ds: &Dataset, cases: &[&CaseRow]) -> Option<String> {
    let mut parts = Vec::new();
    for (field, unit) in [(Field::Households, "户"), (Field::Population, "人")] {
        let with: Vec<&&CaseRow> = cases
            .iter()
            .filter(|c| c.values.get(field).is_some())
            .collect();
        if with.is_empty() {
            continue;
        }
        let sum: f64 = with.iter().filter_map(|c| c.values.get(field)).sum();
        let pages: Vec<String> = with
            .iter()
            .filter_map(|c| fact_page(ds, c, field))
            .collect();
        let missing = cases.len() - with.len();
        let gap = if missing > 0 {
            format!("，{missing} 个社区未给出")
        } else {
            String::new()
        };
        parts.push(format!(
            "{} {unit}（{}{gap}）",
            fmt_num(sum),
            pages_ref(&pages)
        ));
    }
    (!parts.is_empty()).then(|| format!("已数字化的社区合计 {}。", parts.join("、")))
}

/// The district's mean green rate against the city's, in points.
fn green_against_city(ds: &Dataset, cases: &[&CaseRow]) -> String {
    let mean = |cs: &[&CaseRow]| -> Option<f64> {
        let v: Vec<f64> = cs
            .iter()
            .filter_map(|c| c.values.get(Field::GreenRate))
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let all: Vec<&CaseRow> = ds.cases.iter().collect();
    match (mean(cases), mean(&all)) {
        (Some(d), Some(c)) => {
            let pages: Vec<String> = cases
                .iter()
                .filter_map(|x| fact_page(ds, x, Field::GreenRate))
                .collect();
            let diff = d - c;
            let cmp = if diff.abs() < 0.05 {
                "与全市平均持平".to_string()
            } else {
                format!(
                    "{}全市平均（{}%）{} 个百分点",
                    if diff > 0.0 { "高于" } else { "低于" },
                    fmt_num((c * 10.0).round() / 10.0),
                    fmt_num((diff.abs() * 10.0).round() / 10.0)
                )
            };
            format!(
                "本区社区平均绿化率 {}%（{}），{cmp}。",
                fmt_num((d * 10.0).round() / 10.0),
                pages_ref(&pages)
            )
        }
        _ => "本区已数字化的社区均未给出绿化率。".into(),
    }
}

/// The oldest and newest communities.
fn oldest_and_newest(ds: &Dataset, cases: &[&CaseRow]) -> Option<String> {
    let dated: Vec<(&CaseRow, f64)> = cases
        .iter()
        .filter_map(|c| c.values.get(Field::FoundedYear).map(|y| (*c, y)))
        .collect();
    let oldest = dated.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let newest = dated.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let (o, n) = (oldest?, newest?);
    let at = |c: &CaseRow| {
        fact_page(ds, c, Field::FoundedYear)
            .map_or(String::new(), |p| format!("，{}", page_ref(&p)))
    };
    Some(if o.1 == n.1 {
        format!(
            "已数字化的社区均建成于 {} 年。",
            Field::FoundedYear.show(o.1)
        )
    } else {
        format!(
            "建成最早的是{}（{} 年{}），最新的是{}（{} 年{}）。",
            show_name(o.0),
            figure(ds, o.0, Field::FoundedYear, o.1),
            at(o.0),
            show_name(n.0),
            figure(ds, n.0, Field::FoundedYear, n.1),
            at(n.0)
        )
    })
}

/// The highest elderly and migrant shares.
fn highest_shares(ds: &Dataset, cases: &[&CaseRow]) -> Vec<String> {
    let mut out = Vec::new();
    for (field, what) in [
        (Field::ElderlyShare, "老年人口占比"),
        (Field::MigrantShare, "外来人口占比"),
    ] {
        if let Some((c, v)) = cases
            .iter()
            .filter_map(|c| c.values.get(field).map(|v| (*c, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
        {
            let at =
                fact_page(ds, c, field).map_or(String::new(), |p| format!("，{}", page_ref(&p)));
            out.push(format!(
                "{what}最高的是{}（{}{at}）。",
                show_name(c),
                figure(ds, c, field, v)
            ));
        }
    }
    out
}

/// How many figures are doubtful and how many a reviewer corrected, when any are.
fn quality_line(ds: &Dataset, cases: &[&CaseRow]) -> Option<String> {
    let flagged = cases
        .iter()
        .flat_map(|c| ds.facts_of(&c.case_id))
        .filter(|f| !f.flags.is_empty() && f.source != crate::dataset::Source::Corrected)
        .count();
    let corrected = cases
        .iter()
        .flat_map(|c| ds.facts_of(&c.case_id))
        .filter(|f| f.source == crate::dataset::Source::Corrected)
        .count();
    (flagged + corrected > 0).then(|| {
        format!(
            "{flagged} 个数字存疑（标“存疑”），{corrected} 个经人工校对（标“（校）”），详见“数据质量说明”。"
        )
    })
}

/// The city-wide overview comparing all districts.
pub fn overview(ds: &Dataset, stamp: &str, font: &'static str) -> Digest {
    let all: Vec<&CaseRow> = ds.cases.iter().collect();
    let districts = ds.districts();
    let mut b = Vec::new();
    cover(
        &mut b,
        "上海市绿色社区数据概览",
        vec![
            source_line(),
            format!(
                "目录收录 {} 个区的案例 {} 个，已数字化 {} 个。",
                districts.len(),
                ds.contents.len(),
                all.len()
            ),
            format!("生成日期：{stamp}"),
        ],
    );
    b.push(Block::Heading("各区比较".into()));
    b.push(districts_table(ds, &all, &districts));
    let digitised: Vec<(String, Option<f64>)> = districts
        .iter()
        .map(|d| {
            let n = all
                .iter()
                .filter(|c| c.district.as_deref() == Some(d))
                .count();
            (d.clone(), Some(n as f64))
        })
        .collect();
    b.push(Block::Chart(charts::city_map(
        font,
        "各区已数字化案例数",
        &digitised,
    )));
    b.push(Block::Heading("全市关键数字".into()));
    b.push(key_figures(ds, &all, false));
    // A new page, so that the table's header never stands alone at the foot of the map's page.
    b.push(Block::PageBreak);
    b.push(Block::Heading("已数字化的社区".into()));
    b.push(community_table(ds, &all, true));
    b.push(Block::Heading("图表".into()));
    let counts: Vec<(String, f64)> = districts
        .iter()
        .map(|d| {
            (
                d.clone(),
                ds.contents.iter().filter(|c| &c.district == d).count() as f64,
            )
        })
        .collect();
    b.push(Block::Chart(charts::hbar(
        font,
        "各区目录案例数",
        "案例数",
        &counts,
    )));
    b.extend(
        charts::district_charts(font, &all)
            .into_iter()
            .map(Block::Chart),
    );
    b.push(Block::Heading("数据质量说明".into()));
    b.extend(quality_notes(ds, &all, None));
    Digest {
        name: "00-全市概览".into(),
        title: "上海市绿色社区数据概览".into(),
        blocks: b,
    }
}

/// Each district's cases listed and digitised, households and mean shares.
fn districts_table(ds: &Dataset, all: &[&CaseRow], districts: &[String]) -> Block {
    let rows = districts
        .iter()
        .map(|d| {
            let cs: Vec<&CaseRow> = all
                .iter()
                .copied()
                .filter(|c| c.district.as_deref() == Some(d))
                .collect();
            let hh = summarize(cs.iter().filter_map(|c| c.values.get(Field::Households)));
            vec![
                Cell::Text(d.clone()),
                Cell::Figure(
                    ds.contents
                        .iter()
                        .filter(|c| &c.district == d)
                        .count()
                        .to_string(),
                ),
                Cell::Figure(cs.len().to_string()),
                Cell::figure(hh.map(|s| fmt_num(s.sum))),
                mean_cell(&cs, Field::GreenRate),
                mean_cell(&cs, Field::ElderlyShare),
                mean_cell(&cs, Field::MigrantShare),
            ]
        })
        .collect();
    Block::Table {
        weights: vec![4, 3, 3, 3, 3, 3, 3],
        header: [
            "区",
            "目录案例",
            "已数字化",
            "户数合计（户）",
            "平均绿化率（%）",
            "平均老年人占比（%）",
            "平均外来人口占比（%）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    }
}
