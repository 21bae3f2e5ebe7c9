//! `output/review/index.html`: the archivist's review page. Static, no server, no network: one HTML
//! file with its script and style inline (allowed by their sha256 in a strict Content-Security-Policy)
//! and a crop of the page around every figure (`review/crops/`), the figure's OCR box highlighted.
//! Doubtful facts come first: flagged, then by confidence. The reviewer filters by district and by
//! flag, moves with the keyboard, edits values and names, and exports the edits as
//! `corrections.csv` (docs/corrections.md), which `greenbook run` applies on the next run. Every text
//! from the scans is HTML-escaped; the CSV neutralises formula-like cells.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use base64::Engine as _;
use image::GrayImage;
use sha2::Digest;

use super::ReportError;
use crate::dataset::{CaseRow, Dataset, FactRow};
use crate::extract::{FIELDS, Field};
use crate::io::FileError;
use crate::ocr::PageOcr;
use crate::ocr::lines::Rect;
use crate::ocr::runs::{Line, page_lines};
use crate::text::escape_xml;

/// Widest crop, px: crops are scaled down to it.
const CROP_WIDTH: u32 = 900;

/// Where a fact's figure stands on its page (the page's [`page_lines`]): the OCR boxes of its
/// characters, one per line it is on. The sentence is found in the page's text (whitespace ignored)
/// and the span taken inside it; when the sentence is not found whole, the figure's own text is
/// looked for.
pub fn locate(lines: &[Line], sentence: &str, span: (usize, usize)) -> Vec<Rect> {
    // The page's characters, each with its share of its run's box.
    let mut stream: Vec<char> = Vec::new();
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        for r in &line.runs {
            let chars: Vec<char> = r.text.chars().filter(|c| !c.is_whitespace()).collect();
            let n = chars.len().max(1) as u32;
            for (i, c) in chars.into_iter().enumerate() {
                let x0 = r.x + r.w * i as u32 / n;
                let x1 = r.x + r.w * (i as u32 + 1) / n;
                stream.push(c);
                boxes.push((
                    li,
                    Rect {
                        x: x0,
                        y: r.y,
                        w: (x1 - x0).max(1),
                        h: r.h,
                    },
                ));
            }
        }
    }
    let find = |needle: &[char]| -> Option<usize> {
        (!needle.is_empty() && needle.len() <= stream.len())
            .then(|| stream.windows(needle.len()).position(|w| w == needle))
            .flatten()
    };
    let sent: Vec<(usize, char)> = sentence
        .chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace())
        .collect();
    let squeezed: Vec<char> = sent.iter().map(|(_, c)| *c).collect();
    let in_span = |i: &usize| (span.0..span.1).contains(i);
    let (start, len) = match find(&squeezed) {
        Some(at) => {
            let first = sent.iter().position(|(i, _)| in_span(i));
            let count = sent.iter().filter(|(i, _)| in_span(i)).count();
            match first {
                Some(f) => (at + f, count),
                None => return Vec::new(),
            }
        }
        None => {
            let figure: Vec<char> = sent
                .iter()
                .filter(|(i, _)| in_span(i))
                .map(|(_, c)| *c)
                .collect();
            match find(&figure) {
                Some(at) => (at, figure.len()),
                None => return Vec::new(),
            }
        }
    };
    let mut out: Vec<(usize, Rect)> = Vec::new();
    for (li, b) in &boxes[start..(start + len).min(boxes.len())] {
        match out.last_mut() {
            Some((l, r)) if l == li => {
                let x1 = (r.x + r.w).max(b.x + b.w);
                let y1 = (r.y + r.h).max(b.y + b.h);
                r.x = r.x.min(b.x);
                r.y = r.y.min(b.y);
                r.w = x1 - r.x;
                r.h = y1 - r.y;
            }
            _ => out.push((*li, *b)),
        }
    }
    out.into_iter().map(|(_, r)| r).collect()
}

