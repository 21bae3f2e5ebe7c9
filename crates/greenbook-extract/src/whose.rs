//! Whose figure a number is: this community's, or someone else's. A profile's sentences also give the
//! street's or town's population, a district or city average, a neighbouring community's rate for
//! comparison, or the year the parent estate was founded; those must be refused, not taken.
//!
//! The test reads the sentence around the number for the places it names:
//! - **wider places** — a street (…街道), a town (…镇), a new area (…新区), a district, the city, or
//!   `全区`, `全市`… — and averages (`平均`);
//! - **estates and communities** — a name ending in 居民区, 小区, 新村, 村, 花园, 家园, 苑, 公寓 or 社区 —
//!   which are this community when they share its name (its stem: the name without 居民区, 社区…), or
//!   are named without a name (小区, 本小区, 该居民区, 这个…的小区), and someone else's otherwise.
//!
//! A number belongs to the last place named before it in its sentence, skipping any parenthesis that
//! closed before it; a number inside a parenthesis belongs to what the parenthesis or the words right
//! before it name. A year that modifies a place after it (1987年建成的通河七村) is that place's.

use std::sync::LazyLock;

use regex::Regex;

/// Who a figure belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This community (or nothing else is named).
    This,
    /// A street, town, district, the city, or an average over them.
    Wider(String),
    /// Another community or estate: a neighbour, a comparison, the parent estate.
    Other(String),
    /// One part of the community among others it lists (既有石库门里弄，也有2003年落成的多伦公寓).
    Part(String),
}

impl Owner {
    /// Why a figure of this owner is refused, for `facts.refused` and the review page.
    pub fn reason(&self) -> Option<String> {
        match self {
            Owner::This => None,
            Owner::Wider(p) => Some(format!("belongs to {p}, not the community")),
            Owner::Other(p) => Some(format!("belongs to {p}, another estate or community")),
            Owner::Part(p) => Some(format!("belongs to {p}, one part of the community")),
        }
    }
}

/// Suffixes of estate and community names, longest first.
pub const ESTATE_SUFFIXES: [&str; 10] = [
    "居民区",
    "小区",
    "新村",
    "花园",
    "家园",
    "公寓",
    "社区",
    "片区",
    "村",
    "苑",
];

/// Words that say where the community lies or its people come from, before a place (位于南桥镇,
/// 来自全国各地); 在 last.
const LOCATED: [&str; 7] = ["位于", "地处", "坐落", "属于", "隶属", "来自", "在"];

/// What a street's figures measure, right after 街道 (街道常住人口, 街道绿化覆盖率, 街道平均).
const STREET_MEASURES: [&str; 15] = [
    "绿化", "绿地", "常住", "人口", "户籍", "户数", "总", "共有", "老年", "老龄", "平均", "居民",
    "基本", "概况", "情况",
];

/// Words that name the community itself again, without its name.
const SELF_WORDS: [&str; 5] = ["所辖", "下辖", "辖区", "本身", "本社区"];

/// Characters that end the name before a place's suffix (so 这个1999年交房的小区 names no estate).
fn name_boundary(c: char) -> bool {
    !crate::text::is_han(c)
        || "的个本该此这那一是与和及在于由从为到至其所辖有共现内中里全占达约近".contains(c)
}

static WIDER: LazyLock<Regex> = LazyLock::new(|| {
    // The edition's districts, also named without 区 (浦东).
    let districts = crate::edition::current()
        .district_stems()
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!(
        "全(?:市|区|镇|街道|国|县|省)|本(?:区|镇|街道)|(?:{districts})(?:新)?区|上海(?:市)?|[\\p{{Han}}]{{2,5}}街道|街道|[\\p{{Han}}]{{2,4}}新区|[\\p{{Han}}]{{1,3}}镇|平均"
    ))
    .expect("a valid pattern")
});

/// A place named in a sentence: where (char span) and what.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    start: usize,
    end: usize,
    owner: Owner,
}

/// The places a sentence names, in order (an estate named inside a wider place's name, 康健新村 in
/// 康健新村街道, is the wider place).
fn places(sentence: &str, stem: &str) -> Vec<Place> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut out = wider_places(sentence, &chars);
    add_estates(&chars, stem, &mut out);
    add_self_words(sentence, stem, &mut out);
    settle(&chars, &mut out);
    out
}

