//! The table of contents: a chapter per district of the edition, its cases with printed page numbers.
//!
//! Parses the clean excerpt and OCR output alike: chapter numbers on their own line or glued to the
//! chapter title, "- " bullets or none, page numbers glued to titles, `O`/`o` read for `0`.

use serde::Serialize;

/// The edition's districts, in the book's chapter order ([`crate::edition`]).
fn districts() -> impl Iterator<Item = &'static str> {
    crate::edition::current().districts()
}

/// One case in the contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContentsEntry {
    pub chapter: u32,
    pub district: String,
    /// The chapter line as printed, e.g. "浦东新区优秀示范案例".
    pub chapter_title: String,
    pub page: u32,
    pub title: String,
    /// `title_key(title)`, computed once: case titles are matched against every entry.
    #[serde(skip)]
    pub key: String,
}

/// Strips spaces, quotes and punctuation so titles compare on their words.
pub fn title_key(s: &str) -> String {
    // Han and ASCII first: `char::is_alphanumeric` is a slow table lookup for non-ASCII characters.
    s.chars()
        .filter(|&c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
                || (!c.is_ascii() && c.is_alphanumeric())
        })
        .collect()
}

/// The district named at the start of a subtitle, tolerating one OCR error in the name ("前安区" for
/// 静安区, "杨清区" for 杨浦区): exact names first, then a window of the same length ending as it (区).
pub fn district_fuzzy(text: &str) -> Option<&'static str> {
    district_in(text).or_else(|| {
        let chars: Vec<char> = text.chars().take(8).collect();
        districts().find(|d| {
            let n = d.chars().count();
            chars.windows(n).any(|w| {
                w.last() == d.chars().last().as_ref()
                    && strsim::levenshtein(&w.iter().collect::<String>(), d) <= 1
            })
        })
    })
}

/// The district a case subtitle starts with, where OCR may have damaged any one of its characters,
/// 区 included (浦东新医 → 浦东新区): [`district_fuzzy`], else one edit away within its first 8 characters.
pub fn subtitle_district(text: &str) -> Option<&'static str> {
    district_fuzzy(text).or_else(|| {
        let chars: Vec<char> = text.chars().take(8).collect();
        districts().find(|d| {
            let n = d.chars().count();
            chars
                .windows(n)
                .any(|w| strsim::levenshtein(&w.iter().collect::<String>(), d) <= 1)
        })
    })
}

/// Finds the district a piece of text names (exact first, then by the name without 区/新区).
pub fn district_in(text: &str) -> Option<&'static str> {
    districts().find(|d| text.contains(d)).or_else(|| {
        let edition = crate::edition::current();
        districts().find(|d| text.contains(edition.district_stem(d)))
    })
}

fn digits_fixed(s: &str) -> Option<u32> {
    let fixed: String = s
        .chars()
        .map(|c| match c {
            'O' | 'o' | 'D' => '0',
            'l' | 'I' | '|' => '1',
            c => c,
        })
        .collect();
    fixed.parse().ok()
}

/// `- 002 坚持…`, `002坚持…`, `O05 党建…` → (page, title).
pub fn parse_entry_line(line: &str) -> Option<(u32, String)> {
    // Bullets, and the stray punctuation OCR puts before a line (": 040…", "，207…", "”282…").
    let line = line
        .trim()
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    let head: String = line.chars().take(3).collect();
    if head.chars().count() < 3
        || !head
            .chars()
            .all(|c| c.is_ascii_digit() || "OolI|D".contains(c))
    {
        return None;
    }
    if !head.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let page = digits_fixed(&head)?;
    let title = line[head.len()..].trim();
    if title.chars().count() < 4 || title.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((page, title.to_string()))
}

/// A chapter line: "4 徐汇区优秀示范案例", "浦东新区优秀示范案例" (number on the line before), OCR noise allowed.
fn parse_chapter_line(line: &str) -> Option<(Option<u32>, String, &'static str)> {
    let line = line.trim();
    if !crate::edition::current().names_chapter(line) {
        return None;
    }
    let district = district_in(line)?;
    let num: String = line.chars().take_while(|c| c.is_ascii_digit()).collect();
    let title = line[num.len()..].trim().to_string();
    Some((num.parse().ok(), title, district))
}