/// The crop around `boxes`: the text column's width, two line heights above and below.
fn crop_rect(lines: &[Line], boxes: &[Rect], width: u32, height: u32) -> Rect {
    let left = lines
        .iter()
        .map(|l| l.x)
        .min()
        .unwrap_or(0)
        .saturating_sub(20);
    let right = lines
        .iter()
        .map(|l| l.x + l.w)
        .max()
        .unwrap_or(width)
        .saturating_add(20)
        .min(width);
    let lh = boxes.iter().map(|b| b.h).max().unwrap_or(50);
    let top = boxes
        .iter()
        .map(|b| b.y)
        .min()
        .unwrap_or(0)
        .saturating_sub(2 * lh);
    let bottom = (boxes.iter().map(|b| b.y + b.h).max().unwrap_or(0) + 2 * lh).min(height);
    Rect {
        x: left,
        y: top,
        w: right.saturating_sub(left).max(1),
        h: bottom.saturating_sub(top).max(1),
    }
}

/// One thing to review: a case's community name or one of its six facts.
struct Item<'a> {
    case: &'a CaseRow,
    field: Option<Field>,
    fact: Option<&'a FactRow>,
    /// Sort key: flagged first, then the least confident.
    doubt: (bool, f32),
}

fn items_of<'a>(ds: &'a Dataset, case: &'a CaseRow) -> Vec<Item<'a>> {
    let mut facts: Vec<Item> = FIELDS
        .iter()
        .map(|spec| {
            let fact = ds
                .facts_of(&case.case_id)
                .find(|f| f.figure.field == spec.field);
            let doubt = match fact {
                Some(f) => (!f.figure.flags.is_empty(), 1.0 - f.figure.confidence),
                None => (false, 1.0),
            };
            Item {
                case,
                field: Some(spec.field),
                fact,
                doubt,
            }
        })
        .collect();
    facts.sort_by(|a, b| {
        b.doubt
            .0
            .cmp(&a.doubt.0)
            .then(b.doubt.1.total_cmp(&a.doubt.1))
    });
    let name = Item {
        case,
        field: None,
        fact: None,
        doubt: (false, 1.0 - case.community_agreement.unwrap_or(0.0)),
    };
    std::iter::once(name).chain(facts).collect()
}

fn max_doubt(items: &[Item]) -> (bool, f32) {
    items
        .iter()
        .fold((false, 0.0), |m, i| (m.0 || i.doubt.0, m.1.max(i.doubt.1)))
}