/// The wider places (streets, towns, districts, the city) a sentence names as whose its figures may
/// be, leaving out where the community lies and groups of people.
fn wider_places(sentence: &str, chars: &[char]) -> Vec<Place> {
    let byte_to_char = |b: usize| sentence[..b].chars().count();
    let mut out: Vec<Place> = Vec::new();
    let mut located_end: Option<usize> = None;
    for m in WIDER.find_iter(sentence) {
        let (mut s, e) = (byte_to_char(m.start()), byte_to_char(m.end()));
        // The name starts after a word that ends before it (于南桥镇 is 南桥镇).
        while s + 2 < e && name_boundary(chars[s]) && !matches!(chars[s], '全' | '本') {
            s += 1;
        }
        // …老年人口占比高出街道平均水平: the name starts after a comparison word inside the match.
        let matched: String = chars[s..e].iter().collect();
        if let Some(after) = COMPARED_WITH
            .iter()
            .filter_map(|w| matched.rfind(w).map(|b| b + w.len()))
            .max()
            .filter(|&b| matched[b..].chars().count() >= 2)
        {
            s += matched[..after].chars().count();
        }
        let text: String = chars[s..e].iter().collect();
        // Where the community lies (位于南桥镇中心, 居民区位于天山路街道中部), not whose a figure is.
        let lead: String = chars[s.saturating_sub(3)..s].iter().collect();
        // 隶属于长宁区新华路街道: every place of the run after the word.
        // (所在街道 is the street the community lies in: a place, not where.)
        if (LOCATED.iter().any(|w| lead.ends_with(w)) && !lead.ends_with("所在"))
            || LOCATED[..LOCATED.len() - 1]
                .iter()
                .any(|w| text.contains(w))
            || located_end == Some(s)
        {
            located_end = Some(e);
            continue;
        }
        // 非本市户籍, 外省市: a group of people, not a place; 镇中心, 城镇: no town's name.
        let before = s.checked_sub(1).map(|i| chars[i]);
        let after: String = chars[e..].iter().take(4).collect();
        // 上海户籍人口中… opening a clause is the city's registered population, though.
        let opens_clause = before.is_none_or(|c| "，,。；;：:".contains(c));
        if before == Some('非')
            || (after.starts_with("户籍") && !opens_clause)
            || text.ends_with("城镇")
        {
            continue;
        }
        // 街道 with no name is a place as the subject of a clause (街道下辖28个居民区) or of a figure
        // (…，街道绿化覆盖率：38%), not in 在街道指导下.
        if text == "街道" && !opens_clause && !STREET_MEASURES.iter().any(|m| after.starts_with(m))
        {
            continue;
        }
        // 新上海人, 老上海, 上海人: people, not the city.
        if text == "上海" && (matches!(before, Some('新' | '老')) || after.starts_with('人')) {
            continue;
        }
        out.push(Place {
            start: s,
            end: e,
            owner: Owner::Wider(text),
        });
    }
    out
}

