//! Stage 5: the six facts of every case's profile (社区概况), each with provenance.
//!
//! The profile is cut into sentences (。！？；) and clauses (，、：); jieba tokens decide which keyword a
//! clause speaks of, [`crate::text::numerals`] finds its numbers. A number becomes a fact only when its
//! clause names the field and its unit fits; distractors (city-wide totals, other rates, buildings,
//! parking spaces, volunteers, areas) are refused. Missing facts stay None.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_book as book;
use greenbook_core::{edition, text};

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::book::{Book, Case, PageText};
use crate::text::numerals::{self, Number, Qualifier};
use crate::text::segment;

pub mod fields;
pub mod whose;

pub use fields::{FIELDS, Field, FieldSpec, Measure, Values};

/// What a figure describes: the whole community, or only one estate of it (the book's 东力 profile gives
/// 1224 户 for its estate 东力新村 only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Community,
    SubEstate(String),
}

impl Scope {
    const SUB_ESTATE: &'static str = "sub_estate:";

    /// The `facts.scope` column: null for the whole community, `sub_estate:<name>` otherwise.
    pub fn column(&self) -> Option<String> {
        match self {
            Scope::Community => None,
            Scope::SubEstate(s) => Some(format!("{}{s}", Scope::SUB_ESTATE)),
        }
    }

    /// Reads the column back; a value it does not know is kept whole as a sub-estate name.
    pub fn from_column(v: Option<&str>) -> Scope {
        match v {
            None | Some("") => Scope::Community,
            Some(s) => Scope::SubEstate(s.strip_prefix(Scope::SUB_ESTATE).unwrap_or(s).to_string()),
        }
    }

    pub fn sub_estate(&self) -> Option<&str> {
        match self {
            Scope::Community => None,
            Scope::SubEstate(s) => Some(s),
        }
    }
}

/// The year the book was published: a founding year after it is doubtful.
pub const BOOK_YEAR: f64 = 2023.0;

/// OCR confidence (0–1) of a number's characters under which it is flagged.
pub const LOW_OCR_CONF: f32 = 0.75;

/// Why a figure is doubtful. Recorded with the fact (`facts.flags`) and in the digests' data-quality
/// notes; the value itself is never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// More households than people.
    HouseholdsOverPopulation,
    /// People per household outside 1.2–5.
    PersonsPerHousehold,
    /// A green rate over 60 %.
    GreenRateOver60,
    /// A founding year before 1949 or after the book's year.
    YearOutOfRange,
    /// A share over 100 %.
    ShareOver100,
    /// The number's characters were read with low OCR confidence.
    LowOcrConfidence,
}

// The `facts.flags` values.
crate::text::edge_strings!(Flag {
    HouseholdsOverPopulation => "households_over_population",
    PersonsPerHousehold => "persons_per_household",
    GreenRateOver60 => "green_rate_over_60",
    YearOutOfRange => "year_out_of_range",
    ShareOver100 => "share_over_100",
    LowOcrConfidence => "low_ocr_confidence",
});

impl Flag {
    /// What the digest's data-quality notes say about it.
    pub fn note(self) -> &'static str {
        match self {
            Flag::HouseholdsOverPopulation => "户数多于人口",
            Flag::PersonsPerHousehold => "户均人口不在 1.2–5 人之间",
            Flag::GreenRateOver60 => "绿化率高于 60%",
            Flag::YearOutOfRange => "建成年份早于 1949 年或晚于成书年份",
            Flag::ShareOver100 => "比例超过 100%",
            Flag::LowOcrConfidence => "数字识别置信度低",
        }
    }
}

/// How a rule named a figure. With its field it is the fact's `rule`, as `facts.parquet` writes it
/// (`households:unit户`, `founded_year:label-then-value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A count with 户 after it (1,224户).
    UnitHouseholds,
    /// 户数 with no unit after the count (户数，2 860).
    KeywordHouseholds,
    /// A keyword of the field in the clause (绿化率35%).
    Keyword,
    /// A head count's keyword and a measure word (常住人口3,900人).
    KeywordUnitPerson,
    /// A head count right after the household count (共1 686户、4 500人).
    AfterHouseholds,
    /// A verb of building (建成, 竣工, 交付…).
    Completed,
    /// A committee's founding (成立): the estate's completion beats it.
    Established,
    /// A committee's founding as a form's label (居委会成立时间：2016年).
    EstablishedLabel,
    /// A label, then the value in a clause of its own (户数，2 860).
    LabelThenValue,
    /// A share after its group's count (老年人口1200人，占总人口的18%).
    CountThenShare,
    /// 这一比例: the measure of the sentence before.
    SameMeasure,
    /// The answer to a question the sentence before asked.
    Answer,
}

