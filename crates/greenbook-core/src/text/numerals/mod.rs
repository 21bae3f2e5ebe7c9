//! Numbers in every form the book and OCR produce: Arabic with thousands separators ("3 901", "2,300"),
//! full-width digits, Chinese numerals (一千二百, 两万, 二〇〇三), mixed (8千, 1.2万), percent words
//! (百分之三十五, 三成, 四分之一, 近半), with their qualifiers (约, 余, 多, 近, 超过, 以上, 左右).
//!
//! Input is put in [`super::normalize`]d form first (full-width digits and ％ to ASCII, one char for one,
//! so every span is also a span of the caller's text). Never panics (property test + fuzz target).

mod arabic;
use arabic::arabic_at;

use serde::Serialize;

/// How exact a stated number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    Approx,
    AtLeast,
    AtMost,
}

super::edge_strings!(Qualifier {
    Exact => "exact",
    Approx => "approx",
    AtLeast => "at_least",
    AtMost => "at_most",
});

impl Qualifier {
    /// The mark printed before a value: 约, ≥, ≤ or nothing.
    pub fn mark(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Approx => "约",
            Qualifier::AtLeast => "≥",
            Qualifier::AtMost => "≤",
        }
    }
}

/// A number found in text. `start..end` are char indices of the whole mention (qualifiers included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Number {
    pub value: f64,
    pub percent: bool,
    pub qualifier: Qualifier,
    pub start: usize,
    pub end: usize,
    /// The characters right after the number (its unit, e.g. 户, 人, 年, 平方米), up to 3.
    pub unit: String,
}

const CN_DIGITS: &str = "零〇一二两三四五六七八九";
const CN_UNITS: &str = "十百千万亿";

/// A character of a Chinese numeral (digits, units, capitals, 廿, 卅), not an Arabic digit.
pub fn is_cn_numeral(c: char) -> bool {
    !c.is_ascii_digit()
        && plain(c)
            .is_some_and(|p| CN_DIGITS.contains(p) || CN_UNITS.contains(p) || "廿卅".contains(p))
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' | 'O' | 'o' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Financial capitals (壹贰叁…拾佰仟), traditional forms and 负 in their everyday form; None for a
/// character that is no part of a numeral. 廿 and 卅 are expanded by [`parse_chinese`].
fn plain(c: char) -> Option<char> {
    Some(match c {
        '壹' => '一',
        '贰' | '貳' => '二',
        '叁' | '參' | '叄' => '三',
        '肆' => '四',
        '伍' => '五',
        '陆' | '陸' => '六',
        '柒' => '七',
        '捌' => '八',
        '玖' => '九',
        '拾' => '十',
        '佰' => '百',
        '仟' => '千',
        '萬' => '万',
        '億' => '亿',
        '負' => '负',
        c if cn_digit(c).is_some() || "十百千万亿点负廿卅.-".contains(c) || c.is_ascii_digit() => {
            c
        }
        _ => return None,
    })
}

/// One piece of a numeral.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    /// A Chinese digit, or an Arabic number (`arabic`, possibly with a decimal part).
    Num {
        v: f64,
        arabic: bool,
    },
    /// 十, 百 or 千.
    Unit(f64),
    Wan,
    Yi,
}

fn tokens(chars: &[char]) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c.is_ascii_digit() {
            let start = k;
            while k < chars.len() && chars[k].is_ascii_digit() {
                k += 1;
            }
            if chars.get(k) == Some(&'.') {
                k += 1;
                let frac = k;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                if k == frac {
                    return None; // "10." or "10..1"
                }
            }
            let v = chars[start..k].iter().collect::<String>().parse().ok()?;
            out.push(Tok::Num { v, arabic: true });
            continue;
        }
        out.push(match multiplier(c) {
            Some(10_000.0) => Tok::Wan,
            Some(100_000_000.0) => Tok::Yi,
            Some(m) => Tok::Unit(m),
            None => Tok::Num {
                v: f64::from(cn_digit(c)?),
                arabic: false,
            },
        });
        k += 1;
    }
    Some(out)
}

