//! Stage 4: the book's structure — contents, chapter dividers, cases and their sections — read from page
//! texts (OCR output or transcriptions).

pub mod contents;

use serde::Serialize;

pub use contents::ContentsEntry;

/// One page of text, from OCR or a transcription file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageText {
    pub label: String,
    /// The file the page came from.
    pub source: String,
    pub text: String,
    /// Mean OCR confidence (0–100); None for transcriptions.
    pub conf: Option<f32>,
    /// The OCR words with their confidence (0–100), in reading order; empty for transcriptions.
    pub words: Vec<(String, f32)>,
}

/// The three sections of every case.
pub const SECTIONS: [&str; 3] = ["社区概况", "特色工作", "创建成效"];
const BOOK_TITLE: &str = "新时代绿色社区创建上海案例精选";

/// A case found in the pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Stable id: "c" + printed page of the contents entry, else the label of the first page.
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub district: Option<String>,
    pub town: Option<String>,
    pub community: Option<String>,
    pub contents: Option<ContentsEntry>,
    /// Index into the pages of the first and last page of the case.
    pub first_page: usize,
    pub last_page: usize,
    /// Body text after the subtitle, page furniture and figure captions removed, lines joined.
    pub body: String,
    /// (char offset in `body`, page index) where each page's text starts.
    pub page_starts: Vec<(usize, usize)>,
    /// (section name, char offset in `body`).
    pub sections: Vec<(String, usize)>,
}

impl Case {
    /// Page index holding body char `offset`.
    pub fn page_at(&self, offset: usize) -> usize {
        self.page_starts
            .iter()
            .take_while(|(o, _)| *o <= offset)
            .last()
            .map_or(self.first_page, |(_, p)| *p)
    }

    /// The text of a section (up to the next section), or None when the heading was not found.
    pub fn section(&self, name: &str) -> Option<(usize, &str)> {
        let i = self.sections.iter().position(|(n, _)| n == name)?;
        let start = self.sections[i].1;
        let end = self
            .sections
            .get(i + 1)
            .map_or(self.body.chars().count(), |s| s.1);
        let bstart = self
            .body
            .char_indices()
            .nth(start)
            .map_or(self.body.len(), |(b, _)| b);
        let bend = self
            .body
            .char_indices()
            .nth(end)
            .map_or(self.body.len(), |(b, _)| b);
        Some((start, &self.body[bstart..bend]))
    }
}

/// The structure of the book as far as the pages go.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Book {
    pub contents: Vec<ContentsEntry>,
    pub cases: Vec<Case>,
    /// Per page: the case it belongs to (index into `cases`).
    pub page_case: Vec<Option<usize>>,
    /// Per page: district (from its case or chapter divider).
    pub page_district: Vec<Option<String>>,
}

fn is_subtitle(line: &str) -> bool {
    let t = line.trim_start_matches(['—', '-', '一', '–', '_', ' ']);
    t.len() < line.len() && contents::district_fuzzy(t).is_some() && line.chars().count() < 40
}

fn is_caption(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    !t.is_empty()
        && t.split('图')
            .skip(1)
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && t.starts_with('图')
}

fn is_furniture(line: &str, first: bool, last: bool) -> bool {
    if !first && !last {
        return false;
    }
    let t = contents::title_key(line);
    (first
        && (contents::title_similarity(&t, BOOK_TITLE) > 0.75
            || (t.ends_with("优秀示范案例") && t.chars().count() < 14)))
        || (last
            && !t.is_empty()
            && t.chars().count() <= 3
            && t.chars().all(|c| c.is_ascii_digit() || "OolI".contains(c)))
}

fn parse_subtitle(s: &str) -> (Option<String>, Option<String>, Option<String>) {
    let t = s.trim_start_matches(['—', '-', '一', '–', '_', ' ']).trim();
    let Some(d) = contents::district_fuzzy(t) else {
        return (None, None, Some(t.to_string()));
    };
    // After the district name (or its damaged OCR form: the first 区).
    let rest = t
        .find(d)
        .map(|i| &t[i + d.len()..])
        .or_else(|| t.find('区').map(|i| &t[i + '区'.len_utf8()..]))
        .unwrap_or(t);
    let town_end = ["街道", "镇", "乡"]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| i + k.len()))
        .min();
    let (town, community) = match town_end {
        Some(e) if e < rest.len() => (Some(rest[..e].to_string()), Some(rest[e..].to_string())),
        _ => (None, Some(rest.to_string())),
    };
    (
        Some(d.to_string()),
        town,
        community.filter(|c| !c.is_empty()),
    )
}