impl How {
    /// As the rule column writes it, after the field.
    pub fn as_str(self) -> &'static str {
        match self {
            How::UnitHouseholds => "unit户",
            How::KeywordHouseholds => "keyword户数",
            How::Keyword => "keyword",
            How::KeywordUnitPerson => "keyword+unit人",
            How::AfterHouseholds => "after-households",
            How::Completed => "completed",
            How::Established => "established",
            How::EstablishedLabel => "established-label-then-value",
            How::LabelThenValue => "label-then-value",
            How::CountThenShare => "count-then-share",
            How::SameMeasure => "same-measure",
            How::Answer => "answer",
        }
    }

    /// How much the reading is trusted (0–1): a number in the clause that names it, with its unit,
    /// is read as stated; one named from the clause before it, or by its position after a household
    /// count, less so; a population with no unit least.
    fn weight(self, field: Field) -> f32 {
        match self {
            How::LabelThenValue
            | How::EstablishedLabel
            | How::CountThenShare
            | How::SameMeasure => 0.9,
            How::AfterHouseholds => 0.85,
            How::Keyword if field == Field::Population => 0.8,
            _ => 1.0,
        }
    }

    /// A residents' committee's founding, which an estate's completion outranks.
    fn committee(self) -> bool {
        matches!(self, How::Established | How::EstablishedLabel)
    }
}

/// The rule that took a fact: its field and how (`households:unit户`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub field: Field,
    pub how: How,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.field.name(), self.how.as_str())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The OCR confidence (0–1) of the characters a number was read from: the lowest confidence of the
/// page's words that hold its digits (None for a transcription, which has no words; the page's mean
/// confidence when no word matches).
fn ocr_conf(page: Option<&PageText>, mention: &str) -> Option<f32> {
    let page = page?;
    if page.words.is_empty() {
        return page.conf.map(|c| c / 100.0);
    }
    let numeral = |c: char| c.is_ascii_digit() || numerals::is_cn_numeral(c);
    let key: String = crate::text::normalize(mention)
        .chars()
        .filter(|c| numeral(*c))
        .collect();
    if key.is_empty() {
        return page.conf.map(|c| c / 100.0);
    }
    let min = page
        .words
        .iter()
        .filter_map(|(text, conf)| {
            let digits: String = crate::text::normalize(text)
                .chars()
                .filter(|c| numeral(*c))
                .collect();
            let holds = !digits.is_empty()
                && (digits.contains(&key) || key.contains(&digits) && digits.chars().count() >= 2);
            holds.then_some(*conf / 100.0)
        })
        .fold(None, |m: Option<f32>, c| Some(m.map_or(c, |m| m.min(c))));
    min.or(page.conf.map(|c| c / 100.0))
}

/// Flags the chosen facts of one case (one per field).
fn plausibility(chosen: &mut [Fact]) {
    let value = |chosen: &[Fact], f: Field| chosen.iter().find(|x| x.field == f).map(|x| x.value);
    let add = |chosen: &mut [Fact], f: Field, flag: Flag| {
        if let Some(x) = chosen.iter_mut().find(|x| x.field == f)
            && !x.flags.contains(&flag)
        {
            x.flags.push(flag);
        }
    };
    if let (Some(h), Some(p)) = (
        value(chosen, Field::Households),
        value(chosen, Field::Population),
    ) {
        let flag = if h > p {
            Some(Flag::HouseholdsOverPopulation)
        } else if h > 0.0 && !(1.2..=5.0).contains(&(p / h)) {
            Some(Flag::PersonsPerHousehold)
        } else {
            None
        };
        if let Some(flag) = flag {
            add(chosen, Field::Households, flag);
            add(chosen, Field::Population, flag);
        }
    }
    if value(chosen, Field::GreenRate).is_some_and(|g| g > 60.0) {
        add(chosen, Field::GreenRate, Flag::GreenRateOver60);
    }
    if value(chosen, Field::FoundedYear).is_some_and(|y| !(1949.0..=BOOK_YEAR).contains(&y)) {
        add(chosen, Field::FoundedYear, Flag::YearOutOfRange);
    }
    for spec in FIELDS.iter().filter(|s| s.measure == Measure::Percent) {
        if value(chosen, spec.field).is_some_and(|v| v > 100.0) {
            add(chosen, spec.field, Flag::ShareOver100);
        }
    }
    let unsure: Vec<Field> = chosen
        .iter()
        .filter(|x| x.ocr_conf.is_some_and(|c| c < LOW_OCR_CONF))
        .map(|x| x.field)
        .collect();
    for f in unsure {
        add(chosen, f, Flag::LowOcrConfidence);
    }
}

/// One extracted fact and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub case_id: String,
    pub field: Field,
    pub value: f64,
    pub qualifier: Qualifier,
    /// Page label the number is printed on.
    pub page: String,
    pub sentence: String,
    /// Char span of the number (with its qualifiers) inside `sentence`.
    pub span: (usize, usize),
    /// Which rule took it, e.g. `households:unit户`.
    pub rule: Rule,
    pub page_conf: Option<f32>,
    /// The whole community, or a sub-estate only (e.g. 东力新村).
    pub scope: Scope,
    /// Its clause states a total (总, 共计, 合计, …): it wins over the parts.
    #[serde(skip)]
    pub total: bool,
    /// A registered (户籍) head count: a resident (常住, 实有) one wins over it.
    #[serde(skip)]
    pub registered: bool,
    /// OCR confidence (0–1) of the number's characters; None for a transcription.
    pub ocr_conf: Option<f32>,
    /// How far the fact is trusted (0–1): the rule's weight times the OCR confidence.
    pub confidence: f32,
    /// Why the figure is doubtful (empty when nothing is).
    pub flags: Vec<Flag>,
    /// Why this figure was taken, for a reader: "population: 常住人口3,010人 — this community,
    /// exact".
    pub why: String,
    /// The other figures read for this field and not taken, each with why.
    pub refused: Vec<Refused>,
    /// The number with the words before it in its clause, as `why` and `refused` show it.
    #[serde(skip)]
    pub context: String,
}

