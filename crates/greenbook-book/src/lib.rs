//! Stage 4: the book's structure — contents, chapter dividers, cases and their sections — read from page
//! texts (OCR output or transcriptions).

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_core::{edition, text};

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
    /// Lines read by a second engine (`hybrid`): the reading not kept of each.
    pub alternates: Vec<String>,
}

impl PageText {
    /// A page read from a transcription: text only, no OCR words or confidence.
    pub fn transcription(
        label: impl Into<String>,
        source: impl Into<String>,
        text: String,
    ) -> Self {
        PageText {
            label: label.into(),
            source: source.into(),
            text,
            conf: None,
            words: Vec::new(),
            alternates: Vec::new(),
        }
    }
}

/// The section headings of every case, in order (the edition's).
fn sections() -> &'static [String] {
    &crate::edition::current().structure.sections
}

/// The heading of the section the facts are read from (社区概况).
pub fn profile_section() -> &'static str {
    &crate::edition::current().structure.profile_section
}

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
    /// The community name's occurrences that agree with the name taken (subtitle and body; 0–1).
    pub name_agreement: Option<f32>,
    /// Other readings of the community name found on the case's pages, most frequent first.
    pub name_alternatives: Vec<String>,
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

/// What stands before a subtitle's district: its dash as printed and as OCR reads it, and specks read
/// as dots (the edition's `subtitle_leads`).
fn subtitle_lead(c: char) -> bool {
    crate::edition::current().is_subtitle_lead(c)
}

/// Shaped like a subtitle (——district, street or town, community) whatever OCR did to the district.
fn subtitle_shape(t: &str) -> bool {
    crate::edition::current().subtitle_shape(t)
}

/// Where the street or town of a subtitle ends ([`crate::edition::Edition::town_end`]).
fn town_end(t: &str) -> Option<usize> {
    crate::edition::current().town_end(t)
}

/// Ends as a community's name does ([`crate::edition::Edition::has_community_suffix`]).
fn has_community_suffix(t: &str) -> bool {
    crate::edition::current().has_community_suffix(t)
}

/// The same after the district's name, where a new area, an industrial zone or a park (菊园新区, 嘉定工业区:
/// the edition's `area_suffixes`) is a town too.
fn town_end_after_district(rest: &str) -> Option<usize> {
    let area = crate::edition::current()
        .structure
        .area_suffixes
        .iter()
        .filter_map(|k| {
            rest.find(k.as_str())
                .filter(|&i| (2..=4).contains(&rest[..i].chars().count()))
                .map(|i| i + k.len())
        })
        .min();
    match (town_end(rest), area) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A line of at most this many characters is short: a list's item or a paragraph's last line.
const SHORT_LINE: usize = 24;

/// A line that opens a row of a form or an item of a list: a label of one to twelve characters and a
/// colon (建成年份：, 60岁以上：), or a pictograph (🏠, 📍).
fn opens_row(line: &str) -> bool {
    let t = line.trim();
    // 住户数：1,560户, 总户数｜1,880; a form's numbered heading (四、所在街道基本信息).
    let heading = numbered_heading(t);
    let label = t.find(['：', ':', '｜']).is_some_and(|i| {
        (1..=12).contains(&t[..i].chars().count()) && !t[..i].contains(['，', '。', ','])
    });
    let pictograph = t.chars().next().is_some_and(|c| c as u32 >= 0x1F000);
    label || pictograph || heading
}

/// Whether a line opens with a form's numbered heading: 四、 or （二）.
pub fn numbered_heading(line: &str) -> bool {
    let t = line.trim_start_matches(['；', ' ']);
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let lead: String = t.chars().take_while(|&c| numeral(c)).collect();
    if !lead.is_empty() {
        return t[lead.len()..].starts_with('、');
    }
    t.strip_prefix(['（', '('])
        .map(|r| r.chars().take_while(|&c| numeral(c)).collect::<String>())
        .is_some_and(|n| !n.is_empty() && t[3 + n.len()..].starts_with(['）', ')']))
}

/// The section a line heads (one OCR error tolerated), when it is a short heading line.
fn section_of(line: &str) -> Option<&'static str> {
    if line.len() > 24 {
        return None;
    }
    let key = contents::title_key(line);
    sections().iter().map(String::as_str).find(|s| {
        key == *s
            || (key.chars().count() == s.chars().count()
                && key.chars().count() >= 4
                && strsim::levenshtein(&key, s) <= 1)
    })
}