/// The estates and committees a sentence names (its words ending in an estate suffix), each this
/// community, another one or a wider place; not those inside a wider place's name, nor counts of
/// estates.
fn add_estates(chars: &[char], stem: &str, out: &mut Vec<Place>) {
    let mut i = 0;
    while i < chars.len() {
        let Some(suffix) = ESTATE_SUFFIXES.iter().find(|s| {
            let n = s.chars().count();
            i + n <= chars.len() && chars[i..i + n].iter().copied().eq(s.chars())
        }) else {
            i += 1;
            continue;
        };
        let n = suffix.chars().count();
        let end = i + n;
        // The name: the Han characters before the suffix, back to a boundary (at most 8).
        let mut start = i;
        // 第一居民区: 一 of an ordinal is part of the name.
        let ordinal = |k: usize| k >= 2 && chars[k - 1] == '一' && chars[k - 2] == '第';
        while start > 0 && i - start < 8 && (!name_boundary(chars[start - 1]) || ordinal(start)) {
            start -= 1;
        }
        let name: String = chars[start..i].iter().collect();
        // 28个居民区, 3个自然小区: a count of estates, not one of them.
        // (一个老小区 is the community described).
        let counted_after = chars[end..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || crate::text::numerals::is_cn_numeral(**c))
            .count();
        let counted = (counted_after > 0
            && matches!(chars.get(end + counted_after), Some('个' | '座')))
            || (start > 1
                && matches!(chars[start - 1], '个' | '座')
                && chars[start - 2] != '一'
                && (chars[start - 2].is_ascii_digit()
                    || crate::text::numerals::is_cn_numeral(chars[start - 2])
                    || chars[start - 2] == '几'));
        let inside_wider = out
            .iter()
            .any(|p| matches!(p.owner, Owner::Wider(_)) && p.start <= i && end <= p.end);
        if !inside_wider && !counted {
            let whole: String = chars[start..end].iter().collect();
            // A 片区 (an area of several estates) is wider whatever its name.
            let lead: String = chars[start.saturating_sub(3)..start].iter().collect();
            let owner = if *suffix == "片区" {
                Owner::Wider(whole)
            } else if name.is_empty() && lead.contains('另') {
                // 另一个居民区: another one.
                Owner::Other(whole)
            } else if let Some(w) = name
                .is_empty()
                .then(|| wider_before_de(out, chars, start))
                .flatten()
            {
                // 罗店镇镇区的居民区: the wider place's committees, in general.
                Owner::Wider(w)
            } else if sibling_of(&name, stem) {
                // 金桥湾二期 beside 金桥湾: another phase or number of the same name.
                Owner::Other(whole)
            } else if name.is_empty()
                || descriptive(&name)
                || (is_this(&name, stem) && !parent_of(&whole, stem))
            {
                Owner::This
            } else {
                Owner::Other(whole)
            };
            out.push(Place { start, end, owner });
        }
        i = end;
    }
}

/// Words by which a profile speaks of its own community again (所辖房屋, 辖区内, 小区本身), and the
/// community's name without its suffix (馨佳园的绿化率): the community.
fn add_self_words(sentence: &str, stem: &str, out: &mut Vec<Place>) {
    let byte_to_char = |b: usize| sentence[..b].chars().count();
    let words: Vec<&str> = if stem.chars().count() >= 2 {
        SELF_WORDS.iter().copied().chain([stem]).collect()
    } else {
        SELF_WORDS.to_vec()
    };
    for word in words {
        let mut from = 0;
        while let Some(b) = sentence[from..].find(word) {
            let s = byte_to_char(from + b);
            from += b + word.len();
            // 街道下辖, 镇所辖: the wider place's, not the community's.
            if out.iter().any(|p| {
                (p.start <= s && s < p.end) || (matches!(p.owner, Owner::Wider(_)) && p.end == s)
            }) {
                continue;
            }
            out.push(Place {
                start: s,
                end: s + word.chars().count(),
                owner: Owner::This,
            });
        }
    }
}

/// The places settled against each other, in order: a wider place's name that is only the start of
/// an estate's is the estate's; a kind the community is one of, and an average over its own estates,
/// are the community's.
fn settle(chars: &[char], out: &mut Vec<Place>) {
    // A wider place's name that is only the start of an estate's (镇 in 堡镇新村) is the estate.
    let estates: Vec<(usize, usize)> = out
        .iter()
        .filter(|p| !matches!(p.owner, Owner::Wider(_)))
        .map(|p| (p.start, p.end))
        .collect();
    out.retain(|p| {
        !matches!(p.owner, Owner::Wider(_))
            || !estates.iter().any(|&(s, e)| s <= p.start && p.end < e)
    });
    // A place followed by 之一 is a kind the community is one of (街道建设的重点片区之一): the community.
    for p in out.iter_mut() {
        if chars[p.end..].starts_with(&['之', '一']) {
            p.owner = Owner::This;
        }
    }
    out.sort_by_key(|p| p.start);
    // 三个小区平均绿化率, 本小区的平均: an average over the community's own estates is the
    // community's.
    let own_average = |p: &Place| {
        let lead: String = chars[p.start.saturating_sub(4)..p.start].iter().collect();
        let lead = lead.trim_end_matches('的');
        matches!(&p.owner, Owner::Wider(w) if w == "平均")
            && (out
                .iter()
                .any(|q| q.owner == Owner::This && q.end <= p.start && p.start - q.end <= 1)
                || ["个小区", "各小区", "个居民区"]
                    .iter()
                    .any(|w| lead.ends_with(w)))
    };
    let drop: Vec<usize> = out
        .iter()
        .filter(|p| own_average(p))
        .map(|p| p.start)
        .collect();
    out.retain(|p| !drop.contains(&p.start) || !matches!(p.owner, Owner::Wider(_)));
}

