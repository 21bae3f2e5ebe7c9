//! The edition: what is specific to one printed book, read from a TOML file
//! (`editions/shanghai-green-communities-2023.toml`, embedded as the default; `--edition FILE` reads
//! another). Its title, editors, publisher and year go into every output that names the book; its
//! districts, chapter titles, section headings and subtitle shape are what the OCR re-read rules and
//! the book's structure look for. docs/edition.md describes the format.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The default edition's file, compiled in.
const DEFAULT: &str = include_str!("../../../editions/shanghai-green-communities-2023.toml");

/// One printed book, as its edition file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    pub book: BookInfo,
    pub structure: Structure,
    pub facts: FactWords,
}

/// What names the book: for title pages, metadata and sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookInfo {
    pub title: String,
    pub editors: Vec<String>,
    pub publisher: String,
    pub year: u16,
    #[serde(default)]
    pub isbn: Option<String>,
    pub language: String,
}

/// How the book is laid out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    pub districts: Vec<String>,
    pub chapter_suffix: String,
    pub sections: Vec<String>,
    pub profile_section: String,
    pub subtitle_leads: Vec<String>,
    /// The ends of a district's name that prose drops, longest first (新区, 区: 浦东 for 浦东新区).
    pub district_suffixes: Vec<String>,
    /// The ends of a street's or town's name in a subtitle; the first may follow another (嘉定镇街道).
    pub town_suffixes: Vec<String>,
    /// Areas that stand where a street or town does after the district (菊园新区, 嘉定工业区).
    pub area_suffixes: Vec<String>,
    /// The ends of a community's name (居民区, 村…).
    pub community_suffixes: Vec<String>,
}

/// The words by which a profile names what a figure is of, per keyword class.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactWords {
    pub other_rates: Vec<String>,
    pub green: Vec<String>,
    pub elderly: Vec<String>,
    pub migrant: Vec<String>,
    pub completed: Vec<String>,
    pub established: Vec<String>,
    pub resident: Vec<String>,
    pub population: Vec<String>,
    pub not_population: Vec<String>,
    pub person_units: Vec<String>,
}

static CURRENT: OnceLock<Edition> = OnceLock::new();

impl Edition {
    /// Parses and checks an edition file's text; `name` names it in errors.
    pub fn parse(text: &str, name: &str) -> Result<Edition> {
        let e: Edition = toml::from_str(text).with_context(|| format!("edition file {name}"))?;
        let s = &e.structure;
        let problem = if e.book.title.trim().is_empty() {
            Some("book.title is empty")
        } else if s.districts.is_empty() || s.districts.iter().any(|d| d.chars().count() < 2) {
            Some("structure.districts needs at least one name of two or more characters")
        } else if !s.sections.contains(&s.profile_section) {
            Some("structure.profile_section must be one of structure.sections")
        } else if s.chapter_suffix.chars().count() < 2 {
            Some("structure.chapter_suffix needs two or more characters")
        } else if s.subtitle_leads.iter().any(|l| l.chars().count() != 1) {
            Some("structure.subtitle_leads are single characters")
        } else if [
            &s.district_suffixes,
            &s.town_suffixes,
            &s.area_suffixes,
            &s.community_suffixes,
        ]
        .iter()
        .any(|l| l.is_empty() || l.iter().any(|w| w.is_empty()))
        {
            Some(
                "structure.district_suffixes, town_suffixes, area_suffixes and community_suffixes need words",
            )
        } else if e.facts.person_units.iter().any(|l| l.chars().count() != 1) {
            Some("facts.person_units are single characters")
        } else if [
            &e.facts.green,
            &e.facts.elderly,
            &e.facts.migrant,
            &e.facts.completed,
            &e.facts.population,
            &e.facts.person_units,
        ]
        .iter()
        .any(|l| l.is_empty() || l.iter().any(|w| w.is_empty()))
        {
            Some("facts.green, elderly, migrant, completed, population and person_units need words")
        } else {
            None
        };
        if let Some(p) = problem {
            bail!("edition file {name}: {p}");
        }
        Ok(e)
    }

