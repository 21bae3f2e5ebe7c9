//! `greenbook stats`: a per-district summary of the Parquet files.

use std::path::PathBuf;

use clap::Args;

use greenbook::pipeline::Error;

use super::{Exit, Global};

/// A per-district summary of the Parquet files.
#[derive(Args, Debug, Clone)]
pub struct StatsArgs {
    /// Folder with the Parquet files (the output folder of `run`).
    #[arg(long, default_value = "output")]
    pub data: PathBuf,
}

/// `greenbook stats`.
pub fn command(args: StatsArgs, _global: Global) -> Result<Exit, Error> {
    let ds = greenbook::dataset::Dataset::read(&args.data).map_err(Error::from)?;
    print!("{}", greenbook::dataset::stats_table(&ds));
    Ok(Exit::Success)
}