/// Words that make what follows them, up to the clause's end, the standard a figure is compared with
/// (略高于全区平均水平, 比隔壁小区的30%).
const COMPARED_WITH: [&str; 12] = [
    "高于", "低于", "高出", "低出", "超过", "超出", "多于", "少于", "优于", "好于", "不及", "相比",
];

/// Whether the place starting at char `at` is named as a standard of comparison: a comparison word
/// stands between it and the start of its clause.
fn compared_with(chars: &[char], at: usize) -> bool {
    let from = chars[..at]
        .iter()
        .rposition(|c| "，,；;。：:".contains(*c))
        .map_or(0, |i| i + 1);
    let lead: String = chars[from..at].iter().collect();
    COMPARED_WITH.iter().any(|w| lead.contains(w))
}

/// Whether a place is another residents' committee named in full (牡丹第一居民区): never one of the
/// community's own estates. A name of one character may be a cut-off of the community's own (九亭中心居民区
/// read as 心居民区), so it does not count.
fn named_committee(chars: &[char], p: &Place) -> bool {
    p.end - p.start >= 5 && chars[..p.end].ends_with(&['居', '民', '区'])
}

/// Whether the place starting at char `at` stands in a clause that describes the community as one of
/// a kind (是上海最早的工人新村之一): the clause opens with 是.
fn describes(chars: &[char], at: usize) -> bool {
    let from = chars[..at]
        .iter()
        .rposition(|c| "，,；;。：:".contains(*c))
        .map_or(0, |i| i + 1);
    chars[from..at].starts_with(&['是']) || chars[from..at].starts_with(&['也', '是'])
}

/// The wider place an unnamed estate belongs to when it follows it and 的 (罗店镇镇区的居民区).
fn wider_before_de(out: &[Place], chars: &[char], start: usize) -> Option<String> {
    if start == 0 || chars[start - 1] != '的' {
        return None;
    }
    out.iter().rev().find_map(|p| match &p.owner {
        Owner::Wider(w) if p.end < start && start - 1 - p.end <= 2 => Some(w.clone()),
        _ => None,
    })
}

/// Whether a name is the community's stem followed by another number or phase (金桥湾二期 of 金桥湾,
/// 春申第二 of 春申).
fn sibling_of(name: &str, stem: &str) -> bool {
    !stem.is_empty() && numbered_after(name, stem)
}

/// Whether `longer` is `prefix` followed by a number or an ordinal (莘松五村 after 莘松, 第二 after 春申).
fn numbered_after(longer: &str, prefix: &str) -> bool {
    longer.strip_prefix(prefix).is_some_and(|rest| {
        rest.starts_with(|c: char| "一二三四五六七八九十第".contains(c) || c.is_ascii_digit())
    })
}

/// Whether an estate named in full is the parent of a numbered community (鞍山四村 of 鞍山四村第二).
fn parent_of(whole: &str, stem: &str) -> bool {
    numbered_after(stem, whole)
}

/// A name is this community's when it holds the community's stem, or the stem holds it whole (华沁苑
/// for 华沁居民区; 金豪苑 for 金豪居民区), or it ends in the stem with one character misread.
fn is_this(name: &str, stem: &str) -> bool {
    if stem.is_empty() {
        return false;
    }
    let name = name.trim_start_matches('原');
    // 莘松新村 is the parent of 莘松五村: the stem goes on after the name with the estate's number.
    if numbered_after(stem, name) {
        return false;
    }
    if name.contains(stem) || (name.chars().count() >= 2 && stem.contains(name)) {
        return true;
    }
    // OCR misreads a character of a name (绿地姑廉 for 绿地崑廉): the name's end as long as the stem,
    // one character off, when the stem has three or more.
    let n = stem.chars().count();
    let tail: String = name
        .chars()
        .rev()
        .take(n)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // A differing numeral is a sibling estate (广灵二路 beside 广灵四路), not a misreading.
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    n >= 3
        && tail.chars().count() == n
        && strsim::levenshtein(&tail, stem) <= 1
        && !tail
            .chars()
            .zip(stem.chars())
            .any(|(a, b)| a != b && (numeral(a) || numeral(b)))
}