/// The integer part of a numeral with units: 亿 groups of 万 groups of sections below 10 000. 零 marks a
/// gap; a last single digit right after 百, 千, 万 or 亿 (no 零 between) is colloquial shorthand for the
/// next lower place (三万五 = 35 000, 一百二 = 120). An Arabic mantissa with a decimal part (10.1万) must
/// end the numeral.
fn with_units(toks: &[Tok]) -> Option<f64> {
    let (mut yi, mut wan, mut section) = (0f64, 0f64, 0f64);
    let mut pending: Option<(f64, bool)> = None;
    let mut last_unit = 0f64;
    let mut zero = false;
    let mut fractional_done = false;
    for t in toks {
        if fractional_done {
            return None;
        }
        match *t {
            Tok::Num { v, arabic } => {
                if pending.is_some() {
                    return None;
                }
                if !arabic && v == 0.0 {
                    zero = true;
                    continue;
                }
                pending = Some((v, arabic));
            }
            Tok::Unit(m) => {
                let d = pending.take().map_or(1.0, |p| p.0);
                fractional_done = d.fract() != 0.0;
                section += d * m;
                (last_unit, zero) = (m, false);
            }
            Tok::Wan => {
                let d = pending.take().map_or(0.0, |p| p.0);
                fractional_done = d.fract() != 0.0;
                let base = section + d;
                wan += if base == 0.0 { 1.0 } else { base } * 10_000.0;
                section = 0.0;
                (last_unit, zero) = (10_000.0, false);
            }
            Tok::Yi => {
                let d = pending.take().map_or(0.0, |p| p.0);
                fractional_done = d.fract() != 0.0;
                let base = yi + wan + section + d;
                yi = if base == 0.0 { 1.0 } else { base } * 100_000_000.0;
                (wan, section) = (0.0, 0.0);
                (last_unit, zero) = (100_000_000.0, false);
            }
        }
    }
    let tail = match pending {
        Some((d, false)) if !zero && last_unit >= 100.0 => d * last_unit / 10.0,
        Some((d, _)) => d,
        None => 0.0,
    };
    Some(yi + wan + section + tail)
}

/// Parses a numeral, the whole string: Chinese (一千二百 → 1200, 两万, 十二, 一千零十 → 1010), digit by
/// digit (二〇〇三 → 2003, 一七二零点一 → 1720.1), colloquial (三万五 → 35000, 两千六 → 2600), mixed
/// (100万三千 → 1003000, 1万600 → 10600, 10.1万), 点 decimals (一百点123 → 100.123), financial capitals
/// (壹佰壹拾壹 → 111), 廿/卅, and 负 or "-" for a negative. None for anything else (零点, 点零,
/// 10.1万零100).
pub fn parse_chinese(s: &str) -> Option<f64> {
    let mut chars: Vec<char> = Vec::new();
    for c in s.chars() {
        match plain(c)? {
            '廿' => chars.extend(['二', '十']),
            '卅' => chars.extend(['三', '十']),
            c => chars.push(c),
        }
    }
    let (negative, body) = match chars.split_first() {
        Some(('负' | '-', rest)) => (true, rest),
        _ => (false, &chars[..]),
    };
    let (int, frac) = match body.iter().position(|c| *c == '点') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    let int = tokens(int)?;
    if int.is_empty() {
        return None;
    }
    let has_units = int.iter().any(|t| !matches!(t, Tok::Num { .. }));
    let whole = if has_units {
        with_units(&int)?
    } else if let [Tok::Num { v, .. }] = int[..] {
        v
    } else {
        // Digit by digit: every piece a single Chinese digit.
        let mut v = 0f64;
        for t in &int {
            match *t {
                Tok::Num {
                    v: d,
                    arabic: false,
                } => v = v * 10.0 + d,
                _ => return None,
            }
        }
        v
    };
    let value = match frac {
        None => whole,
        Some(frac) => {
            if frac.is_empty() || whole.fract() != 0.0 {
                return None;
            }
            // Read digit by digit, Chinese or Arabic (一百点123).
            let digits: Option<String> = frac
                .iter()
                .map(|&c| match cn_digit(c) {
                    Some(d) if !matches!(c, 'O' | 'o') => char::from_digit(d, 10),
                    _ => c.is_ascii_digit().then_some(c),
                })
                .collect();
            format!("{whole:.0}.{}", digits?).parse().ok()?
        }
    };
    Some(if negative { -value } else { value })
}