/// Reads contents, chapter dividers and cases from the pages, in order.
pub fn read(pages: &[PageText]) -> Book {
    let lines: Vec<Vec<String>> = pages
        .iter()
        .map(|p| {
            p.text
                .lines()
                .map(|l| crate::text::normalize(l.trim()))
                .filter(|l| !l.is_empty())
                .collect()
        })
        .collect();
    // Contents: pages with at least five entry lines.
    let toc_text: Vec<String> = lines
        .iter()
        .filter(|ls| {
            ls.iter()
                .filter(|l| contents::parse_entry_line(l).is_some())
                .count()
                >= 5
        })
        .map(|ls| ls.join("\n"))
        .collect();
    let toc = contents::parse(&toc_text.join("\n"));

    let mut cases: Vec<Case> = Vec::new();
    let mut page_case = vec![None; pages.len()];
    let mut page_district = vec![None; pages.len()];
    let mut current: Option<usize> = None;
    for (pi, ls) in lines.iter().enumerate() {
        let is_toc = ls
            .iter()
            .filter(|l| contents::parse_entry_line(l).is_some())
            .count()
            >= 5;
        let divider = ls.len() <= 5
            && ls.iter().any(|l| l.contains("示范案例"))
            && !ls
                .iter()
                .any(|l| is_subtitle(l) || l.contains('。') || SECTIONS.contains(&l.as_str()));
        if is_toc || divider {
            current = None;
            page_district[pi] = ls
                .iter()
                .find_map(|l| contents::district_in(l))
                .map(str::to_string);
            continue;
        }
        let n = ls.len();
        let body: Vec<(usize, &String)> = ls
            .iter()
            .enumerate()
            .filter(|(i, l)| !is_furniture(l, *i == 0, *i + 1 == n) && !is_caption(l))
            .collect();
        let start = body
            .iter()
            .position(|(_, l)| is_subtitle(l))
            .filter(|&k| k > 0);
        let mut from = 0;
        if let Some(k) = start {
            let title = body[k - 1].1.clone();
            let subtitle = body[k].1.clone();
            let (district, town, community) = parse_subtitle(&subtitle);
            let printed: Option<u32> = ls.last().and_then(|l| l.parse().ok());
            let entry = contents::best_match(&toc, &title, printed).cloned();
            let id = entry
                .as_ref()
                .map_or_else(|| pages[pi].label.clone(), |e| format!("c{:03}", e.page));
            cases.push(Case {
                id,
                title,
                subtitle,
                district: district.or_else(|| entry.as_ref().map(|e| e.district.clone())),
                town,
                community,
                contents: entry,
                first_page: pi,
                last_page: pi,
                body: String::new(),
                page_starts: Vec::new(),
                sections: Vec::new(),
            });
            current = Some(cases.len() - 1);
            from = k + 1;
        }
        let Some(ci) = current else { continue };
        let case = &mut cases[ci];
        case.last_page = pi;
        page_case[pi] = Some(ci);
        page_district[pi] = case.district.clone();
        case.page_starts.push((case.body.chars().count(), pi));
        for (_, l) in &body[from..] {
            // Section headings are short lines: only those are compared with the section names.
            let key = if l.len() <= 24 {
                contents::title_key(l)
            } else {
                String::new()
            };
            if let Some(s) = SECTIONS.iter().find(|s| {
                key == **s || (key.chars().count() == 4 && strsim::levenshtein(&key, s) <= 1)
            }) {
                case.sections
                    .push((s.to_string(), case.body.chars().count()));
                continue;
            }
            crate::text::push_word(&mut case.body, l);
        }
    }
    Book {
        contents: toc,
        cases,
        page_case,
        page_district,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(label: &str, text: &str) -> PageText {
        PageText {
            words: Vec::new(),
            label: label.into(),
            source: format!("{label}.txt"),
            text: text.into(),
            conf: None,
        }
    }

    #[test]
    fn cases_sections_and_pages() {
        let pages = [
            page(
                "f06",
                "目录\n1 浦东新区优秀示范案例\n002 向“绿”而行 共建“和美”东力\n005 甲乙丙丁戊\n008 己庚辛壬癸\n011 子丑寅卯辰\n013 天地玄黄宇",
            ),
            page("p001", "1\n浦东新区\n优秀示范案例"),
            page(
                "p002",
                "新时代绿色社区创建 上海案例精选\n向“绿”而行 共建“和美”东カ\n一一浦东新区高行镇东力居民区\n社区概况\n东力居民区建成于2006年，共有\n1224户。\n图1\n特色工作\n做了很多。\n002",
            ),
            page("p003", "浦东新区优秀示范案例\n创建成效\n很好。\n003"),
        ];
        let b = read(&pages);
        assert_eq!(b.contents.len(), 5);
        assert_eq!(b.cases.len(), 1);
        let c = &b.cases[0];
        assert_eq!(c.id, "c002");
        assert_eq!(c.district.as_deref(), Some("浦东新区"));
        assert_eq!(c.town.as_deref(), Some("高行镇"));
        assert_eq!(c.community.as_deref(), Some("东力居民区"));
        assert_eq!((c.first_page, c.last_page), (2, 3));
        assert_eq!(
            c.section("社区概况").unwrap().1,
            "东力居民区建成于2006年，共有1224户。"
        );
        assert_eq!(c.section("创建成效").unwrap().1, "很好。");
        assert_eq!(b.page_case, vec![None, None, Some(0), Some(0)]);
        assert_eq!(b.page_district[1].as_deref(), Some("浦东新区"));
    }
}
