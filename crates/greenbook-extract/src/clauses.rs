//! Which fact a figure is of: the clause's keywords (the edition's `[facts]`), its unit and the
//! words around it, or the clause before, a question asked, or the sentence before.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::numerals::{self, Number};
use crate::text::segment;
use crate::{Field, How, Measure};

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
pub(crate) fn table_rows(text: &str) -> String {
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

pub(crate) fn split_keep(text: &str, seps: &[char]) -> Vec<(usize, String)> {
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
pub(crate) fn classify(
    clause: &str,
    sentence: &str,
    words: &[String],
    n: &Number,
) -> Option<(Field, How)> {
    let has = |ks: &[&str]| ks.iter().any(|k| clause.contains(k));
    // 市级, 区级: an honour's level, not a figure of the community (全市, 全区… are places: `whose`).
    if has(&["市级", "区级"]) {
        return None;
    }
    if n.percent {
        return share_of(clause);
    }
    let unit = n.unit.as_str();
    // 1980年代: a decade, not a year.
    if is_year(n)
        && !unit.starts_with("年代")
        && let Some(found) = year_of(clause, n)
    {
        return Some(found);
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
    head_count(clause, sentence, words, n, no_unit)
}

/// Which share a percentage in `clause` is, by its keywords: the green rate, the elderly's or the
/// migrants' (none for a rate of another kind).
fn share_of(clause: &str) -> Option<(Field, How)> {
    let v = vocab();
    let has = |ks: &[&str]| ks.iter().any(|k| clause.contains(k));
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
    None
}

/// A year the clause says an estate was completed or its committee founded in.
fn year_of(clause: &str, n: &Number) -> Option<(Field, How)> {
    let v = vocab();
    let has = |ks: &[&str]| ks.iter().any(|k| clause.contains(k));
    if has(&v.completed) {
        return Some((Field::FoundedYear, How::Completed));
    }
    if has(&v.established) {
        return Some((Field::FoundedYear, How::Established));
    }
    // 1985年的老小区: the year an estate is of.
    let after: String = clause.chars().skip(n.end).take(6).collect();
    ESTATE_OF_YEAR
        .is_match(&after)
        .then_some((Field::FoundedYear, How::Completed))
}

/// A head count of the residents: 人, 名, 位 or 口 (after 余 or 多) by a population word, a figure
/// after 人口 with no unit, or a count right after the households'.
fn head_count(
    clause: &str,
    sentence: &str,
    words: &[String],
    n: &Number,
    no_unit: bool,
) -> Option<(Field, How)> {
    let v = vocab();
    let has_word = |ks: &[&str]| words.iter().any(|w| ks.contains(&w.as_str()));
    let has = |ks: &[&str]| ks.iter().any(|k| clause.contains(k));
    let unit = n.unit.as_str();
    let int = n.value.fract() == 0.0;
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
pub(crate) fn states_total(clause: &str, at: usize) -> bool {
    let before: String = clause.chars().take(at).collect();
    TOTAL_WORDS.iter().any(|w| before.contains(w))
}

/// A figure that is not the present value in a clause that states a change: the value before it
/// (绿化率由25%提升至31%, 从改造前的22%提升到了30%) or the size of the change (提高了15%). The value
/// after 至 or 到 is the present one.
pub(crate) fn not_present(clause: &str, n: &Number) -> Option<&'static str> {
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
pub(crate) fn restated(mention: &str, percent: bool, after: &str) -> bool {
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
pub(crate) fn answer(
    question: &str,
    clause: &str,
    sentence: &str,
    n: &Number,
) -> Option<(Field, How)> {
    if question.is_empty() {
        return None;
    }
    classify_after(question, clause, sentence, n).map(|(f, _)| (f, How::Answer))
}

/// A share given as 这一比例, 该比例 or 此比例 (…户籍老年人口占户籍总人口的37.4%。在白银路居民区，这一
/// 比例为28%): the measure the sentence before named.
pub(crate) fn same_measure(before: &str, clause: &str, n: &Number) -> Option<(Field, How)> {
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
pub(crate) fn words_of(text: &str) -> Vec<String> {
    segment::tokens(text).into_iter().map(|t| t.word).collect()
}

/// A figure whose clause does not say what it is, named by the clause before it:
/// - a share given after its count (老年人口1200人，占总人口的18%) or after a word for a proportion
///   (老年人比例较高，达到46%): the clause says 占…%, or the one before 比例, 占比 or 比重;
/// - a label, then the value in a clause of its own (户数，2 860；建成年份，2008年).
pub(crate) fn from_previous_clause(
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
pub(crate) fn is_bare(clause: &str) -> bool {
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
pub(crate) fn sub_estate(clause: &str) -> Option<String> {
    let i = clause.find("其中")?;
    let rest: String = clause[i + "其中".len()..].chars().take(10).collect();
    ["新村", "小区", "花园", "苑", "庭园", "家园", "公寓"]
        .iter()
        .filter_map(|k| rest.find(k).map(|j| rest[..j + k.len()].to_string()))
        .min_by_key(|s| s.len())
}
