//! What a digest says: its cover, headline, key figures, tables, charts, data-quality notes and
//! provenance, as blocks the template typesets ([`crate::typeset`]).

use crate::dataset::{CaseRow, Dataset, Summary, summarize};
use crate::extract::{Field, Measure};
use crate::headline::headline;
use crate::text::fmt_num;
use crate::{Block, Cell, Digest, LOW_CONFIDENCE, archive, charts, source_line};

/// A fact value as printed: "约1,224" for approximate values, "1,224（校）" for a value a reviewer
/// corrected, "—" when absent.
fn show_fact(ds: &Dataset, case: &CaseRow, field: Field, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    let fact = ds.facts_of(&case.case_id).find(|f| f.figure.field == field);
    let mark = fact.map_or("", |f| f.figure.qualifier.mark());
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
pub(crate) fn show_name(c: &CaseRow) -> String {
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
        if let Some(e) = &p.reading.error {
            notes.push(format!(
                "第 {} 页（{}）未能识别：{}",
                p.reading.label,
                crate::io::file_name(&p.reading.file),
                e
            ));
        } else if let Some(c) = p.reading.mean_conf.filter(|c| *c < LOW_CONFIDENCE) {
            notes.push(format!(
                "第 {} 页 OCR 平均置信度较低（{:.0}），相关数字请对照原书核实。",
                p.reading.label, c
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
                    f.figure.field.label(),
                    crate::text::fmt_num(f.figure.value),
                ));
                continue;
            }
            if !f.figure.flags.is_empty() {
                let why: Vec<&str> = f.figure.flags.iter().map(|x| x.note()).collect();
                notes.push(format!(
                    "{name}：{}“{}”存疑（{}，{}），请对照原书核实。",
                    f.figure.field.label(),
                    crate::text::fmt_num(f.figure.value),
                    why.join("；"),
                    page_ref(&f.figure.page)
                ));
            }
            if let Some(scope) = f.figure.scope.sub_estate() {
                notes.push(format!(
                    "{name}：{}仅给出所属小区“{scope}”的数字（{}）。",
                    f.figure.field.label(),
                    page_ref(&f.figure.page)
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
                Cell::Text(f.figure.field.label().to_string()),
                fact_cell(ds, c, f.figure.field, Some(f.figure.value)),
                page_cell(&f.figure.page),
                Cell::Text(f.figure.sentence.clone()),
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
pub(crate) fn page_ref(label: &str) -> String {
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
pub(crate) fn pages_ref(labels: &[String]) -> String {
    let mut nums = Vec::new();
    for n in labels.iter().map(|l| page_number(l)) {
        if !nums.contains(&n) {
            nums.push(n);
        }
    }
    format!("第 {} 页", nums.join("、"))
}

/// A figure in a sentence, with its marks: "约8000", "1225（校）", "35%（存疑）".
pub(crate) fn figure(ds: &Dataset, case: &CaseRow, field: Field, v: f64) -> String {
    let fact = ds.facts_of(&case.case_id).find(|f| f.figure.field == field);
    let doubt = if fact.is_some_and(|f| {
        f.source != crate::dataset::Source::Corrected && !f.figure.flags.is_empty()
    }) {
        "（存疑）"
    } else {
        ""
    };
    format!("{}{doubt}", show_fact(ds, case, field, Some(v)))
}

/// The page a case's figure is printed on.
pub(crate) fn fact_page(ds: &Dataset, case: &CaseRow, field: Field) -> Option<String> {
    ds.facts_of(&case.case_id)
        .find(|f| f.figure.field == field && !f.figure.page.is_empty())
        .map(|f| f.figure.page.clone())
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
