//! `greenbook report`: the PDF digests from the Parquet files.

use std::path::PathBuf;

use clap::Args;

use super::flags::ReportArgs;
use super::{Error, Exit, Global};

/// PDF digests (one per district and a city overview) from the Parquet files.
#[derive(Args, Debug, Clone)]
pub struct ReportCmdArgs {
    #[command(flatten)]
    pub out: super::flags::OutputArg,
    /// Folder with the Parquet files (default: <output>).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub edition: super::flags::EditionArg,
}

/// `greenbook report`.
pub fn command(args: ReportCmdArgs, global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let data = args.data.clone().unwrap_or_else(|| args.out.dir.clone());
    let ds = crate::store::Dataset::read(&data)?;
    let options = args.report.options()?;
    let held = super::hold(&args.out.dir)?;
    let written = crate::report::write_all(
        &ds,
        &args.out.dir.join("digests"),
        &options,
        global.reporter().as_ref(),
    )?;
    let workbook = args.out.dir.join("greenbook.xlsx");
    crate::report::workbook::write_workbook(&workbook, &ds, options.date)?;
    held.close(false)?;
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
