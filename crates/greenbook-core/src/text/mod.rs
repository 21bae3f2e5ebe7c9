//! A shared leaf (imports no other greenbook module): text normalisation, Chinese numerals,
//! segmentation, number formatting.
//!
//! - [`join_words`] / [`fix_spacing`]: no spaces between Han characters, spaces kept between Latin words
//!   and numbers (Tesseract wedges spaces between CJK glyphs).
//! - [`compare_key`] and [`cer`]: the OCR accuracy measure used by `eval-ocr`.

pub mod numerals;
pub mod segment;
use unicode_normalization::UnicodeNormalization;

/// A Han ideograph of the basic CJK Unified block (U+4E00–U+9FFF): a Chinese character, not a mark.
pub fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Han ideographs (CJK unified, extension A, compatibility) and the CJK symbols/full-width forms that
/// sit between them in running Chinese text.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' // CJK symbols and punctuation
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{2014}' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2026}' | '\u{00B7}'
        | '\u{2460}'..='\u{2473}' // ①…⑳
    )
}

/// Escapes text for XML and HTML, in an element or a quoted attribute (`&`, `<`, `>`, `"`, `'`), and
/// drops the control characters XML 1.0 cannot carry. Text from scans goes through it into hOCR, ALTO
/// and the review page.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Text as it may be printed to a terminal or a marker line: control characters (C0, DEL, C1: a
/// terminal's escape sequences, a newline that would forge a line) and the bidirectional overrides
/// that reorder what a reader sees are shown as escapes (`\n`, `\u{1b}`); everything else is kept.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Joins OCR words of one line: a space only where both neighbours are non-CJK (Latin words, numbers).
pub fn join_words<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        push_word(&mut out, w);
    }
    out
}

/// Appends one word (or line) to `out` the way [`join_words`] joins them: a space only between two
/// non-CJK characters. Constant time in the length of `out`.
pub fn push_word(out: &mut String, w: &str) {
    let w = w.trim();
    if w.is_empty() {
        return;
    }
    if let (Some(p), Some(n)) = (out.chars().next_back(), w.chars().next())
        && !is_cjk(p)
        && !is_cjk(n)
    {
        out.push(' ');
    }
    out.push_str(w);
}

/// Removes spaces that have a CJK character on either side; collapses other runs of spaces.
pub fn fix_spacing(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' || c == '\u{3000}' {
            let prev = out.chars().last();
            let next = chars[i + 1..]
                .iter()
                .find(|c| **c != ' ' && **c != '\u{3000}');
            let keep =
                matches!((prev, next), (Some(p), Some(&n)) if !is_cjk(p) && !is_cjk(n) && p != ' ');
            if keep {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// ASCII punctuation that Tesseract emits for full-width marks, restored where a Han character is next
/// to it (the book prints full-width punctuation in Chinese text); and the other way round, a thousands
/// separator read as the full-width comma (5，608户: one to three digits before it, exactly three after).
pub fn restore_fullwidth(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let han = |c: Option<&char>| c.is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(c));
    let digits = |from: usize, step: isize| {
        (1..=4)
            .take_while(|k| {
                from.checked_add_signed(step * k)
                    .and_then(|j| chars.get(j))
                    .is_some_and(char::is_ascii_digit)
            })
            .count()
    };
    let marks: Vec<char> = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let prev = if i > 0 { chars.get(i - 1) } else { None };
            let next = chars.get(i + 1);
            let near_han = han(prev) || han(next);
            match c {
                ',' | '，' if (1..=3).contains(&digits(i, -1)) && digits(i, 1) == 3 => ',',
                ',' if near_han => '，',
                ';' if near_han => '；',
                ':' if near_han => '：',
                '?' if near_han => '？',
                '!' if near_han => '！',
                '(' if han(next) || han(prev) => '（',
                ')' if han(prev) || han(next) => '）',
                c => c,
            }
        })
        .collect();
    // A pair read half one way, half the other (`(2）`, or `(1)` before Chinese, whose closing half
    // was restored above): the full-width half decides.
    marks
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            '(' if marks[i + 1..]
                .iter()
                .take(8)
                .find(|c| matches!(c, ')' | '）'))
                == Some(&'）') =>
            {
                '（'
            }
            ')' if marks[..i]
                .iter()
                .rev()
                .take(8)
                .find(|c| matches!(c, '(' | '（'))
                == Some(&'（') =>
            {
                '）'
            }
            c => c,
        })
        .collect()
}

