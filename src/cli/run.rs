//! `greenbook run`: every stage, from page images to Parquet and digests.

use std::path::PathBuf;

use clap::Args;
use greenbook::pipeline::Error;
use greenbook::pipeline::run::{RunRequest, run_all};

use super::flags::{CorrectionsArg, EditionArg, EngineArgs, OutputArg, PublishArgs, ReportArgs};
use super::{Exit, Global};

/// Every stage: OCR → structure → facts → Parquet → PDF digests, then a summary.
#[derive(Args, Debug, Clone)]
#[command(
    after_help = "Examples:\n  greenbook run                          # scans/ → output/\n  greenbook run book2/ -o out2 --jobs 2  # another edition\n  greenbook run --only-district 浦东新区 --date 2026-11-29"
)]
pub struct RunArgs {
    /// Folders (manifest.csv or natural file order) or image files.
    #[arg(default_value = "scans")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputArg,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub publish: PublishArgs,
    #[command(flatten)]
    pub corrections: CorrectionsArg,
    #[command(flatten)]
    pub edition: EditionArg,
}

/// `greenbook run`.
pub fn command(args: RunArgs, global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let req = RunRequest {
        options: args.engine.options(&args.out.dir)?,
        report: args.report.options()?,
        publication: args.publish.publication()?,
        corrections: args.corrections.load(&args.inputs)?,
        inputs: args.inputs,
        out: args.out.dir,
    };
    super::ensure_single_threaded_openmp();
    super::install_interrupt_handler();
    let outcome = run_all(&req, global.reporter().as_ref())?;
    if global.verbose > 0 {
        super::ocr::print_pages(&outcome.ocr.pages);
    }
    eprintln!("{}", outcome.summary());
    Ok(super::pages_exit(
        outcome.ocr.interrupted,
        outcome.ocr.failed(),
    ))
}
