//! Reviewers' corrections (`corrections.csv`, documented in `docs/corrections.md`): read, checked
//! line by line, and applied to the dataset after extraction, so they survive every re-run, cache hit,
//! `--force` and sharded run. A correction that names a case or field that does not exist, a value
//! that is not a number, or a file that is not UTF-8 CSV is an error naming the line — never dropped.

use std::path::{Path, PathBuf};

use super::{Dataset, FactRow, Source};
use crate::extract::{Field, Figure, Measure};
use crate::text::numerals::Qualifier;

/// The header a corrections file starts with.
pub const COLUMNS: [&str; 6] = ["case", "field", "value", "note", "reviewer", "date"];

/// What a correction changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Fact(Field),
    Community,
}

impl Target {
    pub fn parse(s: &str) -> Option<Target> {
        if s == "community" {
            Some(Target::Community)
        } else {
            Field::parse(s).map(Target::Fact)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Fact(f) => f.name(),
            Target::Community => "community",
        }
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    pub case_id: String,
    pub target: Target,
    /// The number for a fact, the name for `community`.
    pub value: Value,
    pub note: Option<String>,
    pub reviewer: Option<String>,
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Name(String),
}

#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {reason}")]
    Line {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// A cell as a spreadsheet exported it: a leading `'` that protected a formula-like text is removed.
fn cell(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// A cell as written for a spreadsheet: text that starts like a formula (`=`, `+`, `-`, `@`, tab or
/// carriage return) is prefixed with `'`, so Excel and LibreOffice show it as text.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A figure as a reviewer types it: digits with grouping commas or spaces, a decimal point, an
/// optional % (shares); full-width digits are accepted.
fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            c => c,
        })
        .filter(|c| !matches!(c, ',' | ' ' | '，' | '%' | '％'))
        .collect();
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The largest corrections file read (a line per corrected figure: far beyond any book).
pub const MAX_BYTES: u64 = 10_000_000;
/// The longest note a correction may carry (characters).
pub const MAX_NOTE: usize = 2_000;
/// The longest reviewer's name (characters).
pub const MAX_REVIEWER: usize = 100;

/// Reads and checks `path`. The whole file is checked before anything is applied.
pub fn read(path: &Path) -> Result<Vec<Correction>, CorrectionError> {
    let line_err = |line: usize, reason: String| CorrectionError::Line {
        path: path.into(),
        line,
        reason,
    };
    let bytes = read_bytes(path)?;
    let (mut reader, header) =
        crate::io::open_csv(&bytes, false).map_err(|(l, why)| line_err(l, why))?;
    if header != COLUMNS {
        return Err(line_err(
            1,
            format!(
                "the header is {:?}; expected {} (see docs/corrections.md)",
                header.join(","),
                COLUMNS.join(",")
            ),
        ));
    }
    let mut out: Vec<Correction> = Vec::new();
    let mut first_line: std::collections::HashMap<(String, &'static str), usize> =
        Default::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            line_err(line, format!("not CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |i: usize| cell(record.get(i).unwrap_or(""));
        let opt = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let case_id = get(0);
        if case_id.is_empty() {
            return Err(line_err(line, "no case id".into()));
        }
        let field = get(1);
        let target = Target::parse(&field).ok_or_else(|| {
            line_err(
                line,
                format!(
                    "unknown field '{field}' (expected community or one of {})",
                    crate::extract::FIELDS.map(|s| s.name).join(", ")
                ),
            )
        })?;
        let value = checked_value(target, get(2)).map_err(|why| line_err(line, why))?;
        if let Some(prev) = first_line.insert((case_id.clone(), target.name()), line) {
            return Err(line_err(
                line,
                format!(
                    "{} {} is corrected twice (line {prev} too): keep one",
                    crate::text::printable(&case_id),
                    target.name(),
                ),
            ));
        }
        for (what, col, max) in [("note", 3, MAX_NOTE), ("reviewer", 4, MAX_REVIEWER)] {
            let n = get(col).chars().count();
            if n > max {
                let why = format!("the {what} has {n} characters, more than {max}: shorten it");
                return Err(line_err(line, why));
            }
        }
        out.push(Correction {
            line,
            case_id,
            target,
            value,
            note: opt(3),
            reviewer: opt(4),
            date: opt(5),
        });
    }
    Ok(out)
}

/// The file's bytes, refused unread when it is larger than [`MAX_BYTES`].
fn read_bytes(path: &Path) -> Result<Vec<u8>, CorrectionError> {
    crate::io::read_bounded(path, MAX_BYTES).map_err(|e| CorrectionError::Read {
        path: path.into(),
        source: match e {
            crate::io::BoundedRead::Io(source) => source,
            crate::io::BoundedRead::TooLarge(size) => std::io::Error::other(format!(
                "{size} bytes, more than a corrections file may have ({MAX_BYTES})"
            )),
        },
    })
}

/// The corrected value `raw` for `target`, checked: a name that is not empty, or a number of the
/// fact's kind (a whole count, a year, a percentage from 0 to 100).
fn checked_value(target: Target, raw: String) -> Result<Value, String> {
    let f = match target {
        Target::Community if raw.is_empty() => return Err("an empty community name".into()),
        Target::Community => return Ok(Value::Name(raw)),
        Target::Fact(f) => f,
    };
    let v = parse_number(&raw)
        .ok_or_else(|| format!("'{raw}' is not a number for {} ({})", f.name(), f.unit()))?;
    let ok = match f.measure() {
        Measure::Count => v >= 0.0 && v.fract() == 0.0,
        Measure::Year => v.fract() == 0.0 && (1000.0..=2100.0).contains(&v),
        Measure::Percent => (0.0..=100.0).contains(&v),
    };
    if !ok {
        let want = match f.measure() {
            Measure::Count => "a whole number",
            Measure::Year => "a year",
            Measure::Percent => "a percentage from 0 to 100",
        };
        return Err(format!("'{raw}' is not {want} for {}", f.name()));
    }
    Ok(Value::Number(v))
}

/// The fact a reviewer adds where OCR found none: no page, sentence or OCR value.
fn added_fact(c: &Correction, field: Field, value: f64) -> FactRow {
    FactRow {
        source: Source::Corrected,
        note: c.note.clone(),
        reviewer: c.reviewer.clone(),
        reviewed_on: c.date.clone(),
        ..FactRow::new(Figure::new(c.case_id.clone(), field, value), "corrected")
    }
}

/// Applies `corrections` (read from `path`) to `ds`: the value replaces the OCR value everywhere —
/// `cases`, and `facts` with the OCR value kept in `ocr_value` and `source = corrected`; a fact the
/// OCR did not find is added. Every correction is checked against the dataset first: a case that is
/// not in it is an error naming the line, and nothing is changed.
pub fn apply(
    ds: &mut Dataset,
    corrections: &[Correction],
    path: &Path,
) -> Result<(), CorrectionError> {
    for c in corrections {
        if !ds.cases.iter().any(|r| r.case_id == c.case_id) {
            let known: Vec<&str> = ds.cases.iter().map(|r| r.case_id.as_str()).collect();
            return Err(CorrectionError::Line {
                path: path.into(),
                line: c.line,
                reason: format!(
                    "no case '{}' in this run (cases: {})",
                    c.case_id,
                    known.join(", ")
                ),
            });
        }
    }
    for c in corrections {
        let Some(case) = ds.cases.iter_mut().find(|r| r.case_id == c.case_id) else {
            continue;
        };
        case.corrected.push(c.target);
        match (&c.value, c.target) {
            (Value::Name(name), Target::Community) => {
                case.community_fix = Some(crate::NameFix {
                    ocr: case.community.replace(name.clone()),
                    note: c.note.clone(),
                    reviewer: c.reviewer.clone(),
                    reviewed_on: c.date.clone(),
                });
            }
            (Value::Number(v), Target::Fact(field)) => {
                case.values.set(field, Some(*v));
                let value = field.normalise(*v);
                match ds
                    .facts
                    .iter_mut()
                    .find(|f| f.figure.case_id == c.case_id && f.figure.field == field)
                {
                    Some(f) => {
                        f.ocr_value = Some(f.figure.value);
                        f.figure.value = value;
                        f.figure.qualifier = Qualifier::Exact;
                        f.source = Source::Corrected;
                        f.note = c.note.clone();
                        f.reviewer = c.reviewer.clone();
                        f.reviewed_on = c.date.clone();
                    }
                    None => ds.facts.push(added_fact(c, field, value)),
                }
            }
            _ => {}
        }
    }
    // Facts stay in case order, then field order.
    let order: Vec<String> = ds.cases.iter().map(|c| c.case_id.clone()).collect();
    ds.facts.sort_by_key(|f| {
        (
            order.iter().position(|c| *c == f.figure.case_id),
            f.figure.field as usize,
        )
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &[u8]) -> Result<Vec<Correction>, CorrectionError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("corrections.csv");
        std::fs::write(&p, s).unwrap();
        read(&p)
    }

    #[test]
    fn a_file_from_excel_reads() {
        let got = read_str(
            "\u{feff}case,field,value,note,reviewer,date\nc008,households,\"1,224\",\"checked, p.8\",王,2026-12-01\nc002,community,'=东力,,,\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].value, Value::Number(1224.0));
        assert_eq!(got[0].note.as_deref(), Some("checked, p.8"));
        assert_eq!(got[0].line, 2);
        assert_eq!(got[1].value, Value::Name("=东力".into()));
    }

    #[test]
    fn bad_lines_are_named() {
        let msg = |s: &[u8]| read_str(s).unwrap_err().to_string();
        let head = "case,field,value,note,reviewer,date\n";
        assert!(
            msg(format!("{head}c008,households,12x4,,,\n").as_bytes())
                .contains("line 2: '12x4' is not a number")
        );
        assert!(
            msg(format!("{head}c008,households,12.5,,,\n").as_bytes()).contains("whole number")
        );
        assert!(msg(format!("{head}c008,green_rate,120,,,\n").as_bytes()).contains("percentage"));
        assert!(
            msg(format!("{head}c008,colour,1,,,\n").as_bytes()).contains("unknown field 'colour'")
        );
        assert!(
            msg(format!("{head}c008,households,1,,,\nc008,households,2,,,\n").as_bytes())
                .contains("line 3: c008 households is corrected twice (line 2 too)")
        );
        assert!(
            msg(b"case,field,value,note,reviewer,date\nc008,community,\xb6\xab\xc1\xa6,,,\n")
                .contains("line 2: not UTF-8")
        );
        assert!(msg(b"case;field;value\n").contains("line 1: the header"));
    }

    #[test]
    fn formula_like_cells_are_neutralised_and_read_back() {
        for s in ["=1+1", "+86", "-3", "@SUM(A1)"] {
            assert_eq!(neutralise(s), format!("'{s}"));
            assert_eq!(cell(&neutralise(s)), s);
        }
        assert_eq!(neutralise("东力"), "东力");
    }
}