fn csp_hash(s: &str) -> String {
    let digest = sha2::Sha256::digest(s.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

const STYLE: &str = include_str!("review.css");
const SCRIPT: &str = include_str!("review.js");

/// What was written.
#[derive(Debug, Clone)]
pub struct Review {
    pub cases: usize,
    pub crops: usize,
    pub bytes: u64,
}

/// Writes `dir/index.html` and `dir/crops/`.
pub fn write_review(
    dir: &Path,
    ds: &Dataset,
    pages: &[PageOcr],
    rendered: Option<&Path>,
) -> Result<Review, ReportError> {
    let crops_dir = dir.join("crops");
    std::fs::create_dir_all(&crops_dir).map_err(FileError::write(&crops_dir))?;
    let by_label: HashMap<&str, &PageOcr> = pages
        .iter()
        .map(|p| (p.reading.label.as_str(), p))
        .collect();
    let mut cases: Vec<(&CaseRow, Vec<Item>)> =
        ds.cases.iter().map(|c| (c, items_of(ds, c))).collect();
    cases.sort_by(|a, b| {
        let (da, db) = (max_doubt(&a.1), max_doubt(&b.1));
        db.0.cmp(&da.0).then(db.1.total_cmp(&da.1))
    });
    let images = decode_pages(&cases, &by_label, rendered);
    let mut page = ReviewPage {
        crops_dir,
        by_label,
        images,
        lines_of: HashMap::new(),
        body: String::new(),
        bytes: 0,
        crops: 0,
        items: 0,
        doubtful: 0,
    };
    for (case, items) in &cases {
        page.case(case, items)?;
    }
    let html = page.html(ds, cases.len());
    let index = dir.join("index.html");
    crate::io::write_atomic(&index, html.as_bytes())?;
    Ok(Review {
        cases: cases.len(),
        crops: page.crops,
        bytes: page.bytes + html.len() as u64,
    })
}

/// The pages the crops come from, decoded in parallel up front (decoding is most of the time).
fn decode_pages(
    cases: &[(&CaseRow, Vec<Item>)],
    by_label: &HashMap<&str, &PageOcr>,
    rendered: Option<&Path>,
) -> HashMap<String, Option<GrayImage>> {
    use rayon::prelude::*;
    let needed: std::collections::BTreeSet<&str> = cases
        .iter()
        .flat_map(|(_, items)| {
            items
                .iter()
                .filter_map(|i| i.fact.map(|f| f.figure.page.as_str()))
        })
        .filter(|l| by_label.contains_key(l))
        .collect();
    needed
        .into_par_iter()
        .map(|l| {
            let page = by_label[l];
            let img = crate::input::load_as_read(&page.source(), page.as_read(), rendered).ok();
            (l.to_string(), img)
        })
        .collect()
}

/// The review page as it is written: its body, the crops and the counts.
struct ReviewPage<'a> {
    crops_dir: std::path::PathBuf,
    by_label: HashMap<&'a str, &'a PageOcr>,
    images: HashMap<String, Option<GrayImage>>,
    /// Per page, once: its lines of text on their boxes.
    lines_of: HashMap<String, Vec<Line>>,
    body: String,
    bytes: u64,
    crops: usize,
    items: usize,
    doubtful: usize,
}

impl ReviewPage<'_> {
    /// A case's section: its heading, then each of its items.
    fn case(&mut self, case: &CaseRow, items: &[Item]) -> Result<(), ReportError> {
        let name = case.community.clone().unwrap_or_else(|| case.title.clone());
        let _ = write!(
            self.body,
            "<section class=\"case\" data-case=\"{}\" data-district=\"{}\">\n<h2>{} <small>{} · {} · {} · 第 {}–{} 页</small></h2>\n",
            escape_xml(&case.case_id),
            escape_xml(case.district.as_deref().unwrap_or("")),
            escape_xml(&name),
            escape_xml(case.district.as_deref().unwrap_or("区未知")),
            escape_xml(case.town.as_deref().unwrap_or("")),
            escape_xml(&case.case_id),
            escape_xml(&case.first_page),
            escape_xml(&case.last_page),
        );
        for item in items {
            self.item(item)?;
        }
        self.body.push_str("</section>\n");
        Ok(())
    }

    /// One item: its value and what is known of it, the sentence it was read from, the crop of the
    /// page around it, and the fields to correct it.
    fn item(&mut self, item: &Item) -> Result<(), ReportError> {
        self.items += 1;
        let (flags, doubtful) = match item.fact {
            Some(f) => (
                f.figure
                    .flags
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                !f.figure.flags.is_empty() || f.figure.confidence < 0.75,
            ),
            None if item.field.is_some() => ("missing".to_string(), true),
            None => (
                String::new(),
                item.case.community_agreement.is_some_and(|a| a < 1.0),
            ),
        };
        if doubtful {
            self.doubtful += 1;
        }
        let field_name = item.field.map_or("community", Field::name);
        let label = item.field.map_or("社区名", Field::label);
        let (shown, orig) = shown_and_original(item);
        let _ = write!(
            self.body,
            "<div class=\"item{}\" tabindex=\"0\" data-case=\"{}\" data-field=\"{}\" data-flags=\"{}\" data-orig=\"{}\">\n<div class=\"head\"><span class=\"label\">{}</span> <span class=\"value\">{}</span> <span class=\"meta\">",
            if doubtful { " doubtful" } else { "" },
            escape_xml(&item.case.case_id),
            field_name,
            escape_xml(&flags),
            escape_xml(&orig),
            escape_xml(label),
            escape_xml(&shown),
        );
        write_meta(&mut self.body, item);
        self.body.push_str("</span></div>\n");
        if let Some(f) = item.fact {
            let span = write_evidence(&mut self.body, f);
            self.crop(item, f, field_name, span)?;
        }
        let _ = writeln!(
            self.body,
            "<div class=\"fix\"><label>更正 <input class=\"edit\" value=\"{}\" aria-label=\"{} 更正值\"></label> <label>备注 <input class=\"note\" aria-label=\"备注\"></label></div>\n</div>",
            escape_xml(&orig),
            escape_xml(label)
        );
        Ok(())
    }

    /// The crop of the fact's page around its figure, its boxes marked, when the figure is found on
    /// the page.
    fn crop(
        &mut self,
        item: &Item,
        f: &FactRow,
        field_name: &str,
        span: (usize, usize),
    ) -> Result<(), ReportError> {
        let Some(page) = self.by_label.get(f.figure.page.as_str()).copied() else {
            return Ok(());
        };
        let lines = self
            .lines_of
            .entry(page.reading.label.clone())
            .or_insert_with(|| page_lines(&page.words));
        let boxes = locate(lines, &f.figure.sentence, span);
        let img = self
            .images
            .get(page.reading.label.as_str())
            .and_then(Option::as_ref);
        let (false, Some(img)) = (boxes.is_empty(), img) else {
            return Ok(());
        };
        let r = crop_rect(lines, &boxes, img.width(), img.height());
        let cut = image::imageops::crop_imm(img, r.x, r.y, r.w, r.h).to_image();
        let scale = (CROP_WIDTH as f32 / r.w as f32).min(1.0);
        let (w, h) = (
            ((r.w as f32 * scale).round() as u32).max(1),
            ((r.h as f32 * scale).round() as u32).max(1),
        );
        // Area averaging: as sharp as a triangle filter for a downscale, ten times cheaper.
        let small = image::imageops::thumbnail(&cut, w, h);
        let file = format!(
            "{}-{}.jpg",
            crate::io::outputs::safe_name(&item.case.case_id),
            field_name
        );
        let path = self.crops_dir.join(&file);
        let mut jpg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 70)
            .encode_image(&small)
            .map_err(|e| ReportError::Render {
                path: path.clone(),
                message: e.to_string(),
            })?;
        crate::io::write_atomic(&path, &jpg)?;
        self.bytes += jpg.len() as u64;
        self.crops += 1;
        let _ = write!(
            self.body,
            "<figure class=\"crop\" data-crop=\"{},{},{},{}\"><img src=\"crops/{}\" width=\"{w}\" height=\"{h}\" alt=\"第 {} 页局部\">",
            r.x,
            r.y,
            r.w,
            r.h,
            escape_xml(&file),
            escape_xml(&page.reading.label)
        );
        for b in &boxes {
            let _ = write!(
                self.body,
                "<div class=\"box\" data-box=\"{},{},{},{}\"></div>",
                b.x, b.y, b.w, b.h
            );
        }
        self.body.push_str("</figure>\n");
        Ok(())
    }

    /// The whole page around the body: its policy, header, filters and script.
    fn html(&self, ds: &Dataset, cases: usize) -> String {
        let mut district_opts = String::new();
        for d in &ds.districts() {
            let _ = write!(district_opts, "<option>{}</option>", escape_xml(d));
        }
        let mut flag_opts = String::from(
            "<option value=\"doubtful\">存疑（标记或低置信度）</option><option value=\"missing\">未找到</option>",
        );
        for f in crate::extract::Flag::ALL {
            let _ = write!(
                flag_opts,
                "<option value=\"{}\">{}</option>",
                f.as_str(),
                escape_xml(f.note())
            );
        }
        let csp = format!(
            "default-src 'none'; img-src 'self'; style-src {}; script-src {}; base-uri 'none'; form-action 'none'",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        );
        let title = escape_xml(&crate::edition::current().book.title);
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>校对 · {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>校对：{title}</h1>\n<p class=\"summary\">{} 个案例，{} 项待核对，其中 {} 项存疑（排在前面）。修改后点“导出”，把 corrections.csv 放在扫描文件夹旁再运行 greenbook run。</p>\n<div class=\"controls\">\n<label>区 <select id=\"district\"><option value=\"\">全部</option>{district_opts}</select></label>\n<label>显示 <select id=\"flag\"><option value=\"\">全部</option>{flag_opts}</select></label>\n<label>校对人 <input id=\"reviewer\" autocomplete=\"name\"></label>\n<button id=\"export\" type=\"button\">导出 corrections.csv</button> <span id=\"count\">0 处修改</span>\n</div>\n<p class=\"keys\">键盘：j / k 或 ↓ / ↑ 逐项移动，Enter 修改，Esc 返回</p>\n</header>\n<main>\n{}</main>\n<textarea id=\"csv\" readonly hidden aria-label=\"corrections.csv\"></textarea>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
            cases, self.items, self.doubtful, self.body
        )
    }
}

