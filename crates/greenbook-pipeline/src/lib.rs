//! The stages run in order, for the commands and for anyone using greenbook as a library: the whole
//! run ([`run::run_all`]), the OCR stage alone or as one shard ([`ocr_stage`]), the shards put back together
//! ([`merge`]), and the later stages from files ([`store`], [`report`]). Nothing here parses flags,
//! prints a summary or chooses an exit code: that is the command line's job.

// The stages and the shared leaves, by the names the code uses (`crate::ocr`, …).
use greenbook_book as book;
use greenbook_core::{io, text};
use greenbook_dataset as dataset;
use greenbook_extract as extract;
use greenbook_input as input;
use greenbook_ocr as ocr;
use greenbook_publish as publish;

pub mod extract_text;
pub mod merge;
pub mod ocr_stage;
pub mod report;
pub mod run;
pub mod store;

use std::path::{Path, PathBuf};

use crate::dataset::StoreError;
use crate::input::InputError;
use crate::io::FileError;
use crate::io::JsonLinesError;
use crate::ocr::OcrError;
use crate::publish::ReportError;

/// Why a command failed. Each stage's error is kept whole, with its source.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    JsonLines(#[from] JsonLinesError),
    #[error(transparent)]
    Corrections(#[from] crate::dataset::corrections::CorrectionError),
    /// Flags that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// Input that is there but not usable as a whole (merge finds pages missing, no truth files).
    #[error("{0}")]
    BadInput(String),
    /// An input that cannot be read, or an output that cannot be written.
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: output folder not writable: {source}")]
    NotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the output folder.
    #[error(transparent)]
    Busy(#[from] crate::io::outputs::LockError),
    #[error("{0}")]
    Internal(String),
}

/// An output folder held by one command: created, checked to be writable, locked against a second
/// run, and with a [`Ledger`](crate::io::outputs::Ledger) of what is written in it.
pub struct Held {
    _lock: crate::io::outputs::Lock,
    ledger: crate::io::outputs::Ledger,
}

/// Takes `dir` for a command that writes in it (see [`Held`]).
pub fn hold(dir: &Path) -> Result<Held, Error> {
    writable(dir)?;
    let lock = crate::io::outputs::Lock::take(dir)?;
    let ledger = crate::io::outputs::Ledger::open(dir).map_err(|source| Error::NotWritable {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(Held {
        _lock: lock,
        ledger,
    })
}

impl Held {
    /// Writes `run.json`; with `prune` (a whole run) removes what the previous run wrote and this one
    /// did not, and says what it left because someone changed it.
    pub fn close(self, prune: bool) -> Result<(), Error> {
        let pruned = self.ledger.close(prune)?;
        if !pruned.kept.is_empty() {
            eprintln!(
                "greenbook: {} file(s) an earlier run wrote were changed since and are left as they are: {}",
                pruned.kept.len(),
                crate::text::printable(&pruned.kept.join(", "))
            );
        }
        Ok(())
    }
}

/// Refuses an output folder that is one of the input folders (its outputs would be read as pages
/// by the next run); one inside an input folder is allowed, and its files are not taken as pages.
pub fn check_out_not_input(out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let Ok(o) = out.canonicalize() else {
        return Ok(());
    };
    for i in inputs {
        if i.canonicalize().is_ok_and(|i| i == o) {
            return Err(Error::Usage(format!(
                "-o {}: the output folder is the input folder {}; choose another (e.g. -o output)",
                out.display(),
                i.display()
            )));
        }
    }
    Ok(())
}

/// Creates `dir` and checks a file can be written in it.
pub fn writable(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .and_then(|_| {
            let probe = dir.join(format!(".greenbook-write-test.{}", crate::io::unique()));
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(&probe)
        })
        .map_err(|source| Error::NotWritable {
            path: dir.to_path_buf(),
            source,
        })
}
