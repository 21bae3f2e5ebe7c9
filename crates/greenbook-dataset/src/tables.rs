//! The columns of the four files, one table per row type ([`crate::columns`]), in each file's order.

use crate::columns::{Col, Row, Ty, col, field, str_list};
use crate::extract::{FIELDS, Field, Figure, Measure, Scope};
use crate::input::PageKind;
use crate::ocr::{PageError, PageErrorKind};
use crate::text::numerals::Qualifier;
use crate::{CaseRow, ContentsRow, FactRow, NameFix, PageRow, Source};

impl Row for PageRow {
    fn empty() -> Self {
        PageRow::default()
    }

    fn columns() -> Vec<Col<Self>> {
        vec![
            Col::new(
                "page_index",
                Ty::U32,
                |n, rows: &[PageRow]| col(n, rows.iter().map(|r| r.index).collect::<Vec<_>>()),
                |t, n, i, r| {
                    r.index = t.u32(n, i)?.unwrap_or(i as u32);
                    Ok(())
                },
            ),
            field!("label", reading.label),
            field!("file", reading.file),
            field!("frame", reading.frame),
            field!("sha256", reading.sha256),
            Col::new(
                "kind",
                Ty::Str,
                |n, rows: &[PageRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.reading.kind.map(PageKind::as_str))
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.reading.kind = t.parsed(n, i, PageKind::parse)?;
                    Ok(())
                },
            ),
            field!("district", district),
            field!("case_id", case_id),
            field!("text", reading.text),
            field!("mean_conf", reading.mean_conf),
            field!("words", words),
            field!("rotation", reading.rotation),
            field!("text_height_px", reading.text_height_px),
            field!("ocr_scale", reading.ocr_scale),
            field!("skew_deg", reading.skew_deg),
            field!("deskew_deg", reading.deskew_deg),
            field!("spread_side", spread_side),
            field!("photo_corners", photo_corners),
            field!("capture_note", reading.capture_note),
            field!("ocr_ms", reading.millis),
            field!("engine", reading.engine),
            Col::new(
                "error",
                Ty::Str,
                |n, rows: &[PageRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.reading.error.as_ref().map(|e| e.message.as_str()))
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.reading.error = t
                        .string(n, i)?
                        .map(|message| PageError::new(PageErrorKind::Unreadable, message));
                    Ok(())
                },
            ),
            // Read only for a page with an error; a kind it does not know is a schema error.
            Col::new(
                "error_kind",
                Ty::Str,
                |n, rows: &[PageRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.reading.error.as_ref().map(|e| e.kind.as_str()))
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    if let Some(e) = r.reading.error.as_mut() {
                        e.kind = t
                            .parsed(n, i, PageErrorKind::parse)?
                            .unwrap_or(PageErrorKind::Unreadable);
                    }
                    Ok(())
                },
            ),
        ]
    }
}

impl Row for ContentsRow {
    fn empty() -> Self {
        ContentsRow::default()
    }

    fn columns() -> Vec<Col<Self>> {
        vec![
            field!("chapter", chapter),
            field!("district", district),
            field!("printed_page", printed_page),
            field!("title", title),
            field!("case_id", case_id),
        ]
    }
}

/// A text column of the cases' name corrections (null where there is none, or the part is empty).
fn name_fix(
    name: &'static str,
    part: fn(&NameFix) -> &Option<String>,
    set: fn(&mut NameFix, Option<String>),
) -> Col<CaseRow> {
    Col::new(
        name,
        Ty::Str,
        move |n, rows: &[CaseRow]| {
            col(
                n,
                rows.iter()
                    .map(|r| r.community_fix.as_ref().and_then(|f| part(f).as_deref()))
                    .collect::<Vec<_>>(),
            )
        },
        move |t, n, i, r| {
            set(
                r.community_fix.get_or_insert_with(NameFix::default),
                t.string(n, i)?,
            );
            Ok(())
        },
    )
}

