//! Stage 5: the six facts of every case's profile (社区概况), each with provenance.
//!
//! The profile is cut into sentences (。！？；) and clauses (，、：); jieba tokens decide which keyword a
//! clause speaks of, [`crate::text::numerals`] finds its numbers. A number becomes a fact only when its
//! clause names the field and its unit fits; distractors (city-wide totals, other rates, buildings,
//! parking spaces, volunteers, areas) are refused. Missing facts stay None.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_book as book;
use greenbook_core::{edition, text};

use crate::book::{Book, Case, PageText};
use crate::text::numerals::{self, Number};

mod clauses;
pub mod fields;
mod score;
mod types;
pub mod whose;

use clauses::*;
pub use fields::{FIELDS, Field, FieldSpec, Measure, Values};
pub use score::{FieldScore, jsonl_record, match_cases, names_exact, score};
pub use types::{
    BOOK_YEAR, CaseFacts, Fact, Figure, Flag, How, LOW_OCR_CONF, Refused, Rule, Scope,
};

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
    let value = |chosen: &[Fact], f: Field| {
        chosen
            .iter()
            .find(|x| x.figure.field == f)
            .map(|x| x.figure.value)
    };
    let add = |chosen: &mut [Fact], f: Field, flag: Flag| {
        if let Some(x) = chosen.iter_mut().find(|x| x.figure.field == f)
            && !x.figure.flags.contains(&flag)
        {
            x.figure.flags.push(flag);
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
        .filter(|x| x.figure.ocr_conf.is_some_and(|c| c < LOW_OCR_CONF))
        .map(|x| x.figure.field)
        .collect();
    for f in unsure {
        add(chosen, f, Flag::LowOcrConfidence);
    }
}

/// Extracts the facts of one case from its profile (the whole body when no 社区概况 heading was read).
pub fn extract_case(case: &Case, pages: &[PageText]) -> CaseFacts {
    let (facts, mut refused) = read_figures(case, pages);
    let mut chosen = choose(&facts, &mut refused);
    plausibility(&mut chosen);
    let mut values = Values::default();
    for x in &chosen {
        values.set(x.figure.field, Some(x.figure.value));
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

/// Every figure of a case's profile that one of the six facts is of: taken, or refused with why.
fn read_figures(case: &Case, pages: &[PageText]) -> (Vec<Fact>, Vec<Refused>) {
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
                let owner = match &heading_place {
                    Some(place) => whose::Owner::Wider(place.clone()),
                    None => reading
                        .get_or_insert_with(|| whose::Reading::new(&sentence, &stem))
                        .owner(c_off + n.start),
                };
                let at = Place {
                    case,
                    page: pages.get(case.page_at(offset + s_off + c_off + n.start)),
                    sentence: &sentence,
                    clause: &clause,
                    c_off,
                    previous: &previous,
                    scope: scope.as_deref(),
                };
                match at.figure(&n, field, how, &owner) {
                    Ok(fact) => facts.push(fact),
                    Err(r) => refused.push(r),
                }
            }
            // A clause of a bare number (1,150，占18%) leaves its label in force for the next.
            if is_bare(&clause) {
                previous.push_str(&clause);
            } else {
                previous = clause;
            }
        }
    }
    (facts, refused)
}

/// Where a figure stands: its case and page, its sentence and clause (at `c_off` in the sentence),
/// the clause before and the sub-estate the sentence is about, if any.
struct Place<'a> {
    case: &'a Case,
    page: Option<&'a PageText>,
    sentence: &'a str,
    clause: &'a str,
    c_off: usize,
    previous: &'a str,
    scope: Option<&'a str>,
}

