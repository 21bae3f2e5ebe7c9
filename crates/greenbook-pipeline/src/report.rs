//! The digests and the workbook from the Parquet files.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::io::progress::Progress;
use crate::publish::{ReportOptions, Written};

/// The Parquet files in `data` → the digests in `out`/digests and `out`/greenbook.xlsx. Returns the
/// digests and the workbook's path.
pub fn report(
    data: &Path,
    out: &Path,
    options: &ReportOptions,
    progress: &dyn Progress,
) -> Result<(Vec<Written>, PathBuf), Error> {
    let ds = crate::dataset::Dataset::read(data)?;
    let held = crate::hold(out)?;
    let written = crate::publish::write_all(&ds, &out.join("digests"), options, progress)?;
    let workbook = out.join("greenbook.xlsx");
    crate::publish::workbook::write_workbook(&workbook, &ds, options.date)?;
    held.close(false)?;
    Ok((written, workbook))
}