/// A case's value of the field `FIELDS[k]`, typed by its measure.
fn fact_value(k: usize) -> Col<CaseRow> {
    let spec = &FIELDS[k];
    let ty = match spec.measure {
        Measure::Count => Ty::I64,
        Measure::Year => Ty::I32,
        Measure::Percent => Ty::F64,
    };
    Col::new(
        spec.name,
        ty,
        move |n, rows: &[CaseRow]| {
            let spec = &FIELDS[k];
            let values = rows.iter().map(|r| r.values.get(spec.field));
            match spec.measure {
                Measure::Count => col(n, values.map(|v| v.map(|v| v as i64)).collect::<Vec<_>>()),
                Measure::Year => col(n, values.map(|v| v.map(|v| v as i32)).collect::<Vec<_>>()),
                Measure::Percent => col(n, values.collect::<Vec<_>>()),
            }
        },
        move |t, n, i, r| {
            let spec = &FIELDS[k];
            let v = match spec.measure {
                Measure::Count => t.i64(n, i)?.map(|x| x as f64),
                Measure::Year => t.i32(n, i)?.map(f64::from),
                Measure::Percent => t.f64(n, i)?,
            };
            r.values.set(spec.field, v);
            Ok(())
        },
    )
}

impl Row for CaseRow {
    fn empty() -> Self {
        CaseRow::default()
    }

    fn columns() -> Vec<Col<Self>> {
        let mut columns: Vec<Col<CaseRow>> = vec![
            field!("case_id", case_id),
            field!("district", district),
            field!("town", town),
            field!("community", community),
            field!("community_agreement", community_agreement),
            field!("refused", refused),
            field!("community_alternatives", community_alternatives),
            field!("title", title),
            field!("printed_page", printed_page),
            field!("first_page", first_page),
            field!("last_page", last_page),
            Col::new(
                "corrected",
                Ty::StrList,
                |n, rows: &[CaseRow]| {
                    str_list(n, rows, |r| r.corrected.iter().map(|t| t.name()).collect())
                },
                |t, n, i, r| {
                    r.corrected = t.targets(n, i)?;
                    Ok(())
                },
            ),
            name_fix("community_ocr", |f| &f.ocr, |f, v| f.ocr = v),
            name_fix("community_note", |f| &f.note, |f, v| f.note = v),
            name_fix("community_reviewer", |f| &f.reviewer, |f, v| f.reviewer = v),
            name_fix(
                "community_reviewed_on",
                |f| &f.reviewed_on,
                |f, v| f.reviewed_on = v,
            ),
        ];
        columns.extend((0..FIELDS.len()).map(fact_value));
        columns
    }

    fn finish(&mut self) {
        if self.community_fix == Some(NameFix::default()) {
            self.community_fix = None;
        }
    }
}

/// A text column where an empty string (a corrected fact with no OCR provenance) is null.
fn non_empty(
    name: &'static str,
    get: fn(&FactRow) -> &String,
    set: fn(&mut FactRow, String),
) -> Col<FactRow> {
    Col::new(
        name,
        Ty::Str,
        move |n, rows: &[FactRow]| {
            col(
                n,
                rows.iter()
                    .map(|r| Some(get(r).as_str()).filter(|s| !s.is_empty()))
                    .collect::<Vec<_>>(),
            )
        },
        move |t, n, i, r| {
            set(r, t.string(n, i)?.unwrap_or_default());
            Ok(())
        },
    )
}

impl Row for FactRow {
    /// Its field, qualifier and source are read from columns that may not be null.
    fn empty() -> Self {
        FactRow::new(Figure::new(String::new(), Field::Households, f64::NAN), "")
    }