fn multiplier(c: char) -> Option<f64> {
    Some(match c {
        '十' => 10.0,
        '百' => 100.0,
        '千' => 1000.0,
        '万' => 10_000.0,
        '亿' => 100_000_000.0,
        _ => return None,
    })
}

const PREFIX_QUALIFIERS: [(&str, Qualifier); 11] = [
    ("大约", Qualifier::Approx),
    ("约", Qualifier::Approx),
    ("将近", Qualifier::AtMost),
    ("接近", Qualifier::AtMost),
    ("近", Qualifier::AtMost),
    ("不足", Qualifier::AtMost),
    ("不到", Qualifier::AtMost),
    ("超过", Qualifier::AtLeast),
    ("逾", Qualifier::AtLeast),
    ("多于", Qualifier::AtLeast),
    ("达到", Qualifier::Exact),
];

const SUFFIX_QUALIFIERS: [(&str, Qualifier); 8] = [
    ("余", Qualifier::AtLeast),
    // 3,600+居民: a post's plus sign.
    ("+", Qualifier::AtLeast),
    ("＋", Qualifier::AtLeast),
    ("多", Qualifier::AtLeast),
    ("以上", Qualifier::AtLeast),
    ("左右", Qualifier::Approx),
    ("上下", Qualifier::Approx),
    ("以下", Qualifier::AtMost),
];

fn ends_with_at(chars: &[char], end: usize, pat: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    end >= p.len() && chars[end - p.len()..end] == p[..]
}

fn starts_with_at(chars: &[char], start: usize, pat: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    start + p.len() <= chars.len() && chars[start..start + p.len()] == p[..]
}

/// A figure as first read where it starts: its value, where it ends, whether it is a share and how
/// it is qualified.
struct Reading {
    value: f64,
    end: usize,
    percent: bool,
    qualifier: Qualifier,
}

impl Reading {
    fn exact(value: f64, end: usize) -> Reading {
        Reading {
            value,
            end,
            percent: false,
            qualifier: Qualifier::Exact,
        }
    }

    fn share(value: f64, end: usize) -> Reading {
        Reading {
            percent: true,
            ..Reading::exact(value, end)
        }
    }
}

/// Finds every number in `text` (char indices), with percent forms and qualifiers resolved.
pub fn find_numbers(text: &str) -> Vec<Number> {
    let chars: Vec<char> = text.chars().map(super::normalize_char).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match reading_at(&chars, i) {
            Ok(r) => {
                let n = number(&chars, i, r);
                i = n.1.max(i + 1);
                out.push(n.0);
            }
            Err(next) => i = next,
        }
    }
    join_ranges(&chars, out)
}

