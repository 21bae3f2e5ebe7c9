//! What extraction gives: facts with their provenance, the figures refused, and how each was
//! classified.

use serde::{Deserialize, Serialize};

use crate::text::numerals::Qualifier;
use crate::{Field, Values};

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
    pub(crate) fn weight(self, field: Field) -> f32 {
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
    pub(crate) fn committee(self) -> bool {
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

/// A figure taken for a fact: its value, where it is printed and how far it is trusted. Extraction's
/// [`Fact`] adds how the figure was chosen; the dataset's row (`facts.parquet`) adds a reviewer's
/// correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub case_id: String,
    pub field: Field,
    pub value: f64,
    pub qualifier: Qualifier,
    /// Page label the number is printed on (empty for a fact a reviewer added).
    pub page: String,
    pub sentence: String,
    /// Char span of the number (with its qualifiers) inside `sentence`.
    pub span: (usize, usize),
    pub page_conf: Option<f32>,
    /// The whole community, or a sub-estate only (e.g. 东力新村).
    pub scope: Scope,
    /// OCR confidence (0–1) of the number's characters; None for a transcription.
    pub ocr_conf: Option<f32>,
    /// How far the fact is trusted (0–1): the rule's weight times the OCR confidence.
    pub confidence: f32,
    /// Why the figure is doubtful (empty when nothing is).
    pub flags: Vec<Flag>,
}

impl Figure {
    /// A figure with no page behind it (a reviewer's, or a row before its columns are read): exact,
    /// of the whole community, fully trusted, nothing flagged.
    pub fn new(case_id: String, field: Field, value: f64) -> Figure {
        Figure {
            case_id,
            field,
            value,
            qualifier: Qualifier::Exact,
            page: String::new(),
            sentence: String::new(),
            span: (0, 0),
            page_conf: None,
            scope: Scope::Community,
            ocr_conf: None,
            confidence: 1.0,
            flags: Vec::new(),
        }
    }
}

/// One extracted fact: the figure, and how and why it was taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    #[serde(flatten)]
    pub figure: Figure,
    /// Which rule took it, e.g. `households:unit户`.
    pub rule: Rule,
    /// Its clause states a total (总, 共计, 合计, …): it wins over the parts.
    #[serde(skip)]
    pub total: bool,
    /// A registered (户籍) head count: a resident (常住, 实有) one wins over it.
    #[serde(skip)]
    pub registered: bool,
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
