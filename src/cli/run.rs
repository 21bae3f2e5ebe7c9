//! `greenbook run`: every stage, from page images to Parquet and digests.

use clap::Args;
use greenbook::pipeline::Error;
use greenbook::pipeline::run::{RunRequest, run_all};

use super::flags::{FinishArgs, PagesArgs};
use super::{Exit, Global};

/// Every stage: OCR → structure → facts → Parquet → PDF digests, then a summary.
#[derive(Args, Debug, Clone)]
#[command(
    after_help = "Examples:\n  greenbook run                          # scans/ → output/\n  greenbook run book2/ -o out2 --jobs 2  # another edition\n  greenbook run --only-district 浦东新区 --date 2026-11-29"
)]
pub struct RunArgs {
    #[command(flatten)]
    pub pages: PagesArgs,
    #[command(flatten)]
    pub finish: FinishArgs,
}

/// `greenbook run`.
pub fn command(args: RunArgs, global: Global) -> Result<Exit, Error> {
    let finish = args.finish.load(&args.pages.inputs)?;
    let req = RunRequest {
        options: args.pages.engine.options(&args.pages.out.dir)?,
        report: finish.report,
        publication: finish.publication,
        corrections: finish.corrections,
        inputs: args.pages.inputs,
        out: args.pages.out.dir,
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