/// Words that describe an estate rather than name it (我们小区, 改造后小区, 商品房居住小区, 混合型老社区):
/// such a mention is the community itself.
fn descriptive(name: &str) -> bool {
    const WORDS: [&str; 22] = [
        "们", "后", "前", "型", "式", "旧", "居住", "商品", "动迁", "安置", "保障", "售后", "公房",
        "自然", "住宅", "整个", "去年", "今年", "如今", "目前", "现在", "当前",
    ];
    // 老小区, 新小区: an adjective, not a name.
    WORDS.iter().any(|w| name.contains(w)) || ["老", "新", "大"].contains(&name)
}

/// The community's stem: its name without 居民区, 社区, 居委会…
pub fn stem(community: &str) -> String {
    let mut s = community.to_string();
    for suffix in ["居民委员会", "居委会", "居民区", "社区", "村委会"] {
        if let Some(t) = s.strip_suffix(suffix) {
            s = t.to_string();
            break;
        }
    }
    s
}

/// A sentence read once for what whose-figure questions need: the places it names, its parentheses,
/// and whether it speaks of another community ([`ELSEWHERE_WORDS`]).
pub struct Reading {
    chars: Vec<char>,
    places: Vec<Place>,
    /// Parentheses closed in the sentence, (open, close), and those left open.
    closed: Vec<(usize, usize)>,
    open: Vec<usize>,
    elsewhere: bool,
}

impl Reading {
    /// Reads `sentence` for a case whose community's stem is `stem`.
    pub fn new(sentence: &str, stem: &str) -> Reading {
        let chars: Vec<char> = sentence.chars().collect();
        let mut open: Vec<usize> = Vec::new();
        let mut closed: Vec<(usize, usize)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '（' | '(' => open.push(i),
                '）' | ')' => {
                    if let Some(o) = open.pop() {
                        closed.push((o, i));
                    }
                }
                _ => {}
            }
        }
        Reading {
            places: places(sentence, stem),
            elsewhere: ELSEWHERE_WORDS.iter().any(|w| sentence.contains(w)),
            chars,
            closed,
            open,
        }
    }

    /// Whose a figure in a parenthesis is: the place the parenthesis names before it, or the wider
    /// (or, where the sentence speaks of others, the other) place right before the parenthesis.
    fn in_parenthesis(&self, at: usize) -> Option<Owner> {
        // The parenthesis the number stands in, if any (an unclosed one before it counts).
        let holding = self
            .closed
            .iter()
            .find(|&&(o, c)| o < at && at < c)
            .map(|&(o, _)| o)
            .or_else(|| self.open.iter().copied().rfind(|&o| o < at));
        let open = holding?;
        // What the parenthesis names before the number, else the words right before it.
        if let Some(p) = self.places.iter().rfind(|p| p.start > open && p.end <= at) {
            return Some(p.owner.clone());
        }
        let before = self
            .places
            .iter()
            .rfind(|p| p.end <= open && open - p.end <= 2);
        match before {
            Some(
                p @ Place {
                    owner: Owner::Wider(_),
                    ..
                },
            ) => Some(p.owner.clone()),
            Some(
                p @ Place {
                    owner: Owner::Other(_),
                    ..
                },
            ) if self.elsewhere || p.start <= 1 => Some(p.owner.clone()),
            _ => None,
        }
    }

    /// Whose figure the number at char `at` of the sentence is.
    pub fn owner(&self, at: usize) -> Owner {
        let (chars, places) = (&self.chars, &self.places);
        if let Some(owner) = self.in_parenthesis(at) {
            return owner;
        }
        // A year that modifies a neighbour named after it: 与1987年建成的通河七村相邻.
        let after: String = chars[at..].iter().take(12).collect();
        if let Some(k) = after.find("的") {
            let k = after[..k].chars().count();
            if let Some(p) = places.iter().find(|p| p.start == at + k + 1)
                && !matches!(p.owner, Owner::This)
                && chars[at..at + k].contains(&'年')
                && self.elsewhere
            {
                return p.owner.clone();
            }
            // …, 也有2003年落成的多伦公寓: one of the parts the sentence lists.
            let lead: String = chars[at.saturating_sub(2)..at].iter().collect();
            if let Some(p) = places.iter().find(|p| p.start == at + k + 1)
                && chars[at..at + k].contains(&'年')
                && ["也有", "还有", "既有"].contains(&lead.as_str())
            {
                let name: String = chars[p.start..p.end].iter().collect();
                return Owner::Part(name);
            }
        }
        // The last place named before the number, parentheses closed before it skipped.
        let in_closed = |p: &Place| {
            self.closed
                .iter()
                .any(|&(o, c)| o < p.start && p.end <= c && c < at)
        };
        // A standard of comparison owns the figures of its own clause (高于全镇33%的平均水平); a figure
        // in a later clause is the compared community's (略高于全区平均水平，绿化率为35%).
        let clause_start = chars[..at]
            .iter()
            .rposition(|c| "，,；;。".contains(*c))
            .map_or(0, |i| i + 1);
        // So does a place in a clause that describes the community (是上海最早的涉外居住区之一).
        let standard_before = |p: &Place| {
            (compared_with(chars, p.start) || describes(chars, p.start)) && p.end <= clause_start
        };
        match places
            .iter()
            .rfind(|p| p.end <= at && !in_closed(p) && !standard_before(p))
        {
            // An estate named otherwise than the community is someone else's only where the sentence
            // says so: it opens the sentence (曲阳新村始建于1979年), or the sentence speaks of
            // neighbours or compares. Elsewhere such a name describes the community or one of its own
            // estates (…是2006年入住的商品房居住小区; 其中东力新村为老旧小区).
            Some(
                p @ Place {
                    owner: Owner::Other(_),
                    ..
                },
            ) if p.start <= 1 || self.elsewhere || named_committee(chars, p) => p.owner.clone(),
            Some(Place {
                owner: Owner::Other(_),
                ..
            })
            | None => Owner::This,
            Some(p) => p.owner.clone(),
        }
    }
}

