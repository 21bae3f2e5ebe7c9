//! `output/greenbook.xlsx`: the dataset for analysts who work in Excel. Sheets 说明 (what every
//! column means), cases, facts (with provenance, flags and corrections), contents and pages (a
//! summary, without the text). Cells are typed: counts and years as numbers, shares as percent
//! cells; the header row is frozen with an autofilter; text that starts like a formula is stored as
//! text with Excel's quote prefix, so it never runs. The same data and date give the same bytes.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

use super::ReportError;
use crate::dataset::Dataset;
use crate::extract::{FIELDS, Field, Measure};

/// A cell of a sheet.
enum Cell {
    Text(String),
    /// A number in the field's measure: a count, a year, or a share in percent (0–100).
    Value(Field, f64),
    Int(i64),
    Ratio(f64),
    Empty,
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

/// A 0–1 measure stored as f32, rounded to what it means (0.8, not 0.800000011920929).
fn ratio(v: f32) -> Cell {
    Cell::Ratio((f64::from(v) * 10_000.0).round() / 10_000.0)
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, text)
}

/// One sheet: its name, its columns (name, meaning) and its rows.
struct Sheet {
    name: &'static str,
    columns: Vec<(&'static str, &'static str)>,
    rows: Vec<Vec<Cell>>,
}

fn cases_sheet(ds: &Dataset) -> Sheet {
    let mut columns = vec![
        (
            "case_id",
            "案例编号：c + 目录页码（c008）；无目录时为首页标签",
        ),
        ("district", "区"),
        ("town", "街道或镇"),
        ("community", "社区（居民区/村）名称；经校对者为校对值"),
        (
            "community_agreement",
            "名称各处读法一致的比例（0–1），低者宜核对",
        ),
        ("title", "案例标题（目录）"),
        ("printed_page", "目录页码"),
        ("first_page", "案例首页标签"),
        ("last_page", "案例末页标签"),
    ];
    for spec in &FIELDS {
        columns.push((spec.name, field_meaning(spec.field)));
    }
    columns.push((
        "corrected",
        "经人工校对更正的字段（corrections.csv），以逗号分隔",
    ));
    let rows = ds
        .cases
        .iter()
        .map(|c| {
            let mut row = vec![
                text(&c.case_id),
                opt_text(&c.district),
                opt_text(&c.town),
                opt_text(&c.community),
                c.community_agreement.map_or(Cell::Empty, ratio),
                text(&c.title),
                c.printed_page
                    .map_or(Cell::Empty, |p| Cell::Int(i64::from(p))),
                text(&c.first_page),
                text(&c.last_page),
            ];
            for spec in &FIELDS {
                row.push(
                    c.values
                        .get(spec.field)
                        .map_or(Cell::Empty, |v| Cell::Value(spec.field, v)),
                );
            }
            let corrected: Vec<&str> = c.corrected.iter().map(|t| t.name()).collect();
            row.push(text(&corrected.join(", ")));
            row
        })
        .collect();
    Sheet {
        name: "cases",
        columns,
        rows,
    }
}

fn field_meaning(f: Field) -> &'static str {
    match f {
        Field::Households => "户数（户）",
        Field::Population => "人口（人）",
        Field::GreenRate => "绿化率（百分比单元格：0.485 显示为 48.5%）",
        Field::FoundedYear => "建成年份",
        Field::ElderlyShare => "老年人口占比（百分比单元格）",
        Field::MigrantShare => "外来人口占比（百分比单元格）",
    }
}