/// Repairs glyph confusions Tesseract's chi_sim makes in printed Chinese: "一一" for the dash "——"
/// (when not next to a numeral or 年), angle brackets 〈〉 for full-width parentheses （）.
pub fn repair_ocr(line: &str) -> String {
    // A folio is a line of its own of two to four digits; one of them read as a round letter (a
    // speck on 064 made Q64) is 0.
    let folio: Vec<char> = line.trim().chars().collect();
    let digits = folio.iter().filter(|c| c.is_ascii_digit()).count();
    if (2..=4).contains(&folio.len())
        && digits + 1 == folio.len()
        && folio.iter().any(|c| matches!(c, 'O' | 'o' | 'Q' | 'D'))
    {
        return line.replace(['O', 'o', 'Q', 'D'], "0");
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Inside a numeral (二〇一一年, 十一一) the two 一 are digits, not a dash.
        let numeral = |k: Option<&char>| {
            k.is_some_and(|c| {
                c.is_ascii_digit() || (*c != '一' && numerals::is_cn_numeral(*c)) || *c == '年'
            })
        };
        // A dash half read as a hyphen: -— or —-.
        if matches!((c, chars.get(i + 1)), ('-', Some('—')) | ('—', Some('-'))) {
            out.push_str("——");
            i += 2;
            continue;
        }
        if c == '一'
            && chars.get(i + 1) == Some(&'一')
            && !numeral(i.checked_sub(1).and_then(|k| chars.get(k)))
            && !numeral(chars.get(i + 2))
        {
            out.push_str("——");
            i += 2;
            continue;
        }
        out.push(match c {
            '〈' => '（',
            '〉' => '）',
            c => c,
        });
        i += 1;
    }
    out
}

/// The comparison form used for CER: NFKC (so full-width and ASCII forms compare equal), no whitespace.
pub fn compare_key(s: &str) -> Vec<char> {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Character edit distance and the truth length, on [`compare_key`] forms.
pub fn edit_counts(truth: &str, hyp: &str) -> (usize, usize) {
    let t = compare_key(truth);
    let h = compare_key(hyp);
    (levenshtein(&t, &h), t.len())
}

/// Character error rate: Levenshtein distance / truth length, both in [`compare_key`] form.
pub fn cer(truth: &str, hyp: &str) -> f64 {
    let (d, n) = edit_counts(truth, hyp);
    if n == 0 {
        if d == 0 { 0.0 } else { 1.0 }
    } else {
        d as f64 / n as f64
    }
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + usize::from(ca != cb));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The form the structure reader and the numeral parser work on: full-width digits, Latin letters, ％
/// and ． become ASCII, one character for one (so char offsets into the normalised text are offsets
/// into the original); Chinese punctuation (。，、“”（）) stays. Unlike NFKC it never expands a character
/// (㎡, ½), which would shift every offset after it.
pub fn normalize(s: &str) -> String {
    s.chars().map(normalize_char).collect()
}

/// One character of [`normalize`].
pub fn normalize_char(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '．' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        c => c,
    }
}

/// The strings an enum travels as at the Parquet, JSON and CSV edges, from one table: defines
/// `ALL` (in declaration order), `as_str` and `parse` (the inverse of `as_str`).
#[macro_export]
macro_rules! edge_strings {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}
pub use edge_strings;