/// A figure read for a field and not taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refused {
    pub field: Field,
    pub value: f64,
    /// The words around it, as printed.
    pub mention: String,
    pub reason: String,
}

impl Refused {
    /// As the `facts.refused` column and the review page show it: "76000 (…常住人口约7.6万人: belongs
    /// to 康健新村街道, not the community)".
    pub fn show(&self) -> String {
        format!(
            "{} ({}: {})",
            self.field.show(self.value),
            self.mention,
            self.reason
        )
    }
}

/// A case with its facts (None where the book does not say).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFacts {
    pub case_id: String,
    pub source: String,
    pub page: String,
    pub district: Option<String>,
    pub town: Option<String>,
    pub community: Option<String>,
    pub title: String,
    #[serde(skip)]
    pub values: Values,
    pub facts: Vec<Fact>,
    /// Figures refused for a field no figure was taken for (those of a taken field are in its fact).
    pub refused: Vec<Refused>,
}

/// The edition's keyword classes (`[facts]` of its file, [`crate::edition::FactWords`]): the words by
/// which a profile names what a figure is of.
struct Vocab {
    other_rates: Vec<&'static str>,
    green: Vec<&'static str>,
    elderly: Vec<&'static str>,
    migrant: Vec<&'static str>,
    completed: Vec<&'static str>,
    established: Vec<&'static str>,
    resident: Vec<&'static str>,
    population: Vec<&'static str>,
    not_population: Vec<&'static str>,
    person_units: Vec<char>,
}

/// The keyword classes of the edition in use, read once.
fn vocab() -> &'static Vocab {
    static V: std::sync::OnceLock<Vocab> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let f = &crate::edition::current().facts;
        let w = |l: &'static [String]| l.iter().map(String::as_str).collect();
        Vocab {
            other_rates: w(&f.other_rates),
            green: w(&f.green),
            elderly: w(&f.elderly),
            migrant: w(&f.migrant),
            completed: w(&f.completed),
            established: w(&f.established),
            resident: w(&f.resident),
            population: w(&f.population),
            not_population: w(&f.not_population),
            person_units: f
                .person_units
                .iter()
                .filter_map(|u| u.chars().next())
                .collect(),
        }
    })
}

/// A year that dates an estate (1985年的老小区, 1960年的老公房, 系2003年新建小区).
static ESTATE_OF_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^年(?:(?:新建|建成)的?|的)[老新]?(?:小区|公房|住宅|新村|居民区|社区)")
        .expect("a valid pattern")
});
/// An age band of the elderly written with figures: 60岁以上, 65周岁及以上, 60+.
static AGE_BAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[5-8][05]\s*(?:周?岁\s*(?:及|或)?以上|周?岁?\s*[+＋])").expect("a valid pattern")
});
/// A table's rows written `label｜value` (总户数｜1,880): a bar between a label's last character and a
/// figure is the label's colon, not an item divider (绿化率40%｜老人占比15%). The bar and the colon have
/// the same length, so offsets hold.
fn table_rows(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .map(|i| {
            let label_bar = matches!(chars[i], '｜' | '|')
                && i > 0
                && crate::text::is_han(chars[i - 1])
                && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
            if label_bar { '：' } else { chars[i] }
        })
        .collect()
}

fn split_keep(text: &str, seps: &[char]) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        // A comma between digits is a thousands separator, not a clause boundary.
        let digit_comma = c == ','
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if seps.contains(&c) && !digit_comma {
            out.push((start, chars[start..=i].iter().collect()));
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push((start, chars[start..].iter().collect()));
    }
    out
}