    /// The book's title as compared with OCR text: its words only (新时代绿色社区创建上海案例精选).
    pub fn title_key(&self) -> String {
        self.book
            .title
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    /// The districts, in the book's order.
    pub fn districts(&self) -> impl Iterator<Item = &str> {
        self.structure.districts.iter().map(String::as_str)
    }

    /// A district's short name, as prose also writes it (浦东 for 浦东新区, 黄浦 for 黄浦区).
    pub fn district_stems(&self) -> impl Iterator<Item = &str> {
        self.districts()
            .map(|d| self.district_stem(d))
            .filter(|s| s.chars().count() >= 2)
    }

    /// `district` without the first of the district suffixes it ends with.
    pub fn district_stem<'a>(&self, district: &'a str) -> &'a str {
        self.structure
            .district_suffixes
            .iter()
            .find_map(|s| district.strip_suffix(s.as_str()))
            .unwrap_or(district)
    }

    /// Whether `c` ends a district's name (区).
    pub fn ends_district(&self, c: char) -> bool {
        self.districts().any(|d| d.ends_with(c))
    }

    /// Where the street or town of a subtitle ends, a byte offset in `t`: after its first town suffix
    /// (街道, 镇, 乡), and after the first suffix right behind it (a 镇街道, 嘉定镇街道, is one street).
    pub fn town_end(&self, t: &str) -> Option<usize> {
        let suffixes = &self.structure.town_suffixes;
        let e = suffixes
            .iter()
            .filter_map(|k| t.find(k.as_str()).map(|i| i + k.len()))
            .min()?;
        let first = &suffixes[0];
        Some(if t[e..].starts_with(first.as_str()) {
            e + first.len()
        } else {
            e
        })
    }

    /// Whether `t` ends as a community's name does (居民区, 村, 小区…).
    pub fn has_community_suffix(&self, t: &str) -> bool {
        self.structure
            .community_suffixes
            .iter()
            .any(|s| t.ends_with(s.as_str()))
    }

    /// Whether the text after a subtitle's dashes is shaped like one whatever OCR did to the district:
    /// a street or town, then a community's name.
    pub fn subtitle_shape(&self, t: &str) -> bool {
        let t = t.trim_end_matches(['。', '.', ' ']);
        self.town_end(t).is_some() && self.has_community_suffix(t)
    }

    /// Whether a line of OCR text could be a case's subtitle, as the OCR re-read rules look for it
    /// (the book's structure confirms it by the district it names): two lead characters or a dash, then
    /// under 40 characters naming a district or shaped like a subtitle.
    pub fn may_be_subtitle(&self, text: &str) -> bool {
        let t = text.trim();
        let lead: Vec<char> = t
            .chars()
            .take_while(|&c| c != ' ' && self.is_subtitle_lead(c))
            .collect();
        let opens = lead.len() >= 2 || lead.first().is_some_and(|&c| c == '—' || c == '-');
        let body = t.trim_start_matches(|c| self.is_subtitle_lead(c));
        opens
            && t.chars().count() < 40
            && (self.district_stems().any(|d| body.contains(d)) || self.subtitle_shape(body))
    }

    /// Whether a character opens a case's subtitle (the dashes of ——浦东新区…, as OCR reads them).
    pub fn is_subtitle_lead(&self, c: char) -> bool {
        self.structure
            .subtitle_leads
            .iter()
            .any(|l| l.starts_with(c))
    }

    /// Whether a line holds a chapter title or running header: the chapter suffix, or its first or
    /// last four characters when OCR damaged the rest (示范案例 of 优秀示范案例).
    pub fn names_chapter(&self, line: &str) -> bool {
        let s: Vec<char> = self.structure.chapter_suffix.chars().collect();
        let n = s.len().min(4);
        let head: String = s[..n].iter().collect();
        let tail: String = s[s.len() - n..].iter().collect();
        line.contains(&head) || line.contains(&tail)
    }

    /// Whether a short line is the profile's heading, with at most one character misread.
    pub fn is_profile_heading(&self, line: &str) -> bool {
        let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let want = &self.structure.profile_section;
        t.chars().count() == want.chars().count() && strsim::levenshtein(&t, want) <= 1
    }
}

/// The edition in use: the one `use_file` read, else the default.
pub fn current() -> &'static Edition {
    CURRENT
        .get_or_init(|| Edition::parse(DEFAULT, "(built in)").expect("the built-in edition parses"))
}

/// Reads the edition file at `path` and makes it the one in use for the rest of the process. Called
/// once, before any stage runs; a second call with another file is refused.
pub fn use_file(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading edition file {}", path.display()))?;
    let e = Edition::parse(&text, &path.display().to_string())?;
    let title = e.book.title.clone();
    if CURRENT.set(e).is_err() && current().book.title != title {
        bail!(
            "edition file {}: another edition is already in use",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_edition_is_the_shanghai_book() {
        let e = Edition::parse(DEFAULT, "built in").unwrap();
        assert_eq!(e.title_key(), "新时代绿色社区创建上海案例精选");
        assert_eq!(e.districts().count(), 16);
        assert_eq!(e.districts().next(), Some("浦东新区"));
        assert!(e.district_stems().any(|s| s == "浦东"));
        assert!(e.names_chapter("4 徐汇区优秀示范案例") && e.names_chapter("杨浦区优秀示范案"));
        assert!(e.is_profile_heading("社区概况") && e.is_profile_heading("社区概兄"));
        assert!(!e.is_profile_heading("特色工作"));
    }

    #[test]
    fn a_bad_edition_file_is_refused_with_its_name_and_key() {
        let bad = DEFAULT.replace(
            "profile_section = \"社区概况\"",
            "profile_section = \"概况\"",
        );
        let err = Edition::parse(&bad, "mine.toml").unwrap_err().to_string();
        assert!(
            err.contains("mine.toml") && err.contains("profile_section"),
            "{err}"
        );
        let unknown = format!("{DEFAULT}\n[extra]\nx = 1\n");
        let err = format!("{:#}", Edition::parse(&unknown, "mine.toml").unwrap_err());
        assert!(err.contains("mine.toml") && err.contains("extra"), "{err}");
    }
}