/// The figure that starts at `i`, or where to look for one next.
fn reading_at(chars: &[char], i: usize) -> Result<Reading, usize> {
    if starts_with_at(chars, i, "百分之") {
        let j = i + 3;
        let parsed = arabic_at(chars, j).or_else(|| {
            let end = (j..chars.len())
                .find(|&k| {
                    !CN_DIGITS.contains(chars[k])
                        && !CN_UNITS.contains(chars[k])
                        && chars[k] != '点'
                })
                .unwrap_or(chars.len());
            parse_chinese(&chars[j..end].iter().collect::<String>()).map(|v| (v, end))
        });
        parsed.map(|(v, end)| Reading::share(v, end)).ok_or(i + 1)
    } else if let Some((v, end)) = fraction_at(chars, i) {
        Ok(Reading::share(v, end))
    } else if starts_with_at(chars, i, "近半") || starts_with_at(chars, i, "近一半") {
        let n = if chars.get(i + 1) == Some(&'一') {
            3
        } else {
            2
        };
        Ok(Reading {
            qualifier: Qualifier::AtMost,
            ..Reading::share(50.0, i + n)
        })
    } else if let Some((v, end)) = every_at(chars, i) {
        // 每三个居民中就有一个: one in three.
        Ok(Reading::share(v, end))
    } else if starts_with_at(chars, i, "一半") {
        Ok(Reading::share(50.0, i + 2))
    } else if starts_with_at(chars, i, "过半") || starts_with_at(chars, i, "半数以上") {
        let n = if chars[i] == '过' { 2 } else { 4 };
        Ok(Reading {
            qualifier: Qualifier::AtLeast,
            ..Reading::share(50.0, i + n)
        })
    } else if let Some((v, end)) = arabic_at(chars, i) {
        let (v, end) = with_multipliers(chars, v, end);
        Ok(Reading::exact(v, end))
    } else if plain(chars[i]).is_some_and(|c| CN_DIGITS.contains(c) || "十廿卅".contains(c)) {
        chinese_at(chars, i)
    } else {
        Err(i + 1)
    }
}

/// A figure in digits with what follows it: 8千, 1.2万, 100万三千, 1万600 (the whole run read as one
/// numeral).
fn with_multipliers(chars: &[char], v: f64, end: usize) -> (f64, usize) {
    let run = (end..chars.len())
        .find(|&k| !(is_cn_numeral(chars[k]) || chars[k].is_ascii_digit()))
        .unwrap_or(chars.len());
    let mixed = (run > end && multiplier(chars[end]).is_some())
        .then(|| {
            let tail: String = chars[end..run].iter().collect();
            parse_chinese(&format!("{v}{tail}"))
        })
        .flatten();
    let mut v = mixed.unwrap_or(v);
    let mut end = if mixed.is_some() { run } else { end };
    while let Some(m) = chars.get(end).and_then(|c| multiplier(*c)).or_else(|| {
        // OCR reads 千 as 干: "4.2干人".
        (chars.get(end) == Some(&'干')
            && matches!(chars.get(end + 1), Some('人' | '户' | '余' | '多')))
        .then_some(1000.0)
    }) {
        v *= m;
        end += 1;
    }
    (v, end)
}

/// A figure in Chinese numerals at `i` (a character that can open one), or where to look next when
/// it is no quantity.
fn chinese_at(chars: &[char], i: usize) -> Result<Reading, usize> {
    // OCR reads 〇 as O or 0 inside a Chinese year ("二OO八年"): accepted after the first digit.
    // 点 joins a decimal part (一七二零点一).
    let o_for_zero = |c: char| matches!(c, 'O' | 'o' | '0');
    let digit_after = |k: usize| {
        chars
            .get(k + 1)
            .is_some_and(|&d| is_cn_numeral(d) || d.is_ascii_digit())
    };
    let mut end = i;
    let mut decimals = false;
    while let Some(&c) = chars.get(end) {
        let ok = is_cn_numeral(c)
            || end > i && o_for_zero(c)
            || decimals && c.is_ascii_digit()
            || c == '点' && end > i && !decimals && digit_after(end);
        if !ok {
            break;
        }
        decimals |= c == '点';
        end += 1;
    }
    let word: String = chars[i..end]
        .iter()
        .map(|&c| if o_for_zero(c) { '〇' } else { c })
        .collect();
    // The unit, after an optional 余/多 (七千八百余人).
    let next = match chars.get(end).copied() {
        Some('余' | '多') => chars.get(end + 1).copied(),
        c => c,
    };
    // Chinese numerals only count next to a unit that makes them a quantity (一墙之隔 is no number),
    // or when they state a magnitude with a digit (人口约两万, 三万五).
    let quantity = matches!(
        next,
        Some('户' | '人' | '年' | '成' | '名' | '位' | '岁' | '元' | '圆')
    ) && (end - i >= 2 || next != Some('年'));
    let magnitude = end - i >= 2
        && word
            .chars()
            .any(|c| plain(c).is_some_and(|p| "百千万亿".contains(p)));
    let v = (quantity || magnitude)
        .then(|| parse_chinese(&word))
        .flatten()
        .ok_or(end.max(i + 1))?;
    Ok(if next == Some('成') {
        // 一成半: one and a half tenths.
        let half = chars.get(end + 1) == Some(&'半');
        let v = v * 10.0 + if half { 5.0 } else { 0.0 };
        Reading::share(v, end + 1 + usize::from(half))
    } else {
        Reading::exact(v, end)
    })
}