/// Which field a number in a clause is, if any, with the rule's name.
fn classify(clause: &str, sentence: &str, words: &[String], n: &Number) -> Option<(Field, How)> {
    let v = vocab();
    let has_word = |ks: &[&str]| words.iter().any(|w| ks.contains(&w.as_str()));
    let has = |ks: &[&str]| ks.iter().any(|k| clause.contains(k));
    // 市级, 区级: an honour's level, not a figure of the community (全市, 全区… are places: `whose`).
    if has(&["市级", "区级"]) {
        return None;
    }
    if n.percent {
        if has(&v.other_rates) {
            return None;
        }
        // 绿化面积占比35%, 绿地面积占小区面积的35%: the green area's share is the green rate.
        if has(&v.green) {
            return Some((Field::GreenRate, How::Keyword));
        }
        if has(&v.elderly) || AGE_BAND.is_match(clause) {
            return Some((Field::ElderlyShare, How::Keyword));
        }
        if has(&v.migrant) {
            return Some((Field::MigrantShare, How::Keyword));
        }
        return None;
    }
    let unit = n.unit.as_str();
    let int = n.value.fract() == 0.0;
    // 1980年代: a decade, not a year.
    if is_year(n) && !unit.starts_with("年代") {
        if has(&v.completed) {
            return Some((Field::FoundedYear, How::Completed));
        }
        if has(&v.established) {
            return Some((Field::FoundedYear, How::Established));
        }
        // 1985年的老小区: the year an estate is of.
        let after: String = clause.chars().skip(n.end).take(6).collect();
        if ESTATE_OF_YEAR.is_match(&after) {
            return Some((Field::FoundedYear, How::Completed));
        }
    }
    if unit.starts_with('户')
        && !unit.starts_with("户籍")
        && n.value >= 10.0
        && !has(&["动迁户", "困难户", "加梯"])
    {
        return Some((Field::Households, How::UnitHouseholds));
    }
    // No unit after the number: it ends its clause (户数，2 860；).
    let no_unit = unit.is_empty() || unit.starts_with(['，', '。', ',', '；', ';', '、']);
    if has(&["户数"]) && no_unit {
        return Some((Field::Households, How::KeywordHouseholds));
    }
    // A head count: 人, 名, 位 or 口 (after 余 or 多), of the residents.
    // 3,600+居民: the residents named with no measure word.
    let person = counts_people(unit) || unit.starts_with("居民");
    // A group is named before its count (老年人1,162人) or as its unit (1,150名老人): words after
    // that are of another figure (3,600+居民这里的老人家占了四成).
    // (常住约5,900人老人约占18%: after 人 nothing more is the count's.)
    let own_end = match unit.find('人') {
        Some(b) if unit[..b].chars().all(|c| "余多约".contains(c)) => {
            n.end + unit[..b].chars().count() + 1
        }
        _ => n.end + 4,
    };
    let own: String = clause.chars().take(own_end).collect();
    // 60+居民比例: the group a share is of, not a head count.
    let labels_share = ["比例", "占比", "比重"].iter().any(|w| own.contains(w));
    if person
        && !labels_share
        && (has_word(&v.population) || has_word(&["常住居民", "总居住人口"]) || has(&v.resident))
        && !v.not_population.iter().any(|k| own.contains(k))
    {
        return Some((Field::Population, How::KeywordUnitPerson));
    }
    // 人口约两万: a population figure with no unit after it.
    if no_unit && n.value >= 100.0 && int && has_word(&v.population) && !has(&v.not_population) {
        return Some((Field::Population, How::Keyword));
    }
    // 3,100户、8,600多人住在这里: a head count joined to the household count before it.
    let lead: String = clause.chars().take(n.start).collect();
    if person && follows_households(&lead) && !v.not_population.iter().any(|k| own.contains(k)) {
        return Some((Field::Population, How::AfterHouseholds));
    }
    // "共1 686户、4 500人": a bare head count listed right after the households figure.
    if unit.starts_with('人')
        && clause.chars().count() <= 10
        && !has(&v.not_population)
        && sentence.contains('户')
        && !sentence.contains("名")
        && numerals::find_numbers(sentence)
            .iter()
            .any(|m| m.unit.starts_with('户'))
    {
        return Some((Field::Population, How::AfterHouseholds));
    }
    None
}

/// A whole year of the range a founding can be, with 年 after it (1985年).
fn is_year(n: &Number) -> bool {
    n.unit.starts_with('年') && n.value.fract() == 0.0 && (1900.0..=2030.0).contains(&n.value)
}

/// Whether a count's unit is a measure word of people (人, 名, 位, 口), after 余 or 多.
fn counts_people(unit: &str) -> bool {
    unit.trim_start_matches(['余', '多'])
        .starts_with(vocab().person_units.as_slice())
}

/// Whether `lead` ends with a household count and at most a joining word or mark (3,100户、).
fn follows_households(lead: &str) -> bool {
    lead.trim_end_matches(['、', '，', ',', ' ', '和', '及', '与'])
        .strip_suffix('户')
        .is_some_and(|l| l.ends_with(|c: char| c.is_ascii_digit() || numerals::is_cn_numeral(c)))
}

/// Words that make a figure a stated total (总户数, 共计, 合计, 共有, 全部, 一共, 总计).
const TOTAL_WORDS: &[&str] = &["总", "共计", "合计", "共有", "全部", "一共", "累计"];

/// Whether the clause states a total before the number at `at` (char index in the clause).
fn states_total(clause: &str, at: usize) -> bool {
    let before: String = clause.chars().take(at).collect();
    TOTAL_WORDS.iter().any(|w| before.contains(w))
}

/// A figure that is not the present value in a clause that states a change: the value before it
/// (绿化率由25%提升至31%, 从改造前的22%提升到了30%) or the size of the change (提高了15%). The value
/// after 至 or 到 is the present one.
fn not_present(clause: &str, n: &Number) -> Option<&'static str> {
    let chars: Vec<char> = clause.chars().collect();
    let before: String = chars[..n.start].iter().collect();
    let after: String = chars[n.end..].iter().collect();
    const CHANGE: [&str; 9] = [
        "提升", "提高", "增加", "增长", "上升", "下降", "降低", "减少", "增至",
    ];
    // 1979年至1983年间陆续建成: the founding is the span's first year.
    if is_year(n)
        && ["至", "到", "—", "－", "-", "～", "~"]
            .iter()
            .any(|w| before.ends_with(w))
        && numerals::find_numbers(&before)
            .last()
            .is_some_and(|m| is_year(m) && m.end + 2 == n.start)
    {
        return Some("the end of a span of years; its first year is the founding");
    }
    let tail: String = chars[n.start.saturating_sub(4)..n.start].iter().collect();
    if tail.ends_with('至') || tail.ends_with('到') || tail.ends_with("到了") {
        return None;
    }
    let from = before.rfind(['由', '从']).is_some_and(|i| {
        // 由 or 从 opens the stretch the number ends: no other number between.
        numerals::find_numbers(&before[i..]).is_empty()
    });
    let later_value = (after.contains('至') || after.contains('到'))
        && numerals::find_numbers(&after)
            .iter()
            .any(|m| m.percent == n.percent);
    if from && later_value {
        return Some("the value before a change (由…至…)");
    }
    // 改造后绿化率达到32%（改造前18%）: the value before the works.
    let near: String = chars[n.start.saturating_sub(6)..n.start].iter().collect();
    if ["改造前", "整治前", "更新前", "原来", "原先", "此前", "以前"]
        .iter()
        .any(|w| near.contains(w))
    {
        return Some("the value before a change (改造前…)");
    }
    let verb_right_before = CHANGE
        .iter()
        .any(|v| tail.ends_with(v) || tail.ends_with(&format!("{v}了")));
    if verb_right_before {
        return Some("the size of a change, not a value");
    }
    None
}