/// The wider place a form's numbered heading names when it names no part of the community
/// (四、所在街道基本信息): the rows under it are that place's.
pub fn heading_place(sentence: &str, stem: &str) -> Option<String> {
    let places = places(sentence, stem);
    if places.iter().any(|p| !matches!(p.owner, Owner::Wider(_))) {
        return None;
    }
    places.into_iter().find_map(|p| match p.owner {
        Owner::Wider(w) => Some(w),
        _ => None,
    })
}

/// Words of a sentence that speaks of another community beside this one, or of the estate or area it
/// belongs to.
const ELSEWHERE_WORDS: [&str; 23] = [
    "高出",
    "低出",
    "同属",
    "毗邻",
    "紧邻",
    "一路之隔",
    "所在新村",
    "所在片区",
    "所在街坊",
    "相邻",
    "邻近",
    "隔壁",
    "相比",
    "高于",
    "低于",
    "结对",
    "对口",
    "周边",
    "附近",
    "相望",
    "同一片区",
    "所属",
    "隶属",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The owner of the first number `n` stands for in `s`.
    fn of(s: &str, n: &str, community: &str) -> Owner {
        let at = s
            .find(n)
            .map(|b| s[..b].chars().count())
            .expect("the number");
        Reading::new(s, &stem(community)).owner(at)
    }

    #[test]
    fn a_streets_or_towns_figure_is_wider() {
        let c = "寿祥居民区";
        assert!(matches!(
            of("康健新村街道常住人口约7.6万人。", "7.6", c),
            Owner::Wider(_)
        ));
        assert!(matches!(
            of("城桥镇常住人口约8.2万人", "8.2", "鳌山居民区"),
            Owner::Wider(_)
        ));
        assert!(matches!(
            of(
                "据统计，静安区60岁以上户籍老年人口比例已达38.6%",
                "38.6",
                "阳曲居民区"
            ),
            Owner::Wider(_)
        ));
        assert!(matches!(
            of(
                "青浦新城早期开发项目（整个片区2001年启动建设），小区本身2004年交房",
                "2001",
                "佳乐苑居民区"
            ),
            Owner::Wider(_)
        ));
        assert_eq!(
            of(
                "青浦新城早期开发项目（整个片区2001年启动建设），小区本身2004年交房",
                "2004",
                "佳乐苑居民区"
            ),
            Owner::This
        );
        // The same sentence, after the community is named again: this community's.
        assert_eq!(
            of("塘桥街道的富都居民区共有住户2,860户", "2,860", "富都居民区"),
            Owner::This
        );
        // 非本市户籍 is a group of people, not a place.
        assert_eq!(of("非本市户籍人员占比为18.6%", "18.6", c), Owner::This);
        // An average is not the community's.
        assert!(matches!(
            of(
                "老年人口比例为38%，高于闵行区28%的平均水平",
                "28%",
                "平南居民区"
            ),
            Owner::Wider(_)
        ));
        assert_eq!(
            of(
                "老年人口比例为38%，高于闵行区28%的平均水平",
                "38%",
                "平南居民区"
            ),
            Owner::This
        );
    }

    #[test]
    fn a_neighbours_figure_is_anothers() {
        let s = "小区绿地率达40%，高于相邻的彭三小区（32%）。";
        assert_eq!(of(s, "40%", "馨佳园居民区"), Owner::This);
        assert!(matches!(of(s, "32%", "馨佳园居民区"), Owner::Other(_)));
        let s = "小区绿化率32%（邻近的锦苑居民区为35%），60岁以上老人占比40%";
        assert!(matches!(of(s, "35%", "复兴居民区"), Owner::Other(_)));
        // After the parenthesis closed, the community again.
        assert_eq!(of(s, "40%", "复兴居民区"), Owner::This);
        let s = "和同一片区的菊盛居民区（2,200户）相比，菊泉居民区规模小一些：1,380户、3,600人";
        assert!(matches!(of(s, "2,200", "菊泉居民区"), Owner::Other(_)));
        assert_eq!(of(s, "1,380", "菊泉居民区"), Owner::This);
    }

    #[test]
    fn a_parent_estates_year_is_anothers() {
        assert!(matches!(
            of(
                "曲阳新村始建于1979年，是上海较早的大型住宅区之一",
                "1979",
                "玉田新村第三居民区"
            ),
            Owner::Other(_)
        ));
        assert!(matches!(
            of(
                "通河八村第二居民区与1987年建成的通河七村相邻",
                "1987",
                "通河八村第二居民区"
            ),
            Owner::Other(_)
        ));
        assert!(matches!(
            of("所属片区：堡镇新村（始建于1976年）", "1976", "新港居民区"),
            Owner::Other(_)
        ));
        // Merged from two other estates, then its own houses again (所辖).
        let s = "玉田新村第三居民区由原玉田三村和玉田四村合并而成，所辖房屋于1984年陆续竣工";
        assert_eq!(of(s, "1984", "玉田新村第三居民区"), Owner::This);
        // The community's own estate under another name sharing its stem.
        assert_eq!(
            of("华沁居民区所在的华沁苑则于2006年建成", "2006", "华沁居民区"),
            Owner::This
        );
        assert_eq!(
            of(
                "这个1999年交房的小区，住着1,260户人家",
                "1999",
                "新赵家宅居民区"
            ),
            Owner::This
        );
    }
    #[test]
    fn a_comparison_or_a_description_owns_only_its_clause() {
        // 高出 compares like 高于: the figure after the comparison is the community's.
        let s = "老年人口占比高出街道平均水平，达到35%；来沪人员占比8%";
        assert_eq!(of(s, "35%", "荣乐居民区"), Owner::This);
        // A clause that says what kind of place the community is (是上海最早的…之一).
        let s = "我们居民区成立于1996年，是上海最早的涉外居住区之一，现有住户2,460户";
        assert_eq!(of(s, "2,460", "荣华居民区"), Owner::This);
    }

    #[test]
    fn the_city_street_and_counted_estates_are_wider() {
        // 上海 without 市, opening its clause with 户籍: the city's registered people.
        let s = "上海户籍人口中60岁及以上老人占比已超过36%";
        assert!(matches!(of(s, "36%", "甘泉一村居民区"), Owner::Wider(_)));
        // 新上海人 are people, not the city.
        assert_eq!(of("新上海人占比24%", "24%", "新市北路居民区"), Owner::This);
        // 街道 with no name, as a clause's subject; 28个居民区 is a count, not this community.
        let s = "街道下辖28个居民区，常住人口约10.5万人";
        assert!(matches!(of(s, "10.5", "建国西路居民区"), Owner::Wider(_)));
        assert!(matches!(
            of("二、街道绿化覆盖率：38%", "38%", "山龙居民区"),
            Owner::Wider(_)
        ));
        // Where the community lies is not whose its figures are, even inside the street's match.
        let s = "天山二村居民区位于天山路街道中部，1982年建成，现有居民2,135户";
        assert_eq!(of(s, "2,135", "天山二村居民区"), Owner::This);
        // A run of places after 隶属于; a count written after the estates (居民区19个).
        let s = "水仙居民区，隶属于长宁区新华路街道，是一个建于1954年的老公房小区";
        assert_eq!(of(s, "1954", "水仙居民区"), Owner::This);
        let s = "马桥镇共有居民区19个，常住人口约10万人";
        assert!(matches!(of(s, "10万", "晶城居民区"), Owner::Wider(_)));
        // A form's numbered heading about the street: its rows are the street's.
        assert!(heading_place("四、所在街道基本信息；", "泰和新城第二").is_some());
        assert_eq!(
            heading_place("三、申报社区基本信息；", "泰和新城第二"),
            None
        );
        // An average over the community's own estates is the community's.
        assert_eq!(
            of("三个小区平均绿化率31%", "31%", "古美西路居民区"),
            Owner::This
        );
    }

    #[test]
    fn another_committee_by_name_or_number_is_anothers() {
        // A residents' committee named in full, with an ordinal.
        let s = "而同属花木街道的牡丹第一居民区，绿化率为31%，建成于1994年";
        assert!(matches!(of(s, "31%", "联洋第二居民区"), Owner::Other(_)));
        // A sibling differs by its number, not by a misread character.
        let s = "隔壁的广灵二路居民区老人比例也有40%哦";
        assert!(matches!(of(s, "40%", "广灵四路居民区"), Owner::Other(_)));
        // The parent estate of a numbered community, named in full.
        let s = "我们鞍山四村第二居民区与鞍山四村第一居民区同属鞍山四村，鞍山四村建于1956年";
        assert!(matches!(
            of(s, "1956", "鞍山四村第二居民区"),
            Owner::Other(_)
        ));
        // Where its people come from is no owner; 老小区 describes the community.
        assert_eq!(
            of(
                "来自全国各地的新上海人占了近四成",
                "四成",
                "浦江华侨城居民区"
            ),
            Owner::This
        );
        assert_eq!(
            of(
                "老小区也有新绿意这个1989年建成的小区",
                "1989",
                "蓝天一村居民区"
            ),
            Owner::This
        );
        // 另一个居民区 is another; a time word before 小区 names none (如今小区绿化率).
        let s = "大宁路街道的另一个居民区——宁泰居民区绿化率是30%，建于2000年";
        assert!(matches!(of(s, "30%", "宁和居民区"), Owner::Other(_)));
        assert_eq!(
            of("如今小区绿化率达到了38%", "38%", "周康居民区"),
            Owner::This
        );
        // A later phase of the same name, next door; a town's committees in general.
        let s = "与我们一路之隔的金桥湾二期居民区2012年交付，绿化率40%";
        assert!(matches!(of(s, "2012", "金桥湾居民区"), Owner::Other(_)));
        let s = "罗店镇镇区的居民区平均绿化率为35%，而作为对比";
        assert!(matches!(of(s, "35%", "美兰湖居民区"), Owner::Wider(_)));
        // The community's name without 居民区 is the community.
        let s = "与相邻的彭浦五村（绿化率22%）相比，馨佳园的绿化率高达38%";
        assert_eq!(of(s, "38%", "馨佳园居民区"), Owner::This);
        assert!(matches!(of(s, "22%", "馨佳园居民区"), Owner::Other(_)));
    }
}