/// The number a reading makes, with where its mention ends for the search: a percent sign (or what
/// OCR made of it) read, the qualifiers before and after it, its sign and its unit.
fn number(chars: &[char], start: usize, r: Reading) -> (Number, usize) {
    let Reading {
        value,
        end,
        percent,
        mut qualifier,
    } = r;
    let (value, end, percent) = percent_sign(chars, start, value, end, percent);
    let mut value = value;
    let mut mstart = start;
    // A qualifier may stand right before the number or before a verb (约占三成, 约为3000户).
    let verb = start > 0 && "占为达有计共".contains(chars[start - 1]);
    let anchors = if verb {
        vec![start, start - 1]
    } else {
        vec![start]
    };
    'q: for anchor in anchors {
        for (p, q) in PREFIX_QUALIFIERS {
            if ends_with_at(chars, anchor, p) {
                if qualifier == Qualifier::Exact {
                    qualifier = q;
                }
                mstart = anchor - p.chars().count();
                break 'q;
            }
        }
    }
    // A sign written before the numeral (负一百, -10.1万; not the dash of a range 1200-1300).
    if start > 0
        && (chars[start - 1] == '负'
            || chars[start - 1] == '-' && !(start > 1 && chars[start - 2].is_ascii_digit()))
        && !percent
    {
        value = -value;
        mstart = mstart.min(start - 1);
    }
    // The unit, after spaces a typesetter put around the number (住户 856 户).
    let unit: String = chars[end..]
        .iter()
        .skip_while(|c| **c == ' ')
        .take(3)
        .collect();
    // Suffix qualifiers come after the number or after its one-character unit (3000余户, 3000户以上).
    let mut mend = end;
    for skip in [0usize, 1] {
        if let Some((p, q)) = SUFFIX_QUALIFIERS
            .iter()
            .find(|(p, _)| starts_with_at(chars, end + skip, p))
        {
            if skip == 1 && !matches!(chars.get(end), Some('户' | '人' | '名' | '年')) {
                continue;
            }
            qualifier = *q;
            mend = end + skip + p.chars().count();
            break;
        }
    }
    let unit = if unit.starts_with(['余', '多', '+', '＋']) {
        unit.chars().skip(1).collect()
    } else {
        unit
    };
    (
        Number {
            value,
            percent,
            qualifier,
            start: mstart,
            end: mend.max(end),
            unit,
        },
        end,
    )
}