    fn columns() -> Vec<Col<Self>> {
        vec![
            field!("case_id", figure.case_id),
            Col::new(
                "field",
                Ty::Str,
                |n, rows: &[FactRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.figure.field.name())
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.figure.field = t.required(n, i, Field::parse)?;
                    Ok(())
                },
            ),
            Col::new(
                "value",
                Ty::F64,
                |n, rows: &[FactRow]| {
                    col(n, rows.iter().map(|r| r.figure.value).collect::<Vec<_>>())
                },
                |t, n, i, r| {
                    r.figure.value = t.f64(n, i)?.unwrap_or(f64::NAN);
                    Ok(())
                },
            ),
            // Derived from the field: written for readers, not read back.
            Col::new(
                "unit",
                Ty::Str,
                |n, rows: &[FactRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.figure.field.unit())
                            .collect::<Vec<_>>(),
                    )
                },
                |_, _, _, _| Ok(()),
            ),
            Col::new(
                "qualifier",
                Ty::Str,
                |n, rows: &[FactRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.figure.qualifier.as_str())
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.figure.qualifier = t.required(n, i, Qualifier::parse)?;
                    Ok(())
                },
            ),
            non_empty("page", |r| &r.figure.page, |r, v| r.figure.page = v),
            non_empty(
                "sentence",
                |r| &r.figure.sentence,
                |r, v| r.figure.sentence = v,
            ),
            field!("span_start", figure.span.0),
            field!("span_end", figure.span.1),
            field!("rule", rule),
            field!("page_conf", figure.page_conf),
            Col::new(
                "scope",
                Ty::Str,
                |n, rows: &[FactRow]| {
                    col(
                        n,
                        rows.iter()
                            .map(|r| r.figure.scope.column())
                            .collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.figure.scope = Scope::from_column(t.string(n, i)?.as_deref());
                    Ok(())
                },
            ),
            field!("ocr_conf", figure.ocr_conf),
            field!("confidence", figure.confidence),
            Col::new(
                "flags",
                Ty::StrList,
                |n, rows: &[FactRow]| {
                    str_list(n, rows, |r| {
                        r.figure.flags.iter().map(|x| x.as_str()).collect()
                    })
                },
                |t, n, i, r| {
                    r.figure.flags = t.flags(n, i)?;
                    Ok(())
                },
            ),
            field!("why", why),
            field!("refused", refused),
            field!("ocr_value", ocr_value),
            Col::new(
                "source",
                Ty::Str,
                |n, rows: &[FactRow]| {
                    col(
                        n,
                        rows.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
                    )
                },
                |t, n, i, r| {
                    r.source = t.required(n, i, Source::parse)?;
                    Ok(())
                },
            ),
            field!("note", note),
            field!("reviewer", reviewer),
            field!("reviewed_on", reviewed_on),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The columns `docs/schema.md` lists under each file's heading, with their types.
    fn documented() -> BTreeMap<String, BTreeMap<String, String>> {
        let doc = include_str!("../../../docs/schema.md");
        let mut files: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut current = None;
        for line in doc.lines() {
            if let Some(h) = line.strip_prefix("## `") {
                current = h.split('`').next().map(str::to_string);
                continue;
            }
            let (Some(file), Some(row)) = (&current, line.strip_prefix("| `")) else {
                continue;
            };
            let cells: Vec<&str> = row.split(" | ").collect();
            if cells.len() < 2 {
                continue;
            }
            for name in cells[0].split(", ") {
                let name = name.trim_matches(|c| c == '`' || c == ' ');
                files
                    .entry(file.clone())
                    .or_default()
                    .insert(name.to_string(), cells[1].trim().to_string());
            }
        }
        files
    }

    fn table<R: Row>() -> BTreeMap<String, String> {
        R::columns()
            .iter()
            .map(|c| (c.name.to_string(), c.ty.name().to_string()))
            .collect()
    }

    #[test]
    fn the_schema_doc_lists_every_column_with_its_type() {
        let doc = documented();
        for (file, columns) in [
            ("pages.parquet", table::<PageRow>()),
            ("contents.parquet", table::<ContentsRow>()),
            ("cases.parquet", table::<CaseRow>()),
            ("facts.parquet", table::<FactRow>()),
        ] {
            assert_eq!(
                doc.get(file),
                Some(&columns),
                "{file}: docs/schema.md and the column table differ"
            );
        }
        let title = include_str!("../../../docs/schema.md")
            .lines()
            .next()
            .unwrap_or("");
        assert!(
            title.contains(&format!("schema version {})", crate::SCHEMA_VERSION)),
            "docs/schema.md's title: {title}"
        );
    }
}
