//! A district digest's 要点: its message first, each figure with the page it is printed on.

use crate::dataset::{CaseRow, Dataset};
use crate::digest::{fact_page, figure, page_ref, pages_ref, show_name};
use crate::extract::Field;
use crate::text::fmt_num;

/// The district's message in a few sentences built from the data, each figure followed by the book
/// page it comes from.
pub(crate) fn headline(ds: &Dataset, cases: &[&CaseRow], listed: usize) -> Vec<String> {
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
        .filter(|f| !f.figure.flags.is_empty() && f.source != crate::dataset::Source::Corrected)
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