/// A percent sign after the figure, or what OCR made of one: "209%" for 20％, "3196" for 31％ right
/// after a share or rate word.
fn percent_sign(
    chars: &[char],
    start: usize,
    mut value: f64,
    mut end: usize,
    mut percent: bool,
) -> (f64, usize, bool) {
    if matches!(chars.get(end), Some('%' | '％')) {
        percent = true;
        end += 1;
        // OCR reads "％" as "9%" (20％ → 209%): a whole percentage above 100 ending in 9.
        if value > 100.0 && value.fract() == 0.0 && value % 10.0 == 9.0 && value < 1010.0 {
            value = (value - 9.0) / 10.0;
        }
    } else if !percent
        && value.fract() == 0.0
        && (196.0..10_100.0).contains(&value)
        && (value - 96.0) % 100.0 == 0.0
        && !matches!(chars.get(end), Some(c) if c.is_alphanumeric() && !c.is_ascii_digit())
        && chars[start.saturating_sub(3)..start]
            .iter()
            .any(|c| "占比率达为".contains(*c))
    {
        // ... or as "96" (31％ → 3196) right after a share or rate word.
        value = (value - 96.0) / 100.0;
        percent = true;
    }
    (value, end, percent)
}

/// A range (1200—1300户, 30%～35%, 一千至一千二百人) is one figure: its midpoint, approximate, with the
/// second number's unit.
fn join_ranges(chars: &[char], found: Vec<Number>) -> Vec<Number> {
    let mut out: Vec<Number> = Vec::with_capacity(found.len());
    for n in found {
        if let Some(prev) = out.last_mut()
            && prev.end <= n.start
            && prev.percent == n.percent
            && prev.value.is_finite()
            && n.value > prev.value
            && matches!(
                chars[prev.end..n.start].iter().collect::<String>().as_str(),
                "—" | "——" | "–" | "－" | "-" | "~" | "～" | "至" | "到"
            )
        {
            prev.value = (prev.value + n.value) / 2.0;
            prev.qualifier = Qualifier::Approx;
            prev.end = n.end;
            prev.unit = n.unit;
            continue;
        }
        out.push(n);
    }
    out
}

/// 四分之一 → 25, 三分之二 → 66.67 (as percent).
/// "每三个居民中就有一个", "每4户就有1户": one in N, as a percentage (with the end of the mention).
fn every_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    if chars.get(i) != Some(&'每') {
        return None;
    }
    let digit = |c: char| cn_digit(c).or_else(|| c.to_digit(10));
    let mut k = i + 1;
    let mut n = 0u32;
    while let Some(d) = chars.get(k).and_then(|&c| digit(c)) {
        n = n.saturating_mul(10).saturating_add(d);
        k += 1;
    }
    if n < 2 || k == i + 1 {
        return None;
    }
    // Then, within ten characters, 有一(个|位|名|户) or 有1….
    let window: String = chars[k..chars.len().min(k + 12)].iter().collect();
    let at = window.find("有一").or_else(|| window.find("有1"))?;
    let after = window[..at].chars().count() + 2;
    let measure = chars
        .get(k + after)
        .is_some_and(|c| "个位名户人".contains(*c));
    let end = k + after + usize::from(measure);
    Some(((100.0 / n as f64 * 100.0).round() / 100.0, end))
}

