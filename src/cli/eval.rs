//! `greenbook eval-ocr` and `greenbook eval-extract`: accuracy against ground truth.

use std::path::{Path, PathBuf};

use clap::Args;

use greenbook::extract::FieldScore;
use greenbook::pipeline::Error;
use greenbook::pipeline::{extract_text, ocr_stage, store};

use super::{Exit, Global};

/// Precision, recall and F1 per field against a gold JSONL file (same keys as `extract --jsonl`).
#[derive(Args, Debug, Clone)]
pub struct EvalExtractArgs {
    #[arg(long)]
    pub gold: PathBuf,
    /// Predicted JSONL; or give --text or --pages to extract now.
    #[arg(long, conflicts_with_all = ["text", "pages"])]
    pub predicted: Option<PathBuf>,
    /// Text files or folders of .txt pages.
    #[arg(long, num_args = 1.., conflicts_with = "pages")]
    pub text: Vec<PathBuf>,
    /// The OCR stage's pages.jsonl: word confidences and `hybrid`'s second readings count, as in `run`.
    #[arg(long)]
    pub pages: Option<PathBuf>,
}

/// Character error rate of OCR text files against ground truth (whitespace-insensitive, NFKC).
#[derive(Args, Debug, Clone)]
pub struct EvalOcrArgs {
    #[arg(long, default_value = "scans/truth")]
    pub truth: PathBuf,
    #[arg(long, default_value = "output/text")]
    pub text: PathBuf,
}

/// `greenbook eval-extract`.
pub fn extract_command(args: EvalExtractArgs, _global: Global) -> Result<Exit, Error> {
    let gold: Vec<serde_json::Value> = greenbook::io::read_json_lines(&args.gold)?;
    let pages = match (&args.predicted, &args.pages) {
        (Some(_), _) => Vec::new(),
        (None, Some(p)) => store::page_texts(&ocr_stage::read_pages_json(p)?),
        (None, None) => extract_text::read_text_pages(&args.text)?.0,
    };
    let predicted = match args.predicted {
        Some(p) => greenbook::io::read_json_lines(&p)?,
        None => extract_text::extract_pages(&pages)
            .1
            .iter()
            .map(greenbook::extract::jsonl_record)
            .collect(),
    };
    eval_extract(&predicted, &gold);
    Ok(Exit::Success)
}

/// `greenbook eval-ocr`.
pub fn ocr_command(args: EvalOcrArgs, _global: Global) -> Result<Exit, Error> {
    eval_ocr(&args.truth, &args.text)?;
    Ok(Exit::Success)
}

/// Prints per-page CER and the total; returns the overall CER.
pub fn eval_ocr(truth: &Path, text: &Path) -> Result<f64, Error> {
    let scores = greenbook::ocr::evaluate(truth, text)?;
    if scores.is_empty() {
        return Err(Error::BadInput(format!(
            "{}: no truth files (*.txt)",
            truth.display()
        )));
    }
    println!("{:<8} {:>7} {:>6} {:>7}", "page", "chars", "edits", "CER%");
    let (mut e, mut n) = (0, 0);
    for s in &scores {
        let cer = 100.0 * s.edits as f64 / s.truth_chars.max(1) as f64;
        println!(
            "{:<8} {:>7} {:>6} {:>7.2}",
            s.label, s.truth_chars, s.edits, cer
        );
        e += s.edits;
        n += s.truth_chars;
    }
    let total = e as f64 / n.max(1) as f64;
    println!("{:<8} {:>7} {:>6} {:>7.2}", "all", n, e, 100.0 * total);
    Ok(total)
}

/// Prints precision, recall and F1 per field; returns the scores.
pub fn eval_extract(
    predicted: &[serde_json::Value],
    gold: &[serde_json::Value],
) -> Vec<FieldScore> {
    let scores = greenbook::extract::score(predicted, gold);
    println!(
        "{:<14} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
        "field", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    for s in &scores {
        println!(
            "{:<14} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
            s.field.name(),
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    let (found, exact) = greenbook::extract::names_exact(predicted, gold);
    println!(
        "cases: {} in the gold, {found} found, {exact} with the community name exact",
        gold.len()
    );
    scores
}