/// A share restated exactly right after it: in a parenthesis (超过四成（42%）, 不到一成（8%）), or, for a
/// share in words, in the clause after it (超过一半，达到52%). The exact figure is taken.
fn restated(mention: &str, percent: bool, after: &str) -> bool {
    if !percent {
        return false;
    }
    let after: String = after.chars().take(12).collect();
    let opens = |text: &str, at: usize| {
        numerals::find_numbers(text)
            .first()
            .is_some_and(|m| m.percent && m.start == at)
    };
    let paren = (after.starts_with('（') || after.starts_with('(')) && opens(&after, 1);
    let in_words = !mention.chars().any(|c| c.is_ascii_digit());
    // 七成以上为老年人（71%）: a share in words, its group, then the exact figure in parentheses.
    let chars: Vec<char> = after.chars().collect();
    let later_paren = in_words
        && chars
            .iter()
            .take(8)
            .take_while(|c| !"，。；,;".contains(**c))
            .position(|c| matches!(c, '（' | '('))
            .is_some_and(|i| opens(&chars[i + 1..].iter().collect::<String>(), 0));
    let next = in_words
        && [
            "，达到",
            "，达",
            "，为",
            "，即",
            ",达到",
            ",达",
            ",为",
            ",即",
        ]
        .iter()
        .any(|w| after.strip_prefix(w).is_some_and(|rest| opens(rest, 0)));
    paren || next || later_paren
}

/// What `n` of `clause` is when the clause is read after `before` (a label, a question).
fn classify_after(before: &str, clause: &str, sentence: &str, n: &Number) -> Option<(Field, How)> {
    let joined = format!("{before}{clause}");
    let offset = before.chars().count();
    let moved = Number {
        start: n.start + offset,
        end: n.end + offset,
        ..n.clone()
    };
    let words = words_of(&joined);
    classify(&joined, sentence, &words, &moved)
}

/// The answer to a question the sentence before asked (斜三居民区的绿化率是多少？答案是：31%！): a number
/// its own sentence does not name, named by the question.
fn answer(question: &str, clause: &str, sentence: &str, n: &Number) -> Option<(Field, How)> {
    if question.is_empty() {
        return None;
    }
    classify_after(question, clause, sentence, n).map(|(f, _)| (f, How::Answer))
}

/// A share given as 这一比例, 该比例 or 此比例 (…户籍老年人口占户籍总人口的37.4%。在白银路居民区，这一
/// 比例为28%): the measure the sentence before named.
fn same_measure(before: &str, clause: &str, n: &Number) -> Option<(Field, How)> {
    const SAME: [&str; 5] = ["这一比例", "该比例", "此比例", "这个比例", "这一比重"];
    if !n.percent || before.is_empty() || !SAME.iter().any(|w| clause.contains(w)) {
        return None;
    }
    let numbers = numerals::find_numbers(before);
    let last = numbers.iter().rfind(|m| m.percent)?;
    let (f, _) = classify(before, before, &words_of(before), last)?;
    (f.measure() == Measure::Percent).then_some((f, How::SameMeasure))
}

/// The words of `text` as the segmenter cuts them.
fn words_of(text: &str) -> Vec<String> {
    segment::tokens(text).into_iter().map(|t| t.word).collect()
}

/// A figure whose clause does not say what it is, named by the clause before it:
/// - a share given after its count (老年人口1200人，占总人口的18%) or after a word for a proportion
///   (老年人比例较高，达到46%): the clause says 占…%, or the one before 比例, 占比 or 比重;
/// - a label, then the value in a clause of its own (户数，2 860；建成年份，2008年).
fn from_previous_clause(
    previous: &str,
    clause: &str,
    sentence: &str,
    n: &Number,
) -> Option<(Field, How)> {
    let v = vocab();
    if previous.is_empty() {
        return None;
    }
    // A form's label may give the unit its values are written without: 绿地率（%）：36.
    let n = &label_unit(previous, n);
    // (…60岁以上的有1,010人，比例为28%: the clause's own 比例 with no group named in it.)
    let share = n.percent
        && (clause.contains('占')
            || ["比例", "占比", "比重"]
                .iter()
                .any(|w| previous.contains(w) || clause.contains(w)));
    // Nothing but the number, its unit and punctuation, and a remark in parentheses after it
    // (绿化率：39%（区平均水平为34%）).
    let chars: Vec<char> = clause.chars().collect();
    let remark = chars[n.end.min(chars.len())..]
        .iter()
        .position(|c| matches!(c, '（' | '('))
        .map_or(chars.len(), |i| n.end + i);
    let bare = chars
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i < n.start || *i >= n.end) && *i < remark)
        .all(|(_, &c)| figure_char(c, "户人年月日"));
    // 3,100户、8,600多人住在这里: a head count in the clause after a household count.
    let head_count = !n.percent
        && counts_people(&n.unit)
        && chars[..n.start].iter().all(|&c| figure_char(c, "约近共"));
    if head_count
        && follows_households(previous)
        && !v.not_population.iter().any(|k| clause.contains(k))
    {
        return Some((Field::Population, How::AfterHouseholds));
    }
    if !share && !bare {
        return None;
    }
    let (field, named_by) = classify_after(previous, clause, sentence, n)?;
    Some(match (share, field) {
        (true, Field::ElderlyShare | Field::MigrantShare) => (field, How::CountThenShare),
        // 绿地面积占小区总面积比例：31%: a label worded as a share, then its value.
        (true, Field::GreenRate) if bare => (field, How::LabelThenValue),
        (true, _) => return None,
        // 居委会成立时间：2016年: a committee's founding, outranked by the estate's completion.
        (false, Field::FoundedYear) if named_by == How::Established => {
            (field, How::EstablishedLabel)
        }
        (false, f) => (f, How::LabelThenValue),
    })
}

