//! `greenbook store`: structure, facts and the Parquet files from the OCR stage's pages.

use std::path::PathBuf;

use clap::Args;
use greenbook::pipeline::Error;

use super::flags::{EditionArg, OutputArg};
use super::{Exit, Global};

/// Structure, facts and Parquet files from the OCR stage's pages.jsonl.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    #[command(flatten)]
    pub out: OutputArg,
    /// The OCR stage's pages (default: <output>/pages.jsonl).
    #[arg(long)]
    pub pages: Option<PathBuf>,
    #[command(flatten)]
    pub edition: EditionArg,
}

/// `greenbook store`.
pub fn command(args: StoreArgs, _global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let pages = args
        .pages
        .unwrap_or_else(|| args.out.dir.join("pages.jsonl"));
    let ds = greenbook::pipeline::store::store(&pages, &args.out.dir)?;
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