/// A running header: "浦东新区优秀示范案例", printed on odd pages (as a title key): a district and the
/// edition's chapter suffix.
fn is_running_header(key: &str) -> bool {
    let suffix = &crate::edition::current().structure.chapter_suffix;
    key.ends_with(suffix.as_str()) && key.chars().count() < suffix.chars().count() + 8
}

/// A case subtitle: dashes, then a district (one OCR error tolerated, see
/// [`contents::subtitle_district`]) or, when OCR damaged it beyond that, the subtitle's shape.
fn is_subtitle(line: &str) -> bool {
    let t = line.trim_start_matches(subtitle_lead);
    t.len() < line.len()
        && line.chars().count() < 40
        && (contents::subtitle_district(t).is_some() || subtitle_shape(t))
}

/// A subtitle whose dashes OCR lost: a district, a street or town and a community, with the profile's
/// heading right after it.
fn is_bare_subtitle(line: &str, next: &[&String]) -> bool {
    line.chars().count() < 40
        && contents::district_in(line).is_some_and(|d| line.starts_with(d))
        && subtitle_shape(line)
        && next
            .iter()
            .take(3)
            .any(|l| section_of(l) == Some(profile_section()))
}

/// A community name settled by its occurrences.
#[derive(Debug, Clone, PartialEq)]
pub struct NameVote {
    pub name: String,
    /// Share of the occurrences that read `name`.
    pub agreement: f32,
    /// The other readings, most frequent first.
    pub alternatives: Vec<String>,
}

/// Votes on a community name: the subtitle's reading and every stretch of `texts` (the body, and the
/// second engine's readings of the case's lines when `hybrid` read them twice) as long as it and at
/// most one character different (two for names over 8 characters), all Han. The most frequent reading
/// wins; a tie keeps the subtitle's. OCR that damaged one occurrence (东カ居民区 in the subtitle, 东力居民区
/// twice in the profile) is outvoted by the others. A subtitle reading without a community suffix (居民区,
/// 小区, 村…) lost its end, as OCR does at a line's end (梅园小 for 梅园小区): a stretch of the body that
/// matches it and runs on by one or two characters into a suffix votes for that longer reading, which
/// also wins a tie. A reading in Traditional forms counts for its Simplified form when another
/// occurrence reads that.
pub fn vote_name<'a>(subtitle: &str, texts: impl IntoIterator<Item = &'a str>) -> NameVote {
    let n = subtitle.chars().count();
    let mut counts: Vec<(String, u32)> = vec![(subtitle.to_string(), 1)];
    let limit = if n > 8 { 2 } else { 1 };
    let han = |c: &char| crate::text::is_han(*c);
    let truncated = !has_community_suffix(subtitle);
    for text in texts.into_iter().filter(|_| n >= 3) {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i + n <= chars.len() {
            let w = &chars[i..i + n];
            if w.iter().all(han) {
                let s: String = w.iter().collect();
                if strsim::levenshtein(&s, subtitle) <= limit {
                    let longer = (1..=2).filter(|_| truncated).find_map(|k| {
                        let w = chars.get(i..i + n + k)?;
                        let s: String = w.iter().collect();
                        (w.iter().all(han) && has_community_suffix(&s)).then_some((s, k))
                    });
                    let (s, extra) = longer.unwrap_or((s, 0));
                    match counts.iter_mut().find(|(r, _)| *r == s) {
                        Some((_, k)) => *k += 1,
                        None => counts.push((s, 1)),
                    }
                    i += n + extra;
                    continue;
                }
            }
            i += 1;
        }
    }
    // A reading in Traditional forms votes for its Simplified form when some occurrence was read so: the
    // book is printed in Simplified characters, and PP-OCR reads some Kai glyphs as Traditional (悅来苑
    // twice, 悦来苑 once). A name every occurrence reads in a Traditional form (绿地崑廉) keeps it. The
    // Traditional reading stays among the alternatives, with the agreement counting it as agreeing.
    for i in 0..counts.len() {
        let simple = fast2s::convert(&counts[i].0);
        if simple != counts[i].0
            && let Some(j) = counts.iter().position(|(r, _)| *r == simple)
        {
            counts[j].1 += std::mem::take(&mut counts[i].1);
        }
    }
    let total: u32 = counts.iter().map(|(_, k)| k).sum();
    // Most votes first; in a tie a reading with a suffix, then the subtitle's (first; stable sort).
    counts.sort_by_key(|c| (std::cmp::Reverse(c.1), !has_community_suffix(&c.0)));
    let (winner, votes) = counts[0].clone();
    NameVote {
        name: winner,
        agreement: votes as f32 / total as f32,
        alternatives: counts[1..].iter().map(|(r, _)| r.clone()).collect(),
    }
}