/// Whether a clause holds a number and nothing else but units and punctuation (1,150，).
fn is_bare(clause: &str) -> bool {
    clause.chars().any(|c| c.is_ascii_digit()) && clause.chars().all(|c| figure_char(c, "户人年"))
}

/// A character a bare figure is written with: a digit, punctuation, or one of `units`.
fn figure_char(c: char, units: &str) -> bool {
    !c.is_alphanumeric() || c.is_ascii_digit() || units.contains(c)
}

/// `n` with the unit a form's label gives in parentheses (住户数（户）, 绿地率（%）, 常住人口（人）)
/// when it is written without one.
fn label_unit(label: &str, n: &Number) -> Number {
    let written = n.percent
        || n.unit
            .starts_with(|c: char| c.is_alphanumeric() && !c.is_ascii_digit());
    let unit = ["%", "％", "户", "人", "年"]
        .into_iter()
        .find(|u| label.contains(&format!("（{u}）")) || label.contains(&format!("({u})")));
    match unit {
        Some(u) if !written => {
            let percent = matches!(u, "%" | "％");
            Number {
                percent,
                unit: if percent {
                    String::new()
                } else {
                    u.to_string()
                },
                ..n.clone()
            }
        }
        _ => n.clone(),
    }
}

/// A sub-estate named by "其中X为…" in an earlier clause of the sentence.
fn sub_estate(clause: &str) -> Option<String> {
    let i = clause.find("其中")?;
    let rest: String = clause[i + "其中".len()..].chars().take(10).collect();
    ["新村", "小区", "花园", "苑", "庭园", "家园", "公寓"]
        .iter()
        .filter_map(|k| rest.find(k).map(|j| rest[..j + k.len()].to_string()))
        .min_by_key(|s| s.len())
}