fn facts_sheet(ds: &Dataset) -> Sheet {
    let columns = vec![
        ("case_id", "案例编号（对应 cases）"),
        ("community", "社区名称"),
        (
            "field",
            "指标：households, population, green_rate, founded_year, elderly_share, migrant_share",
        ),
        ("value", "数值（经校对者为校对值）"),
        ("unit", "单位"),
        (
            "qualifier",
            "exact 确数 / approx 约数 / at_least 以上 / at_most 以下",
        ),
        ("page", "数字所在页（pages.label）；校对补录者为空"),
        ("sentence", "数字所在原句（OCR 读出）"),
        ("rule", "抽取规则"),
        ("scope", "sub_estate:名称 表示仅为其中一个小区的数字"),
        ("ocr_conf", "数字所在文字的 OCR 置信度（0–1）"),
        ("confidence", "可信度（0–1）：规则权重 × OCR 置信度"),
        ("flags", "存疑原因（不改变数值）"),
        ("source", "ocr 识别 / corrected 人工校对"),
        ("ocr_value", "校对前 OCR 读出的数值"),
        ("note", "校对备注"),
        ("reviewer", "校对人"),
        ("reviewed_on", "校对日期"),
    ];
    let rows = ds
        .facts
        .iter()
        .map(|f| {
            let community = ds
                .cases
                .iter()
                .find(|c| c.case_id == f.figure.case_id)
                .and_then(|c| c.community.clone());
            vec![
                text(&f.figure.case_id),
                opt_text(&community),
                text(f.figure.field.name()),
                Cell::Value(f.figure.field, f.figure.value),
                text(f.figure.field.unit()),
                text(f.figure.qualifier.as_str()),
                text(&f.figure.page),
                text(&f.figure.sentence),
                text(&f.rule),
                opt_text(&f.figure.scope.column()),
                f.figure.ocr_conf.map_or(Cell::Empty, ratio),
                ratio(f.figure.confidence),
                text(
                    &f.figure
                        .flags
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                text(f.source.as_str()),
                f.ocr_value
                    .map_or(Cell::Empty, |v| Cell::Value(f.figure.field, v)),
                opt_text(&f.note),
                opt_text(&f.reviewer),
                opt_text(&f.reviewed_on),
            ]
        })
        .collect();
    Sheet {
        name: "facts",
        columns,
        rows,
    }
}

fn contents_sheet(ds: &Dataset) -> Sheet {
    Sheet {
        name: "contents",
        columns: vec![
            ("chapter", "章（区）序号"),
            ("district", "区"),
            ("printed_page", "页码"),
            ("title", "案例标题"),
            ("case_id", "已数字化案例的编号；未数字化为空"),
        ],
        rows: ds
            .contents
            .iter()
            .map(|c| {
                vec![
                    Cell::Int(i64::from(c.chapter)),
                    text(&c.district),
                    Cell::Int(i64::from(c.printed_page)),
                    text(&c.title),
                    opt_text(&c.case_id),
                ]
            })
            .collect(),
    }
}

fn pages_sheet(ds: &Dataset) -> Sheet {
    Sheet {
        name: "pages",
        columns: vec![
            ("index", "页序（从 0 起）"),
            ("label", "页标签：f01… 前页，p002 即书中第 2 页"),
            ("file", "扫描文件"),
            (
                "kind",
                "cover 封面 / front 前页 / contents 目录 / chapter 篇章页 / case 案例页",
            ),
            ("district", "所属区"),
            ("case_id", "所属案例"),
            ("mean_conf", "OCR 平均置信度（0–100）"),
            ("words", "识别词数"),
            ("engine", "OCR 引擎及设置"),
            ("error", "未能识别的原因"),
        ],
        rows: ds
            .pages
            .iter()
            .map(|p| {
                vec![
                    Cell::Int(i64::from(p.index)),
                    text(&p.reading.label),
                    text(&p.reading.file),
                    p.reading.kind.map_or(Cell::Empty, |k| text(k.as_str())),
                    opt_text(&p.district),
                    opt_text(&p.case_id),
                    p.reading
                        .mean_conf
                        .map_or(Cell::Empty, |c| Cell::Int(c.round() as i64)),
                    Cell::Int(i64::from(p.words)),
                    text(&p.reading.engine),
                    p.reading
                        .error
                        .as_ref()
                        .map_or(Cell::Empty, |e| text(&e.to_string())),
                ]
            })
            .collect(),
    }
}

/// Display width of text in Excel's character units (a CJK character is two).
fn width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// Formats shared by the sheets.
struct Formats {
    header: Format,
    text: Format,
    quoted: Format,
    count: Format,
    year: Format,
    percent: Format,
    ratio: Format,
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name(sheet.name)?;
    let mut widths: Vec<f64> = sheet.columns.iter().map(|(n, _)| width(n) + 2.0).collect();
    for (c, (name, _)) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &f.header)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let w = match cell {
                Cell::Empty => 0.0,
                Cell::Text(s) => {
                    let s: String = s.chars().take(32_000).collect();
                    // Text that a spreadsheet would take for a formula stays text.
                    let fmt = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                        &f.quoted
                    } else {
                        &f.text
                    };
                    ws.write_string_with_format(r, col, &s, fmt)?;
                    width(&s)
                }
                Cell::Value(field, v) => {
                    match field.measure() {
                        Measure::Count => ws.write_number_with_format(r, col, *v, &f.count)?,
                        Measure::Year => ws.write_number_with_format(r, col, *v, &f.year)?,
                        Measure::Percent => {
                            ws.write_number_with_format(r, col, *v / 100.0, &f.percent)?
                        }
                    };
                    10.0
                }
                Cell::Int(v) => {
                    ws.write_number_with_format(r, col, *v as f64, &f.year)?;
                    8.0
                }
                Cell::Ratio(v) => {
                    ws.write_number_with_format(r, col, *v, &f.ratio)?;
                    6.0
                }
            };
            widths[c] = widths[c].max(w + 1.0);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, w.clamp(6.0, 60.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = sheet.columns.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, sheet.rows.len() as u32, last_col)?;
    Ok(())
}