/// An item's value as shown, and as the reviewer's edit box starts (the community's name, or the
/// figure without grouping).
fn shown_and_original(item: &Item) -> (String, String) {
    match (item.field, item.fact) {
        (None, _) => {
            let n = item.case.community.clone().unwrap_or_default();
            (
                if n.is_empty() {
                    "—".into()
                } else {
                    n.clone()
                },
                n,
            )
        }
        (Some(f), Some(fact)) => (
            format!(
                "{}{}",
                fact.figure.qualifier.mark(),
                f.show(fact.figure.value)
            ),
            format_value(f, fact.figure.value),
        ),
        (Some(_), None) => ("未找到".to_string(), String::new()),
    }
}

/// What is known of an item, after its value: confidence, page and flags; the figures refused for a
/// missing fact; how the community's name was agreed on.
fn write_meta(body: &mut String, item: &Item) {
    if let Some(c) = item.fact.map(|f| f.figure.confidence) {
        let _ = write!(body, "置信度 {c:.2}");
    }
    if let Some(f) = item.fact {
        let _ = write!(body, " · 第 {} 页", escape_xml(&f.figure.page));
        for fl in &f.figure.flags {
            let _ = write!(
                body,
                " <span class=\"flag\">{}</span>",
                escape_xml(fl.note())
            );
        }
    }
    if let (Some(field), None) = (item.field, item.fact) {
        let prefix = format!("{field}: ");
        for r in item.case.refused.iter().filter(|r| r.starts_with(&prefix)) {
            let _ = write!(
                body,
                " <span class=\"refused\">未采用：{}</span>",
                escape_xml(&r[prefix.len()..])
            );
        }
    }
    if item.field.is_none() {
        if let Some(a) = item.case.community_agreement {
            let _ = write!(body, "读法一致 {:.0}%", a * 100.0);
        }
        if !item.case.community_alternatives.is_empty() {
            let _ = write!(
                body,
                " · 其他读法：{}",
                escape_xml(&item.case.community_alternatives.join("、"))
            );
        }
    }
}