/// A number for tools (tab-separated output): integers without decimals, others with one; no
/// grouping.
pub fn fmt_plain(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A number for people, by the one rule every output follows: integers without decimals, others
/// with one; the integer part grouped by thousands with a comma from 1,000 up (GB/T 15835-2011's
/// 千分撇, and the workbook's `#,##0`). Years are not quantities and never pass through here
/// (see `Field::show`).
pub fn fmt_num(v: f64) -> String {
    let text = fmt_plain(v);
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_one_rule() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(999.0), "999");
        assert_eq!(fmt_num(1000.0), "1,000");
        assert_eq!(fmt_num(23625.0), "23,625");
        assert_eq!(fmt_num(1234567.0), "1,234,567");
        assert_eq!(fmt_num(35.55), "35.5");
        assert_eq!(fmt_num(12345.26), "12,345.3");
        assert_eq!(fmt_num(-4321.0), "-4,321");
        assert_eq!(fmt_num(-2.5), "-2.5");
    }

    #[test]
    fn scan_text_is_escaped_for_xml_and_html() {
        assert_eq!(
            escape_xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }

    #[test]
    fn no_space_between_han_but_between_latin() {
        assert_eq!(
            join_words(["绿化", "率", "达", "48.5%", "。"]),
            "绿化率达48.5%。"
        );
        assert_eq!(join_words(["ISBN", "978-7", "上海"]), "ISBN 978-7上海");
        assert_eq!(
            fix_spacing("社 区 概 况 ISBN  978 号"),
            "社区概况ISBN 978号"
        );
    }

    #[test]
    fn dash_and_parentheses_repaired() {
        assert_eq!(repair_ocr("一一浦东新区〈东、西〉"), "——浦东新区（东、西）");
        assert_eq!(repair_ocr("第一一"), "第——");
        // Digits of a numeral stay digits.
        assert_eq!(repair_ocr("建成于二〇一一年"), "建成于二〇一一年");
        assert_eq!(repair_ocr("共3一一户"), "共3一一户");
        assert_eq!(repair_ocr("一一二年"), "一一二年");
        assert_eq!(repair_ocr("Q64"), "064");
        assert_eq!(repair_ocr("样板-—浦东新区"), "样板——浦东新区");
        assert_eq!(repair_ocr("样板—-浦东"), "样板——浦东");
        assert_eq!(repair_ocr("2023-2024"), "2023-2024");
        assert_eq!(repair_ocr("1O"), "10");
        assert_eq!(repair_ocr("Q2"), "02");
        assert_eq!(repair_ocr("QQ4"), "QQ4");
        assert_eq!(repair_ocr("共Q64户"), "共Q64户");
    }

    #[test]
    fn fullwidth_restored_next_to_han() {
        assert_eq!(
            restore_fullwidth("星级(三星级)河道,赵家沟"),
            "星级（三星级）河道，赵家沟"
        );
        assert_eq!(restore_fullwidth("(1) a,b"), "(1) a,b");
        // A pair read half-width on one side only takes the full-width form on both.
        assert_eq!(restore_fullwidth("(2）绿化养护"), "（2）绿化养护");
        assert_eq!(restore_fullwidth("(1)坚持党建"), "（1）坚持党建");
        assert_eq!(restore_fullwidth("（3)绿化养护"), "（3）绿化养护");
        assert_eq!(restore_fullwidth("(4) and (5)"), "(4) and (5)");
        // A thousands separator read as the full-width comma; a clause comma between figures stays.
        assert_eq!(
            restore_fullwidth("共约5，608户，1，234，567人"),
            "共约5,608户，1,234,567人"
        );
        for kept in [
            "建于2008，608户",
            "占40%，308户",
            "共5，60户",
            "共5，6080户",
        ] {
            assert_eq!(restore_fullwidth(kept), kept);
        }
    }

    #[test]
    fn normalize_is_one_char_for_one() {
        let s = "共有１，２２４户，绿化率３５．５％，面积５㎡（ＡＢ）";
        let n = normalize(s);
        assert_eq!(n, "共有1，224户，绿化率35.5%，面积5㎡（AB）");
        assert_eq!(n.chars().count(), s.chars().count());
        assert_eq!(fmt_num(35.25), "35.2");
    }

    #[test]
    fn cer_is_whitespace_and_width_insensitive() {
        assert_eq!(cer("（图1）。", "(图 1)。"), 0.0);
        assert!((cer("abcd", "abxd") - 0.25).abs() < 1e-9);
    }
}