/// The 说明 sheet: what the workbook holds, and each sheet's rows and columns.
fn write_readme(
    readme: &mut rust_xlsxwriter::Worksheet,
    sheets: &[Sheet],
    formats: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    readme.set_name("说明")?;
    let mut r = 0;
    readme.write_string_with_format(
        r,
        0,
        format!(
            "《{}》数字化数据（greenbook 生成）",
            crate::edition::current().book.title
        ),
        &formats.header,
    )?;
    r += 1;
    readme
        .write_string(r, 0, "数字为真正的数字单元格；年份为整数；占比与绿化率为百分比单元格（0.485 即 48.5%）。空单元格表示书中未给出或未能识别，从不以 0 代替。与 Parquet 文件同源，列说明见 docs/schema.md。")
        ?;
    r += 2;
    for s in sheets {
        readme.write_string_with_format(r, 0, s.name, &formats.header)?;
        readme.write_string_with_format(r, 1, format!("{} 行", s.rows.len()), &formats.header)?;
        r += 1;
        for (name, meaning) in &s.columns {
            readme.write_string(r, 0, *name)?;
            readme.write_string(r, 1, *meaning)?;
            r += 1;
        }
        r += 1;
    }
    readme.set_column_width(0, 22)?;
    readme.set_column_width(1, 90)?;
    Ok(())
}

/// Writes `path`. `date` (the run's date) is the workbook's creation date.
pub fn write_workbook(
    path: &Path,
    ds: &Dataset,
    date: Option<super::Date>,
) -> Result<(), ReportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ReportError::Render {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let formats = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color("#E3EEE6")
            .set_border_bottom(FormatBorder::Thin),
        text: Format::new(),
        quoted: Format::new().set_quote_prefix(),
        count: Format::new().set_num_format("#,##0"),
        year: Format::new().set_num_format("0"),
        percent: Format::new().set_num_format("0.0%"),
        ratio: Format::new().set_num_format("0.00"),
    };
    let sheets = [
        cases_sheet(ds),
        facts_sheet(ds),
        contents_sheet(ds),
        pages_sheet(ds),
    ];
    let mut wb = Workbook::new();
    let (y, m, d) = date.map_or((2023, 4, 1), |d| (d.year, d.month, d.day));
    let when = ExcelDateTime::from_ymd(y, m, d).map_err(err)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — 数据", crate::edition::current().book.title))
            .set_author("greenbook")
            .set_creation_datetime(&when),
    );
    // 说明 first: what each sheet and column holds.
    write_readme(wb.add_worksheet(), &sheets, &formats).map_err(err)?;
    for s in &sheets {
        let ws = wb.add_worksheet();
        write_sheet(ws, s, &formats).map_err(err)?;
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    crate::io::write_atomic(path, &bytes).map_err(Into::into)
}
