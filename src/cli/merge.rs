//! `greenbook merge`: the part files of a sharded OCR run put together, then the later stages.

use std::path::PathBuf;

use clap::Args;
use greenbook::pipeline::Error;
use greenbook::pipeline::merge::{MergeRequest, merge};

use super::flags::{FinishArgs, OutputArg};
use super::{Exit, Global};

/// Combine the part files of a sharded OCR run, check every page is there once, then run
/// structure, facts, Parquet and digests over the whole book.
#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The same inputs the shards were given.
    #[arg(default_value = "scans")]
    pub inputs: Vec<PathBuf>,
    /// Where the shards wrote their part files (default: <output>/parts).
    #[arg(long)]
    pub parts_dir: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArg,
    #[command(flatten)]
    pub finish: FinishArgs,
}

/// `greenbook merge`.
pub fn command(args: MergeArgs, global: Global) -> Result<Exit, Error> {
    let finish = args.finish.load(&args.inputs)?;
    let req = MergeRequest {
        parts_dir: args
            .parts_dir
            .clone()
            .unwrap_or_else(|| args.out.dir.join("parts")),
        report: finish.report,
        publication: finish.publication,
        corrections: finish.corrections,
        inputs: args.inputs,
        out: args.out.dir,
    };
    let done = merge(&req, global.reporter().as_ref())?;
    let failed = done.failed();
    eprintln!(
        "merge: {} pages ({failed} failed), {} cases, {} facts, {} digests",
        done.pages.len(),
        done.dataset.cases.len(),
        done.dataset.facts.len(),
        done.digests.len()
    );
    Ok(super::pages_exit(false, failed))
}
