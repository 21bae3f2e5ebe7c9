//! `greenbook store`: structure, facts and the Parquet files from the OCR stage's pages.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Error, Exit, Global};
use crate::book::PageText;
use crate::ocr::PageOcr;
use crate::store::Dataset;

/// Structure, facts and Parquet files from the OCR stage's pages.jsonl.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    #[command(flatten)]
    pub out: super::flags::OutputArg,
    /// The OCR stage's pages (default: <output>/pages.jsonl).
    #[arg(long)]
    pub pages: Option<PathBuf>,
    #[command(flatten)]
    pub edition: super::flags::EditionArg,
}

/// `greenbook store`.
pub fn command(args: StoreArgs, _global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let pages_path = args
        .pages
        .unwrap_or_else(|| args.out.dir.join("pages.jsonl"));
    let pages = super::ocr::read_pages_json(&pages_path)?;
    let held = super::hold(&args.out.dir)?;
    let ds = build_dataset(&pages);
    ds.write(&args.out.dir, &source_of(&pages))?;
    held.close(false)?;
    eprintln!(
        "store: {} pages, {} contents entries, {} cases, {} facts → {}",
        ds.pages.len(),
        ds.contents.len(),
        ds.cases.len(),
        ds.facts.len(),
        args.out.dir.display()
    );
    Ok(Exit::Success)
}

/// Page texts for the structure stage from OCR results (failed pages keep their place, empty: a
/// duplicate or foreign-language page has text, but it is not used).
pub fn page_texts(pages: &[PageOcr]) -> Vec<PageText> {
    pages
        .iter()
        .map(|p| PageText {
            label: p.label.clone(),
            source: p.file.clone(),
            text: if p.error.is_some() {
                String::new()
            } else {
                p.text.clone()
            },
            conf: p.mean_conf,
            words: if p.error.is_some() {
                Vec::new()
            } else {
                p.words.iter().map(|w| (w.text.clone(), w.conf)).collect()
            },
            alternates: p.alternates.clone(),
        })
        .collect()
}

/// Structure → extraction → rows, from OCR results.
pub fn build_dataset(pages: &[PageOcr]) -> Dataset {
    let texts = page_texts(pages);
    let (book, facts) = super::extract::extract_pages(&texts);
    Dataset::build(pages, &book, &facts)
}

/// The `greenbook.source` metadata: the folders the page images came from, in page order.
pub fn source_of(pages: &[PageOcr]) -> String {
    let mut dirs: Vec<String> = Vec::new();
    for p in pages {
        let d = Path::new(&p.file)
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.join(" ")
}