/// Extracts the facts of one case from its profile (the whole body when no 社区概况 heading was read).
pub fn extract_case(case: &Case, pages: &[PageText]) -> CaseFacts {
    let (offset, profile) = case
        .section(crate::book::profile_section())
        .unwrap_or((0, case.body.as_str()));
    let profile = &table_rows(profile);
    let mut facts: Vec<Fact> = Vec::new();
    let stem = case
        .community
        .as_deref()
        .map(whose::stem)
        .unwrap_or_default();
    let mut refused: Vec<Refused> = Vec::new();
    // A question a post asks (绿化率是多少？): its answer is in the sentence after it.
    let mut question = String::new();
    // The sentence before, for a figure that names its measure only as 这一比例.
    let mut said = String::new();
    // The wider place whose block of a form the sentence stands in.
    let mut heading_place: Option<String> = None;
    // A form's rows and a post's items are divided by ｜ as sentences are by 。.
    for (s_off, sentence) in split_keep(profile, &['。', '！', '？', '；', ';', '｜', '|']) {
        let asked = std::mem::take(&mut question);
        if sentence.ends_with('？') && sentence.contains("多少") {
            question = sentence.clone();
        }
        let question = asked;
        let last_sentence = std::mem::replace(&mut said, sentence.clone());
        // A form's numbered heading opens a block: the street's own (四、所在街道基本信息) or the
        // community's again (三、申报社区基本信息).
        if crate::book::numbered_heading(&sentence) {
            heading_place = whose::heading_place(&sentence, &stem);
        }
        // Read for its places when a figure in it is first asked about.
        let mut reading: Option<whose::Reading> = None;
        let mut scope: Option<String> = None;
        let mut previous = String::new();
        for (c_off, clause) in split_keep(&sentence, &['，', ',', '、', '：', ':', '／']) {
            if let Some(s) = sub_estate(&clause) {
                scope = Some(s);
            }
            let words = words_of(&clause);
            for n in numerals::find_numbers(&clause) {
                let Some((field, how)) = classify(&clause, &sentence, &words, &n)
                    .or_else(|| from_previous_clause(&previous, &clause, &sentence, &n))
                    .or_else(|| answer(&question, &clause, &sentence, &n))
                    .or_else(|| same_measure(&last_sentence, &clause, &n))
                else {
                    continue;
                };
                let page = case.page_at(offset + s_off + c_off + n.start);
                let mention: String = clause.chars().skip(n.start).take(n.end - n.start).collect();
                // The number with the words before it in its clause (up to 8), for a reader.
                let context: String = {
                    let from = n.start.saturating_sub(8);
                    let unit: String = n
                        .unit
                        .chars()
                        .take(1)
                        .filter(|c| "户人名位年%".contains(*c))
                        .collect();
                    let lead: String = clause.chars().skip(from).take(n.start - from).collect();
                    format!("{}{lead}{mention}{unit}", if from > 0 { "…" } else { "" })
                };
                let owner = match &heading_place {
                    Some(place) => whose::Owner::Wider(place.clone()),
                    None => reading
                        .get_or_insert_with(|| whose::Reading::new(&sentence, &stem))
                        .owner(c_off + n.start),
                };
                let reason = owner
                    .reason()
                    .or_else(|| not_present(&clause, &n).map(str::to_string))
                    .or_else(|| {
                        let tail: String = sentence.chars().skip(c_off + n.end).collect();
                        restated(&mention, n.percent, &tail)
                            .then(|| "restated exactly right after it".to_string())
                    })
                    .or_else(|| {
                        // 102.73人: no count has a fraction; a speck read as a point is likelier
                        // than any figure, so none is taken.
                        (field.measure() == Measure::Count && n.value.fract() != 0.0)
                            .then(|| "a count with a fraction: doubtful, not taken".to_string())
                    });
                if let Some(reason) = reason {
                    refused.push(Refused {
                        field,
                        value: field.normalise(n.value),
                        mention: context,
                        reason,
                    });
                    continue;
                }
                let ocr = ocr_conf(pages.get(page), &mention);
                facts.push(Fact {
                    case_id: case.id.clone(),
                    field,
                    value: n.value,
                    qualifier: n.qualifier,
                    page: pages.get(page).map(|p| p.label.clone()).unwrap_or_default(),
                    sentence: sentence.clone(),
                    span: (c_off + n.start, c_off + n.end),
                    rule: Rule { field, how },
                    page_conf: pages.get(page).and_then(|p| p.conf),
                    scope: scope.clone().map_or(Scope::Community, Scope::SubEstate),
                    total: states_total(&clause, n.start),
                    // Said of the count, before it (常住人口3,900人（其中户籍人口2100人）: only 2100 is).
                    registered: field == Field::Population && {
                        let registered_in = |t: &str| t.contains("户籍") && !t.contains("非户籍");
                        let before: String = clause.chars().take(n.start).collect();
                        // …or by its form row's label (户籍人口：3,010人).
                        registered_in(&before)
                            || (how == How::LabelThenValue && registered_in(&previous))
                    },
                    ocr_conf: ocr,
                    confidence: how.weight(field) * ocr.unwrap_or(1.0),
                    flags: Vec::new(),
                    why: format!(
                        "{field}: {context} — this community{}, {}",
                        scope
                            .as_ref()
                            .map(|s| format!(" (its estate {s})"))
                            .unwrap_or_default(),
                        n.qualifier.as_str()
                    ),
                    refused: Vec::new(),
                    context,
                });
            }
            // A clause of a bare number (1,150，占18%) leaves its label in force for the next.
            if is_bare(&clause) {
                previous.push_str(&clause);
            } else {
                previous = clause;
            }
        }
    }
    // One fact per field: a whole-community figure beats a sub-estate one; an estate's completion
    // beats a committee's founding; then a stated total (wherever it stands: after the parts it sums,
    // or in a sentence of its own); then a resident count beats a registered one; then the first
    // mention. The others are recorded as refused, with what won.
    let mut chosen: Vec<Fact> = Vec::new();
    for f in Field::ALL {
        let rank = |x: &Fact| {
            (
                x.scope != Scope::Community,
                x.rule.how.committee(),
                !x.total,
                x.registered,
            )
        };
        let mut mine: Vec<&Fact> = facts.iter().filter(|x| x.field == f).collect();
        mine.sort_by_key(|x| rank(x));
        let Some(best) = mine.first() else {
            continue;
        };
        // Two figures of equal standing that disagree: neither is certain, so the value stays null
        // and both are recorded as refused, each naming the other.
        if let Some(rival) = mine[1..]
            .iter()
            .find(|x| rank(x) == rank(best) && disagree(f, x.value, best.value))
        {
            for (this, other) in [(*best, *rival), (*rival, *best)] {
                refused.push(Refused {
                    field: f,
                    value: this.value,
                    mention: this.context.clone(),
                    reason: format!(
                        "disagrees with {} ({}), as certain: neither is taken",
                        f.show(other.value),
                        other.context
                    ),
                });
            }
            continue;
        }
        let mut best = (*best).clone();
        for lost in &mine[1..] {
            if (lost.value - best.value).abs() < 1e-9 {
                continue;
            }
            let why = match (rank(lost), rank(&best)) {
                ((true, ..), (false, ..)) => {
                    "a sub-estate's figure; the whole community's is taken"
                }
                ((_, true, ..), (_, false, ..)) => {
                    "a committee's founding; the estate's completion is taken"
                }
                ((_, _, true, _), (_, _, false, _)) => "a part; the stated total is taken",
                ((.., true), (.., false)) => "a registered count; the resident count is taken",
                _ => "a later mention; the first is taken",
            };
            best.refused.push(Refused {
                field: f,
                value: lost.value,
                mention: lost.context.clone(),
                reason: why.to_string(),
            });
        }
        let (mine_refused, rest): (Vec<Refused>, Vec<Refused>) =
            refused.drain(..).partition(|r| r.field == f);
        refused = rest;
        best.refused.extend(mine_refused);
        chosen.push(best);
    }
    plausibility(&mut chosen);
    let mut values = Values::default();
    for x in &chosen {
        values.set(x.field, Some(x.value));
    }
    let first = &pages[case.first_page.min(pages.len().saturating_sub(1))];
    CaseFacts {
        case_id: case.id.clone(),
        source: first.source.clone(),
        page: first.label.clone(),
        district: case.district.clone(),
        town: case.town.clone(),
        community: case.community.clone(),
        title: case.title.clone(),
        values,
        facts: chosen,
        refused,
    }
}