fn fraction_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let den = cn_digit(*chars.get(i)?)?;
    if chars.get(i + 1) != Some(&'分') || chars.get(i + 2) != Some(&'之') {
        return None;
    }
    let num = cn_digit(*chars.get(i + 3)?)?;
    if den == 0 {
        return None;
    }
    Some(((num as f64 / den as f64 * 10_000.0).round() / 100.0, i + 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> (f64, bool, Qualifier) {
        let n = find_numbers(s);
        assert_eq!(n.len(), 1, "{s}: {n:?}");
        (n[0].value, n[0].percent, n[0].qualifier)
    }

    /// Full-width digits and ％ (as OCR and the book print them) are read as their ASCII forms, with spans
    /// in the caller's text: the parser normalises its input itself.
    #[test]
    fn full_width_input_is_normalised_first() {
        let text = "共有１２２４户，绿化率３５．５％";
        let found = find_numbers(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].value, found[0].unit.as_str()), (1224.0, "户，绿"));
        assert!(found[1].percent && (found[1].value - 35.5).abs() < 1e-9);
        let chars: Vec<char> = text.chars().collect();
        let span: String = chars[found[0].start..found[0].end].iter().collect();
        assert_eq!(span, "１２２４");
    }

    #[test]
    fn arabic_forms() {
        assert_eq!(one("共3 901个").0, 3901.0);
        assert_eq!(one("共2,300户").0, 2300.0);
        assert_eq!(one("绿化率达48.5%"), (48.5, true, Qualifier::Exact));
        assert_eq!(one("约8千人"), (8000.0, false, Qualifier::Approx));
        assert_eq!(one("1.2万人").0, 12000.0);
        assert_eq!(one("共l2O4户").0, 1204.0);
    }

    #[test]
    fn chinese_forms() {
        assert_eq!(parse_chinese("一千二百"), Some(1200.0));
        assert_eq!(parse_chinese("两万"), Some(20000.0));
        assert_eq!(parse_chinese("二〇〇三"), Some(2003.0));
        assert_eq!(parse_chinese("三万五千"), Some(35000.0));
        assert_eq!(parse_chinese("十二"), Some(12.0));
        assert_eq!(one("建于二〇〇三年").0, 2003.0);
        assert_eq!(one("一千二百户"), (1200.0, false, Qualifier::Exact));
        assert!(find_numbers("一墙之隔，一步就能").is_empty());
    }

    #[test]
    fn percent_words_and_qualifiers() {
        assert_eq!(one("占百分之三十五"), (35.0, true, Qualifier::Exact));
        assert_eq!(one("约占三成"), (30.0, true, Qualifier::Approx));
        assert_eq!(one("占四分之一"), (25.0, true, Qualifier::Exact));
        assert_eq!(one("约占一成半"), (15.0, true, Qualifier::Approx));
        assert_eq!(one("占了将近一半"), (50.0, true, Qualifier::AtMost));
        assert_eq!(one("老人接近一半"), (50.0, true, Qualifier::AtMost));
        let n = find_numbers("每三个居民中就有一个是老年人");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!((n[0].value - 33.33).abs() < 1e-9 && n[0].percent);
        assert_eq!((n[0].start, n[0].end), (0, 10));
        assert_eq!(one("每4户就有1户").0, 25.0);
        assert_eq!(one("近半"), (50.0, true, Qualifier::AtMost));
        assert_eq!(one("3000余户"), (3000.0, false, Qualifier::AtLeast));
        assert_eq!(one("超过40%"), (40.0, true, Qualifier::AtLeast));
        assert_eq!(one("1200户以上"), (1200.0, false, Qualifier::AtLeast));
        assert_eq!(one("5000人左右"), (5000.0, false, Qualifier::Approx));
        assert_eq!(find_numbers("3000余户")[0].unit, "户");
        // Chinese numerals with 余/多 before the unit (found by the synthetic book).
        assert_eq!(
            one("总人口七千八百三十六余人"),
            (7836.0, false, Qualifier::AtLeast)
        );
        assert_eq!(one("两千多户"), (2000.0, false, Qualifier::AtLeast));
    }

    #[test]
    fn ocr_confusions_in_numbers() {
        // Full-width digits read one by one, ％ read as 96 or 9%, 千 read as 干.
        assert_eq!(one("实有人口2 5 2 8人"), (2528.0, false, Qualifier::Exact));
        assert_eq!(one("老年人占比3196。"), (31.0, true, Qualifier::Exact));
        assert_eq!(one("老龄化率达209%"), (20.0, true, Qualifier::Exact));
        assert_eq!(one("常住人口约4.2干人"), (4200.0, false, Qualifier::Approx));
        assert_eq!(one("该小区二OO八年入住"), (2008.0, false, Qualifier::Exact));
        // Not repaired: a count of households, a real year, a page reference.
        assert_eq!(one("共有3196户"), (3196.0, false, Qualifier::Exact));
        assert_eq!(find_numbers("第 1 页")[0].value, 1.0);
        assert_eq!(find_numbers("共计2 5人")[0].value, 2.0);
    }

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= 1e-9 * want.abs().max(1e-6)
    }

    /// cn2an's conversion tables (`tests/data/cn2an_tables.tsv`, strict, normal and smart sets): every
    /// numeral parses to its value, and in running text (共有…户, or as printed with 元整) it is found as
    /// one number of that value; the error entries are no numeral.
    #[test]
    fn cn2an_tables() {
        let table = include_str!("../../../../../tests/data/cn2an_tables.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (numeral, value, set) = (cols[0], cols[1], cols[2]);
            if set == "error" {
                assert_eq!(parse_chinese(numeral), None, "{numeral}");
                continue;
            }
            let want: f64 = value.parse().unwrap();
            let bare = numeral.trim_end_matches("元整").trim_end_matches("圆整");
            let got = parse_chinese(bare);
            assert!(
                got.is_some_and(|g| close(g, want)),
                "{numeral}: {got:?}, want {want}"
            );
            let text = if bare != numeral {
                numeral.to_string()
            } else {
                format!("共有{numeral}户")
            };
            let found = find_numbers(&text);
            assert!(
                found.len() == 1 && close(found[0].value, want),
                "{text}: {found:?}, want {want}"
            );
            checked += 1;
        }
        assert!(checked >= 100, "{checked} entries");
    }

    #[test]
    fn colloquial_mixed_and_spaced_forms_in_text() {
        assert_eq!(one("人口约两万，"), (20000.0, false, Qualifier::Approx));
        assert_eq!(one("实有人口三万五"), (35000.0, false, Qualifier::Exact));
        assert_eq!(one("一千零十户").0, 1010.0);
        assert_eq!(one("一亿五千万元").0, 150_000_000.0);
        assert_eq!(one("共1万600人").0, 10600.0);
        let spaced = find_numbers("住户 856 户");
        assert_eq!((spaced[0].value, spaced[0].unit.as_str()), (856.0, "户"));
        let split = find_numbers("实有人口702 5人");
        assert_eq!((split[0].value, split[0].unit.as_str()), (7025.0, "人"));
        // A dot inside a count is a separator or a speck; in a share it is the decimal point.
        for (text, value) in [
            ("居民约5·987户", 5987.0),
            ("总人口4·888余人", 4888.0),
            ("共1.224户", 1224.0),
            ("占48.5%", 48.5),
            ("绿地率为35..2%", 35.2),
        ] {
            assert_eq!(find_numbers(text)[0].value, value, "{text}");
        }
        // A speck inside a count, like a stray space; not in a share.
        assert_eq!(find_numbers("辖区内共568·5户居民")[0].value, 5685.0);
        assert_eq!(find_numbers("占比35·2%")[0].value, 35.0);
        // One digit before the space is not a split count.
        assert_eq!(find_numbers("楼栋2 3户")[0].value, 2.0);
        // Several stray spaces in a count of four to six digits; not in a longer or unitless run.
        assert_eq!(find_numbers("辖区内共1 3 97户居民")[0].value, 1397.0);
        let n = find_numbers("总人口11 35 6余人");
        assert_eq!((n[0].value, n[0].qualifier), (11356.0, Qualifier::AtLeast));
        assert_eq!(find_numbers("共有居民2 4 5 8人")[0].value, 2458.0);
        assert_eq!(find_numbers("编号1 3 97号")[0].value, 1.0);
        assert_eq!(find_numbers("共1 3 97 555 1户")[0].value, 1.0);
        // A range is its midpoint, approximate (and its dash no minus sign).
        for text in ["1200-1300户", "1200—1300户", "一千二百至一千三百户"] {
            assert_eq!(one(text), (1250.0, false, Qualifier::Approx), "{text}");
            assert_eq!(find_numbers(text)[0].unit, "户");
        }
        assert_eq!(one("占30%～35%"), (32.5, true, Qualifier::Approx));
        // Not numbers: 千家万户, 一墙之隔, 统一.
        assert!(find_numbers("千家万户，一墙之隔，统一管理").is_empty());
    }
}