/// The sentence a fact was read from, its figure marked, with why it was taken and what was
/// refused; returns the figure's span in the sentence's characters.
fn write_evidence(body: &mut String, f: &FactRow) -> (usize, usize) {
    let chars: Vec<char> = f.figure.sentence.chars().collect();
    let (a, b) = (
        f.figure.span.0.min(chars.len()),
        f.figure.span.1.min(chars.len()),
    );
    let part = |r: &[char]| escape_xml(&r.iter().collect::<String>());
    let _ = writeln!(
        body,
        "<blockquote class=\"sentence\">{}<mark>{}</mark>{}</blockquote>",
        part(&chars[..a]),
        part(&chars[a..b]),
        part(&chars[b..])
    );
    if let Some(why) = &f.why {
        let _ = writeln!(body, "<p class=\"why\">依据：{}</p>", escape_xml(why));
    }
    if !f.refused.is_empty() {
        body.push_str("<ul class=\"refused\">");
        for r in &f.refused {
            let _ = write!(body, "<li>未采用：{}</li>", escape_xml(r));
        }
        body.push_str("</ul>\n");
    }
    (a, b)
}

/// A value as a reviewer edits it: digits without grouping ("1224", "35", "48.5").
fn format_value(f: Field, v: f64) -> String {
    match f.measure() {
        crate::extract::Measure::Percent => {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => format!("{}", v.round() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_text_is_escaped() {
        assert_eq!(
            escape_xml("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn values_edit_without_grouping() {
        assert_eq!(format_value(Field::Households, 1224.0), "1224");
        assert_eq!(format_value(Field::GreenRate, 48.5), "48.5");
        assert_eq!(format_value(Field::ElderlyShare, 40.0), "40");
    }
}