impl Place<'_> {
    /// The figure `n`, classified as `field` by `how` and said of `owner`: a fact, or refused with
    /// why (someone else's, not present, restated, a count with a fraction).
    fn figure(
        &self,
        n: &Number,
        field: Field,
        how: How,
        owner: &whose::Owner,
    ) -> Result<Fact, Refused> {
        let clause = self.clause;
        let mention: String = clause.chars().skip(n.start).take(n.end - n.start).collect();
        let context = context(clause, n, &mention);
        let reason = owner
            .reason()
            .or_else(|| not_present(clause, n).map(str::to_string))
            .or_else(|| {
                let tail: String = self.sentence.chars().skip(self.c_off + n.end).collect();
                restated(&mention, n.percent, &tail)
                    .then(|| "restated exactly right after it".to_string())
            })
            .or_else(|| {
                // 102.73人: no count has a fraction; a speck read as a point is likelier than any
                // figure, so none is taken.
                (field.measure() == Measure::Count && n.value.fract() != 0.0)
                    .then(|| "a count with a fraction: doubtful, not taken".to_string())
            });
        if let Some(reason) = reason {
            return Err(Refused {
                field,
                value: field.normalise(n.value),
                mention: context,
                reason,
            });
        }
        let ocr = ocr_conf(self.page, &mention);
        Ok(Fact {
            figure: Figure {
                case_id: self.case.id.clone(),
                field,
                value: n.value,
                qualifier: n.qualifier,
                page: self.page.map(|p| p.label.clone()).unwrap_or_default(),
                sentence: self.sentence.to_string(),
                span: (self.c_off + n.start, self.c_off + n.end),
                page_conf: self.page.and_then(|p| p.conf),
                scope: self
                    .scope
                    .map_or(Scope::Community, |s| Scope::SubEstate(s.to_string())),
                ocr_conf: ocr,
                confidence: how.weight(field) * ocr.unwrap_or(1.0),
                flags: Vec::new(),
            },
            rule: Rule { field, how },
            total: states_total(clause, n.start),
            registered: field == Field::Population && self.registered(n, how),
            why: format!(
                "{field}: {context} — this community{}, {}",
                self.scope
                    .map(|s| format!(" (its estate {s})"))
                    .unwrap_or_default(),
                n.qualifier.as_str()
            ),
            refused: Vec::new(),
            context,
        })
    }

    /// Whether a head count is said to be the registered residents', before it (常住人口3,900人（其中户籍人口
    /// 2100人）: only 2100 is) or by its form row's label (户籍人口：3,010人).
    fn registered(&self, n: &Number, how: How) -> bool {
        let registered_in = |t: &str| t.contains("户籍") && !t.contains("非户籍");
        let before: String = self.clause.chars().take(n.start).collect();
        registered_in(&before) || (how == How::LabelThenValue && registered_in(self.previous))
    }
}

/// The number with the words before it in its clause (up to 8) and its unit, for a reader.
fn context(clause: &str, n: &Number, mention: &str) -> String {
    let from = n.start.saturating_sub(8);
    let unit: String = n
        .unit
        .chars()
        .take(1)
        .filter(|c| "户人名位年%".contains(*c))
        .collect();
    let lead: String = clause.chars().skip(from).take(n.start - from).collect();
    format!("{}{lead}{mention}{unit}", if from > 0 { "…" } else { "" })
}

/// One fact per field: a whole-community figure beats a sub-estate one; an estate's completion beats
/// a committee's founding; then a stated total (wherever it stands: after the parts it sums, or in a
/// sentence of its own); then a resident count beats a registered one; then the first mention. The
/// others are recorded as refused, with what won; `refused` keeps those of fields none was taken for.
fn choose(facts: &[Fact], refused: &mut Vec<Refused>) -> Vec<Fact> {
    let rank = |x: &Fact| {
        (
            x.figure.scope != Scope::Community,
            x.rule.how.committee(),
            !x.total,
            x.registered,
        )
    };
    let mut chosen: Vec<Fact> = Vec::new();
    for f in Field::ALL {
        let mut mine: Vec<&Fact> = facts.iter().filter(|x| x.figure.field == f).collect();
        mine.sort_by_key(|x| rank(x));
        let Some(best) = mine.first() else {
            continue;
        };
        // Two figures of equal standing that disagree: neither is certain, so the value stays null
        // and both are recorded as refused, each naming the other.
        if let Some(rival) = mine[1..]
            .iter()
            .find(|x| rank(x) == rank(best) && disagree(f, x.figure.value, best.figure.value))
        {
            for (this, other) in [(*best, *rival), (*rival, *best)] {
                refused.push(Refused {
                    field: f,
                    value: this.figure.value,
                    mention: this.context.clone(),
                    reason: format!(
                        "disagrees with {} ({}), as certain: neither is taken",
                        f.show(other.figure.value),
                        other.context
                    ),
                });
            }
            continue;
        }
        let mut best = (*best).clone();
        for lost in &mine[1..] {
            if (lost.figure.value - best.figure.value).abs() < 1e-9 {
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
                value: lost.figure.value,
                mention: lost.context.clone(),
                reason: why.to_string(),
            });
        }
        let (mine_refused, rest): (Vec<Refused>, Vec<Refused>) =
            refused.drain(..).partition(|r| r.field == f);
        *refused = rest;
        best.refused.extend(mine_refused);
        chosen.push(best);
    }
    chosen
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
