//! `greenbook report`: the PDF digests from the Parquet files.

use std::path::PathBuf;

use clap::Args;

use greenbook::pipeline::Error;

use super::flags::{EditionArg, OutputArg, ReportArgs};
use super::{Exit, Global};

/// PDF digests (one per district and a city overview) from the Parquet files.
#[derive(Args, Debug, Clone)]
pub struct ReportCmdArgs {
    #[command(flatten)]
    pub out: OutputArg,
    /// Folder with the Parquet files (default: <output>).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub edition: EditionArg,
}

/// `greenbook report`.
pub fn command(args: ReportCmdArgs, global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let data = args.data.clone().unwrap_or_else(|| args.out.dir.clone());
    let (written, workbook) = greenbook::pipeline::report::report(
        &data,
        &args.out.dir,
        &args.report.options()?,
        global.reporter().as_ref(),
    )?;
    eprintln!("{}", workbook.display());
    for w in &written {
        eprintln!(
            "{} ({} pages, {} KB)",
            w.path.display(),
            w.pages,
            w.bytes / 1024
        );
    }
    Ok(Exit::Success)
}