/// Parses contents text into entries, in printed order.
pub fn parse(text: &str) -> Vec<ContentsEntry> {
    let mut out = Vec::new();
    let mut chapter = 0u32;
    let mut pending_number: Option<u32> = None;
    let mut district = String::new();
    let mut chapter_title = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Ok(n) = line.parse::<u32>()
            && (1..=16).contains(&n)
        {
            pending_number = Some(n);
            continue;
        }
        if let Some((num, title, d)) = parse_chapter_line(line) {
            chapter = num.or(pending_number).unwrap_or(chapter + 1);
            pending_number = None;
            district = d.to_string();
            chapter_title = title;
            continue;
        }
        if let Some((page, title)) = parse_entry_line(line)
            && chapter > 0
        {
            out.push(ContentsEntry {
                key: title_key(&title),
                chapter,
                district: district.clone(),
                chapter_title: chapter_title.clone(),
                page,
                title,
            });
        }
    }
    out
}

/// Similarity of two titles in 0..=1 (normalised Levenshtein over their word characters).
pub fn title_similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(&title_key(a), &title_key(b))
}

/// The contents entry a (possibly OCR-damaged) case title belongs to. Several cases share a title
/// ("贯彻绿色发展理念 携手共建绿色社区" appears four times), so a page hint breaks ties: the entry whose
/// printed page is nearest the hint wins among equally similar titles.
pub fn best_match<'a>(
    entries: &'a [ContentsEntry],
    title: &str,
    page_hint: Option<u32>,
) -> Option<&'a ContentsEntry> {
    let mut best: Option<(&ContentsEntry, f64)> = None;
    let key = title_key(title);
    for e in entries {
        let mut score = strsim::normalized_levenshtein(&e.key, &key);
        if let Some(p) = page_hint {
            score -= (e.page.abs_diff(p) as f64) * 1e-4;
        }
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((e, score));
        }
    }
    best.filter(|&(_, s)| s >= 0.6).map(|(e, _)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_lines_in_every_shape() {
        assert_eq!(
            parse_entry_line("- 002 坚持以党建"),
            Some((2, "坚持以党建".into()))
        );
        assert_eq!(
            parse_entry_line("076 秉持为民服务理念"),
            Some((76, "秉持为民服务理念".into()))
        );
        assert_eq!(
            parse_entry_line("O05党建引领聚合力"),
            Some((5, "党建引领聚合力".into()))
        );
        assert_eq!(parse_entry_line("2023年4月第1版"), None);
        assert_eq!(parse_entry_line("1"), None);
    }

    #[test]
    fn chapters_with_number_on_own_line_or_glued() {
        let text = "目录\n1\n\n浦东新区优秀示范案例\n- 002 坚持以党建\n4 徐汇区优秀示范案例\n084 建设美好家园";
        let e = parse(text);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].chapter, e[0].district.as_str()), (1, "浦东新区"));
        assert_eq!(
            (e[1].chapter, e[1].district.as_str(), e[1].page),
            (4, "徐汇区", 84)
        );
    }

    #[test]
    fn damaged_title_matches_and_page_breaks_ties() {
        let text = "1 浦东新区优秀示范案例\n002 向“绿”而行 共建“和美”东力\n7 虹口区优秀示范案例\n146 贯彻绿色发展理念 携手共建绿色社区\n157 贯彻绿色发展理念 携手共建绿色社区";
        let e = parse(text);
        assert_eq!(
            best_match(&e, "向绿而行 共建和美东カ", None).unwrap().page,
            2
        );
        assert_eq!(
            best_match(&e, "贯彻绿色发展理念 携手共建绿色社区", Some(158))
                .unwrap()
                .page,
            157
        );
        assert!(best_match(&e, "完全无关的标题文字", None).is_none());
    }
}