/// The district of a running header ("浦东新区优秀示范案例", printed on odd pages).
fn header_district(first_line: &str) -> Option<&'static str> {
    let t = contents::title_key(first_line);
    is_running_header(&t)
        .then(|| contents::subtitle_district(&t))
        .flatten()
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
        && (contents::title_similarity(&t, &crate::edition::current().title_key()) > 0.75
            || is_running_header(&t)))
        || (last
            && !t.is_empty()
            && t.chars().count() <= 3
            && t.chars().all(|c| c.is_ascii_digit() || "OolI".contains(c)))
}

fn parse_subtitle(s: &str) -> (Option<String>, Option<String>, Option<String>) {
    let t = s.trim_start_matches(subtitle_lead).trim();
    let Some(d) = contents::subtitle_district(t) else {
        // The district is unreadable: the street or town and the community still are.
        return match town_end(t) {
            Some(e) if e < t.len() => {
                let edition = crate::edition::current();
                let start = t
                    .char_indices()
                    .find(|&(_, c)| edition.ends_district(c))
                    .map_or(0, |(i, c)| i + c.len_utf8())
                    .min(e);
                let town = &t[start..e];
                (
                    None,
                    (!town.is_empty()).then(|| town.to_string()),
                    Some(t[e..].to_string()),
                )
            }
            _ => (None, None, Some(t.to_string())),
        };
    };
    // After the district name, or after its damaged OCR form (the stretch as long as it, one edit away).
    let n = d.chars().count();
    let damaged_end = || {
        let bounds: Vec<usize> = t.char_indices().map(|(b, _)| b).chain([t.len()]).collect();
        (0..bounds.len().saturating_sub(n).min(8))
            .find(|&k| strsim::levenshtein(&t[bounds[k]..bounds[k + n]], d) <= 1)
            .map(|k| &t[bounds[k + n]..])
    };
    let rest = t
        .find(d)
        .map(|i| &t[i + d.len()..])
        .or_else(damaged_end)
        .or_else(|| {
            // Named without 区 or 新区 (浦东高行镇…).
            let short = crate::edition::current().district_stem(d);
            t.find(short).map(|i| &t[i + short.len()..])
        })
        .unwrap_or(t);
    let (town, community) = match town_end_after_district(rest) {
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
    let mut book = Book {
        contents: toc,
        cases: Vec::new(),
        page_case: vec![None; pages.len()],
        page_district: vec![None; pages.len()],
    };
    read_cases(pages, &lines, &mut book);
    settle_names(pages, &mut book.cases);
    districts_from_headers(&lines, &mut book);
    book
}

/// The cases, page by page: a subtitle opens one (its title the line before), and every page up to
/// the next case, chapter divider or contents page adds to its body.
fn read_cases(pages: &[PageText], lines: &[Vec<String>], book: &mut Book) {
    let toc = &book.contents;
    let mut cases: Vec<Case> = Vec::new();
    let (page_case, page_district) = (&mut book.page_case, &mut book.page_district);
    let mut current: Option<usize> = None;
    for (pi, ls) in lines.iter().enumerate() {
        let is_toc = ls
            .iter()
            .filter(|l| contents::parse_entry_line(l).is_some())
            .count()
            >= 5;
        let divider = ls.len() <= 5
            && ls
                .iter()
                .any(|l| crate::edition::current().names_chapter(l))
            && !ls
                .iter()
                .any(|l| is_subtitle(l) || l.contains('。') || sections().contains(l));
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
        let start = (1..body.len()).find(|&k| {
            let next: Vec<&String> = body[k + 1..].iter().map(|(_, l)| *l).collect();
            is_subtitle(body[k].1) || is_bare_subtitle(body[k].1, &next)
        });
        let mut from = 0;
        if let Some(k) = start {
            let title = body[k - 1].1.clone();
            let subtitle = body[k].1.clone();
            let (district, town, community) = parse_subtitle(&subtitle);
            let printed: Option<u32> = ls.last().and_then(|l| l.parse().ok());
            let entry = contents::best_match(toc, &title, printed).cloned();
            let id = entry
                .as_ref()
                .map_or_else(|| pages[pi].label.clone(), |e| format!("c{:03}", e.page));
            let district = district.or_else(|| entry.as_ref().map(|e| e.district.clone()));
            cases.push(Case {
                id,
                title,
                subtitle,
                district,
                town,
                community,
                contents: entry,
                first_page: pi,
                last_page: pi,
                body: String::new(),
                page_starts: Vec::new(),
                sections: Vec::new(),
                name_agreement: None,
                name_alternatives: Vec::new(),
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
        add_lines(case, body[from..].iter().map(|(_, l)| l.as_str()));
    }
    book.cases = cases;
}

/// The community's name settled by a vote of its occurrences on the case's pages (and of the lines
/// a second engine read there).
fn settle_names(pages: &[PageText], cases: &mut [Case]) {
    for c in cases.iter_mut() {
        if let Some(name) = &c.community {
            let others: Vec<String> = pages[c.first_page..=c.last_page]
                .iter()
                .flat_map(|p| &p.alternates)
                .map(|l| crate::text::normalize(l.trim()))
                .collect();
            let texts = std::iter::once(c.body.as_str()).chain(others.iter().map(String::as_str));
            let vote = vote_name(name, texts);
            c.community = Some(vote.name);
            c.name_agreement = Some(vote.agreement);
            c.name_alternatives = vote.alternatives;
        }
    }
}

/// A subtitle whose district OCR could not read, in a scan without the contents: the running headers
/// of the case's pages name it.
fn districts_from_headers(lines: &[Vec<String>], book: &mut Book) {
    for (ci, c) in book.cases.iter_mut().enumerate() {
        if c.district.is_none() {
            c.district = (c.first_page..=c.last_page)
                .find_map(|pi| lines[pi].first().and_then(|l| header_district(l)))
                .map(str::to_string);
            for (pi, pc) in book.page_case.iter().enumerate() {
                if *pc == Some(ci) {
                    book.page_district[pi] = c.district.clone();
                }
            }
        }
    }
}

/// A page's lines added to a case's body: headings as its sections, and a line that opens a form's
/// row or a list's item as a sentence of its own.
fn add_lines<'a>(case: &mut Case, lines: impl Iterator<Item = &'a str>) {
    let mut last_line: Option<String> = None;
    for l in lines {
        if let Some(s) = section_of(l) {
            case.sections
                .push((s.to_string(), case.body.chars().count()));
            continue;
        }
        // A form's row (住户数：1,560户) or a post's item (🏠建成：1994年) on a line of its own
        // is a sentence of its own: the line before it ends there.
        // So is a short line after a short line that did not end a sentence: a list's item, not
        // a paragraph's wrapped line (the book's lines hold 35 or more characters).
        let open = case
            .body
            .chars()
            .next_back()
            .is_some_and(|c| !"。！？；：，、".contains(c));
        let short = |t: &str| t.trim().chars().count() <= SHORT_LINE;
        // The short line before ended on a value (36%, 1,010人) and this one starts anew (not with
        // the value's unit: 共有1224 / 户 is one sentence).
        let ends_on_value = |t: &str| {
            let mut rev = t.trim().chars().rev();
            match rev.next() {
                Some(c) if c.is_ascii_digit() || c == '%' || c == '％' => true,
                Some('户' | '人' | '年') => rev.next().is_some_and(|d| d.is_ascii_digit()),
                _ => false,
            }
        };
        let starts_anew =
            l.trim().chars().next().is_some_and(|c| {
                !c.is_ascii_digit() && !"户人年%％余多万千百个名位左以".contains(c)
            });
        let item = short(l)
            && starts_anew
            && last_line
                .as_deref()
                .is_some_and(|p| short(p) && ends_on_value(p));
        if open && (opens_row(l) || item) {
            case.body.push('；');
        }
        crate::text::push_word(&mut case.body, l);
        last_line = Some(l.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(label: &str, text: &str) -> PageText {
        PageText::transcription(label, format!("{label}.txt"), text.into())
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

    /// Without contents pages: a subtitle whose district OCR damaged (医 for 区) or whose dashes OCR
    /// lost still starts a case; the district comes from the subtitle (one error tolerated) or from the
    /// running header of the case's pages.
    #[test]
    fn cases_without_contents_from_damaged_subtitles() {
        let pages = [
            page(
                "p002",
                "新时代绿色社区创建 上海案例精选\n共建和美家园\n——浦东新医高行镇东力居民区\n社区概况\n东力居民区共有1224户。\n002",
            ),
            page(
                "p003",
                "浦东新区优秀示范案例\n党建引领聚合力\n·黄浦区外滩街道宝兴居民区\n社区概况\n宝兴居民区共有800户。\n003",
            ),
            page(
                "p004",
                "新时代绿色社区创建 上海案例精选\n绿色家园\n——涌东新医高行镇华高居民区\n社区概况\n华高居民区有1535户。\n004",
            ),
            page("p005", "浦东新区优秀示范案例\n创建成效\n很好。\n005"),
        ];
        let b = read(&pages);
        assert!(b.contents.is_empty());
        let got: Vec<(&str, Option<&str>, Option<&str>)> = b
            .cases
            .iter()
            .map(|c| (c.id.as_str(), c.district.as_deref(), c.community.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("p002", Some("浦东新区"), Some("东力居民区")),
                ("p003", Some("黄浦区"), Some("宝兴居民区")),
                // Two errors in the district: the running header of its pages names it.
                ("p004", Some("浦东新区"), Some("华高居民区")),
            ]
        );
        assert_eq!(b.page_district[3].as_deref(), Some("浦东新区"));
    }

    #[test]
    fn traditional_readings_vote_for_the_simplified_form_read_elsewhere() {
        // Fresh Kai set, seed 20: PP-OCR read 悅 twice, 悦 once.
        let v = vote_name("悅来苑小区", ["悅来苑小区位于", "悦来苑小区成立于"]);
        assert_eq!((v.name.as_str(), v.agreement), ("悦来苑小区", 1.0));
        assert_eq!(v.alternatives, ["悅来苑小区"]);
        // The real 绿地崑廉, read 崑 everywhere, keeps its Traditional 崑.
        let v = vote_name("绿地崑廉居民区", ["绿地崑廉居民区是", "绿地崑廉居民区坚持"]);
        assert_eq!(v.name, "绿地崑廉居民区");
    }

    #[test]
    fn a_subtitle_that_lost_its_suffix_is_outvoted_by_the_body() {
        // PP-OCR dropped the line-final 区 of the subtitle (fresh Ming set, seed 18).
        let v = vote_name(
            "梅园小",
            ["梅园小区位于浦东新区庄行镇。梅园小区成立于二〇〇六年，梅园小路"],
        );
        assert_eq!(v.name, "梅园小区");
        assert!((v.agreement - 2.0 / 4.0).abs() < 1e-6, "{v:?}");
        assert_eq!(v.alternatives, ["梅园小"]);
        // Two against one without the road: 2/3.
        let v = vote_name("梅园小", ["梅园小区位于浦东新区。梅园小区成立于二〇〇六年"]);
        assert_eq!((v.name.as_str(), v.agreement), ("梅园小区", 2.0 / 3.0));
        // A subtitle with its suffix is not lengthened by a body that runs on.
        let v = vote_name("东力居民区", ["东力居民区村委会", "东力居民区"]);
        assert_eq!(v.name, "东力居民区");
        assert_eq!(v.agreement, 1.0);
    }

    /// A new area, an industrial zone or a park stands where a street or town would.
    #[test]
    fn an_industrial_zone_or_new_area_is_the_subtitles_town() {
        for (subtitle, town, community) in [
            ("——嘉定区嘉定工业区汇龙居民区", "嘉定工业区", "汇龙居民区"),
            ("——嘉定区菊园新区嘉宝居民区", "菊园新区", "嘉宝居民区"),
            ("——普陀区长征镇梅川居民区", "长征镇", "梅川居民区"),
        ] {
            let (_, t, c) = parse_subtitle(subtitle);
            assert_eq!(
                (t.as_deref(), c.as_deref()),
                (Some(town), Some(community)),
                "{subtitle}"
            );
        }
    }

    /// The community name is voted on: a damaged subtitle (东カ) is outvoted by the profile's
    /// occurrences, and the agreement and the other reading are kept.
    #[test]
    fn the_name_vote_outvotes_one_damaged_occurrence() {
        let pages = [page(
            "p008",
            "向绿而行\n——浦东新区高行镇东カ居民区\n社区概况\n东力居民区建成于2006年。东力居民区共有1224户，东力居民区居民参与创建。\n",
        )];
        let c = &read(&pages).cases[0];
        assert_eq!(c.community.as_deref(), Some("东力居民区"));
        assert_eq!(c.name_agreement, Some(0.75));
        assert_eq!(c.name_alternatives, ["东カ居民区"]);
        let v = vote_name("东力居民区", ["东力居民区共有1224户。"]);
        assert_eq!((v.name.as_str(), v.agreement), ("东力居民区", 1.0));
        assert!(v.alternatives.is_empty());
    }

    /// With `hybrid`, the readings of the second engine vote too: the subtitle PP-OCR damaged (径东) and
    /// the one mention in the profile tie, and Tesseract's reading of the subtitle settles it.
    #[test]
    fn the_second_engines_readings_vote_on_the_name() {
        let text = "向绿而行\n——浦东新区洋泾街道径东居民区\n社区概况\n泾东居民区建成于1998年。\n";
        let alone = read(&[page("p008", text)]);
        assert_eq!(alone.cases[0].community.as_deref(), Some("径东居民区"));
        let twice = PageText {
            alternates: vec!["——浦东新区洋泾街道泾东居民区".into()],
            ..page("p008", text)
        };
        let c = &read(&[twice]).cases[0];
        assert_eq!(c.community.as_deref(), Some("泾东居民区"));
        assert_eq!(c.name_agreement, Some(2.0 / 3.0));
        assert_eq!(c.name_alternatives, ["径东居民区"]);
    }
}