/// Whether two readings of a field are different figures, not one figure given twice more or less
/// exactly (约4,000人 and 4,012人; 近四成 and 38%): counts more than a tenth apart, shares more than 2
/// points, years at all.
fn disagree(f: Field, a: f64, b: f64) -> bool {
    match f.measure() {
        Measure::Count => (a - b).abs() > 0.1 * a.abs().max(b.abs()),
        Measure::Percent => (a - b).abs() > 2.0,
        Measure::Year => (a - b).abs() >= 1.0,
    }
}

/// Facts of every case in the book.
pub fn extract(book: &Book, pages: &[PageText]) -> Vec<CaseFacts> {
    book.cases.iter().map(|c| extract_case(c, pages)).collect()
}

/// The JSON object `extract --jsonl` prints per case: exactly these keys.
pub fn jsonl_record(c: &CaseFacts) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("source".into(), c.source.clone().into());
    m.insert("page".into(), c.page.clone().into());
    m.insert("district".into(), c.district.clone().into());
    m.insert("community".into(), c.community.clone().into());
    for (f, v) in c.values.iter() {
        m.insert(f.name().into(), f.json(v));
    }
    serde_json::Value::Object(m)
}

/// Precision, recall and F1 of one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldScore {
    pub field: Field,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl FieldScore {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn key(v: &serde_json::Value) -> String {
    v.get("community")
        .and_then(|c| c.as_str())
        .map(crate::book::contents::title_key)
        .unwrap_or_default()
}

/// The predicted record each gold record is matched to (both in the `jsonl_record` shape), by
/// community name (fuzzy, so OCR damage does not unmatch them); each prediction is matched at most once.
pub fn match_cases(
    predicted: &[serde_json::Value],
    gold: &[serde_json::Value],
) -> Vec<Option<usize>> {
    let mut used = vec![false; predicted.len()];
    gold.iter()
        .map(|g| {
            let gk = key(g);
            let found = predicted
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, p)| (i, strsim::normalized_levenshtein(&gk, &key(p))))
                .filter(|(_, s)| *s >= 0.7)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            if let Some(i) = found {
                used[i] = true;
            }
            found
        })
        .collect()
}

/// Gold cases that were found, and of them those whose community name was read exactly.
pub fn names_exact(predicted: &[serde_json::Value], gold: &[serde_json::Value]) -> (usize, usize) {
    let name = |v: &serde_json::Value| {
        v.get("community")
            .and_then(|c| c.as_str())
            .map(str::to_string)
    };
    let matched = match_cases(predicted, gold);
    let found = matched.iter().flatten().count();
    let exact = gold
        .iter()
        .zip(&matched)
        .filter(|(g, m)| m.is_some_and(|i| name(&predicted[i]) == name(g)))
        .count();
    (found, exact)
}

/// Scores predicted records against gold records (both in the `jsonl_record` shape), matched by
/// [`match_cases`]. A gold case with no prediction counts every gold fact as missed.
pub fn score(predicted: &[serde_json::Value], gold: &[serde_json::Value]) -> Vec<FieldScore> {
    let mut scores: Vec<FieldScore> = Field::ALL
        .iter()
        .map(|f| FieldScore {
            field: *f,
            tp: 0,
            fp: 0,
            fn_: 0,
        })
        .collect();
    let null = serde_json::Value::Null;
    let matched = match_cases(predicted, gold);
    let mut used = vec![false; predicted.len()];
    for (g, found) in gold.iter().zip(&matched) {
        if let Some(i) = found {
            used[*i] = true;
        }
        let p = found.map(|i| &predicted[i]);
        for (s, f) in scores.iter_mut().zip(Field::ALL) {
            let gv = g.get(f.name()).and_then(|v| v.as_f64());
            let pv = p.and_then(|p| p.get(f.name()).unwrap_or(&null).as_f64());
            match (gv, pv) {
                (Some(a), Some(b)) if (a - b).abs() <= 0.051 => s.tp += 1,
                (Some(_), Some(_)) => {
                    s.fp += 1;
                    s.fn_ += 1;
                }
                (Some(_), None) => s.fn_ += 1,
                (None, Some(_)) => s.fp += 1,
                (None, None) => {}
            }
        }
    }
    for (i, p) in predicted.iter().enumerate() {
        if !used[i] {
            for (s, f) in scores.iter_mut().zip(Field::ALL) {
                if p.get(f.name()).and_then(|v| v.as_f64()).is_some() {
                    s.fp += 1;
                }
            }
        }
    }
    scores
}
