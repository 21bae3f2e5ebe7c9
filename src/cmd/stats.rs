//! `greenbook stats`: a per-district summary of the Parquet files.

use std::path::PathBuf;

use clap::Args;

use super::{Error, Exit, Global};

/// A per-district summary of the Parquet files.
#[derive(Args, Debug, Clone)]
pub struct StatsArgs {
    /// Folder with the Parquet files (the output folder of `run`).
    #[arg(long, default_value = "output")]
    pub data: PathBuf,
}

/// `greenbook stats`.
pub fn command(args: StatsArgs, _global: Global) -> Result<Exit, Error> {
    let ds = crate::store::Dataset::read(&args.data)?;
    print!("{}", crate::store::stats_table(&ds));
    Ok(Exit::Success)
}
