//! Numbers in Arabic digits as OCR gives them: look-alike letters, spaces and specks inside a figure,
//! thousands groups and doubled decimal points.

/// Reads an Arabic number at `i` (digits with OCR repairs: O/o→0, l/I→1 next to digits; "3 901" and
/// "2,300" thousands groups). Returns (value, end index).
pub(super) fn arabic_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let d = Digits(chars);
    d.fix(i)?;
    let mut s = String::new();
    let mut k = i;
    while let Some(c) = d.fix(k) {
        s.push(c);
        k += 1;
    }
    d.spaced_digits(&mut s, &mut k)?;
    d.spaced_count(&mut s, &mut k);
    d.thousands(&mut s, &mut k)?;
    d.decimals(&mut s, &mut k);
    s.parse::<f64>().ok().map(|v| (v, k))
}

/// A text's characters, read as digits.
struct Digits<'a>(&'a [char]);

impl Digits<'_> {
    fn is_digit(&self, k: usize) -> bool {
        self.0.get(k).is_some_and(|c| c.is_ascii_digit())
    }

    /// The digit at `k`, with the letters OCR reads for 0 and 1 beside a digit.
    fn fix(&self, k: usize) -> Option<char> {
        let c = *self.0.get(k)?;
        let beside_digit = self.is_digit(k.wrapping_sub(1)) || self.is_digit(k + 1);
        match c {
            '0'..='9' => Some(c),
            'O' | 'o' if beside_digit => Some('0'),
            'l' | 'I' | '|' if beside_digit => Some('1'),
            _ => None,
        }
    }

    /// The unit of a count right after a figure.
    fn unit(&self, j: usize) -> bool {
        matches!(self.0.get(j), Some('人' | '户' | '名'))
    }

    /// Full-width digits come out of OCR one by one with spaces between ("２５２８" → "2 5 2 8"):
    /// single digits separated by single spaces, at least three of them, are one number.
    fn spaced_digits(&self, s: &mut String, k: &mut usize) -> Option<()> {
        let (chars, fix) = (self.0, |k| self.fix(k));
        if s.len() == 1
            && chars.get(*k) == Some(&' ')
            && fix(*k + 1).is_some()
            && fix(*k + 2).is_none()
        {
            let mut t = s.clone();
            let mut j = *k;
            while chars.get(j) == Some(&' ') && fix(j + 1).is_some() && fix(j + 2).is_none() {
                t.push(fix(j + 1)?);
                j += 2;
            }
            if t.len() >= 3 {
                *s = t;
                *k = j;
            }
        }
        Some(())
    }

    /// Stray spaces inside a count, as OCR leaves them in spaced type: groups of digits separated by
    /// single spaces and running into a count's unit are one figure when either
    /// - two groups, two or three digits then one or two, run straight into 人/户/名 ("702 5人"), or
    /// - groups of one to three digits make four to six digits in all and run into the unit or into
    ///   余/多 and the unit ("1 3 97户", "11 35 6余人": PP-OCR on Ming pages, fresh sets seeds 16 and
    ///   18).
    ///
    /// Fewer digits stay apart ("楼栋2 3户"); a space before three digits is a thousands group
    /// ([`Digits::thousands`]), and one before the unit itself ("856 户") is not inside. A speck OCR
    /// read between two digits (568·5户: PP-OCR on full-width digits, fresh set Ming seed 25) splits a
    /// count the same way.
    fn spaced_count(&self, s: &mut String, k: &mut usize) {
        let gap = |j: usize| matches!(self.0.get(j), Some(' ' | '·'));
        if !(s.len() <= 3 && gap(*k)) {
            return;
        }
        let (mut t, mut j, mut groups) = (s.clone(), *k, vec![s.len()]);
        while gap(j) && self.fix(j + 1).is_some() {
            let mut n = j + 1;
            while let Some(c) = self.fix(n) {
                t.push(c);
                n += 1;
            }
            groups.push(n - (j + 1));
            j = n;
        }
        let split = matches!(groups[..], [2..=3, 1..=2]) && self.unit(j);
        let spread = groups.iter().all(|&g| g <= 3)
            && (4..=6).contains(&t.len())
            && (self.unit(j) || (matches!(self.0.get(j), Some('余' | '多')) && self.unit(j + 1)));
        if split || spread {
            *s = t;
            *k = j;
        }
    }

    /// Thousands groups: separator followed by exactly three digits. In a count (the unit 人, 户 or
    /// 名 right after the group, or after 余 or 多) a dot is a separator too, or a speck OCR read
    /// inside the figure (5·987户): a count has no decimals.
    fn thousands(&self, s: &mut String, k: &mut usize) -> Option<()> {
        loop {
            let sep = self.0.get(*k).copied();
            let count_dot = matches!(sep, Some('.' | '·'))
                && (self.unit(*k + 4)
                    || (matches!(self.0.get(*k + 4), Some('余' | '多')) && self.unit(*k + 5)));
            if (matches!(sep, Some(',') | Some(' ') | Some('，')) || count_dot)
                && (1..=3).all(|d| self.fix(*k + d).is_some())
                && self.fix(*k + 4).is_none()
            {
                if sep == Some('，') && s.len() > 3 {
                    break;
                }
                for d in 1..=3 {
                    s.push(self.fix(*k + d)?);
                }
                *k += 4;
            } else {
                break;
            }
        }
        Some(())
    }

    /// The decimals, after a point OCR may have doubled ("35..2%", PP-OCR on a Ming page, fresh set
    /// seed 22): one point.
    fn decimals(&self, s: &mut String, k: &mut usize) {
        let point = match (self.0.get(*k), self.0.get(*k + 1)) {
            (Some('.'), Some('.')) if self.fix(*k + 2).is_some() => Some(2),
            (Some('.'), _) if self.fix(*k + 1).is_some() => Some(1),
            _ => None,
        };
        if let Some(width) = point {
            s.push('.');
            *k += width;
            while let Some(c) = self.fix(*k) {
                s.push(c);
                *k += 1;
            }
        }
    }
}
