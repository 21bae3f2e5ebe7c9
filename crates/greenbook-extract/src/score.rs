//! The cases as `extract --jsonl` prints them, and their score against gold cases.

use serde::Serialize;

use crate::{CaseFacts, Field};

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
