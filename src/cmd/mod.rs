//! The commands users run, one module each, over the stages. `main` parses the flags (each command's
//! [`clap::Args`] lives beside it, the shared groups in [`flags`]) and turns the [`Error`] a command
//! returns into an exit code with [`Error::exit`], the one place that maps errors to codes.

pub mod eval;
pub mod extract;
pub mod flags;
pub mod merge;
pub mod ocr;
pub mod report;
pub mod run;
pub mod stats;
pub mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::input::InputError;
use crate::io::JsonLinesError;
use crate::io::progress::{Progress, Quiet, Reporter};
use crate::ocr::OcrError;
use crate::report::ReportError;
use crate::store::StoreError;

/// Documented exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Usage = 2,
    PartialSuccess = 3,
    InputError = 4,
    MissingDependency = 5,
    OutputNotWritable = 6,
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

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
    Corrections(#[from] crate::store::corrections::CorrectionError),
    /// Flags that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// Input that is there but not usable as a whole (merge finds pages missing, no truth files).
    #[error("{0}")]
    BadInput(String),
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: output folder not writable: {source}")]
    NotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Write {
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

impl Error {
    /// The exit code of this error (README "Exit codes").
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::Input(_)
            | Error::JsonLines(_)
            | Error::BadInput(_)
            | Error::Read { .. }
            | Error::Corrections(_) => Exit::InputError,
            Error::Ocr(OcrError::Model { .. } | OcrError::Missing { .. }) => {
                Exit::MissingDependency
            }
            Error::Ocr(OcrError::Read { .. }) => Exit::InputError,
            Error::Ocr(OcrError::Write { .. }) => Exit::OutputNotWritable,
            Error::Ocr(OcrError::Engine(_) | OcrError::Pool(_)) => Exit::Failure,
            Error::Store(StoreError::Read { .. } | StoreError::Schema { .. }) => Exit::InputError,
            Error::Store(StoreError::Write { .. }) => Exit::OutputNotWritable,
            Error::Store(StoreError::Polars { .. }) => Exit::Failure,
            Error::Report(ReportError::Font { .. } | ReportError::MissingGlyphs { .. }) => {
                Exit::MissingDependency
            }
            Error::Report(ReportError::Io { .. }) => Exit::OutputNotWritable,
            Error::Report(ReportError::Render { .. }) => Exit::Failure,
            Error::NotWritable { .. } | Error::Write { .. } | Error::Busy(_) => {
                Exit::OutputNotWritable
            }
            Error::Internal(_) => Exit::Failure,
        }
    }
}

/// Options every command has.
#[derive(Debug, Clone, Copy, Default)]
pub struct Global {
    /// No progress output.
    pub quiet: bool,
    /// One line per page after OCR.
    pub verbose: u8,
}

impl Global {
    /// The progress reporter: none with `--quiet`.
    pub fn reporter(&self) -> Box<dyn Progress> {
        if self.quiet {
            Box::new(Quiet)
        } else {
            Box::new(Reporter::new())
        }
    }
}

/// Tesseract's OpenMP threads make parallel workers several times slower, and `OMP_THREAD_LIMIT` only
/// takes effect if it is in the environment when the process starts. So a command that will run
/// Tesseract re-executes itself once with the variable set. Returns only if no re-exec was needed or
/// possible.
pub fn ensure_single_threaded_openmp() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec();
    eprintln!(
        "greenbook: warning: could not re-execute with OMP_THREAD_LIMIT=1 ({err}); continuing"
    );
}

/// How long the pages in progress may take to finish after a Ctrl-C or SIGTERM.
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Ctrl-C (SIGINT/SIGTERM): the first asks the workers to stop after their current page (finished
/// pages stay in the cache, outputs are left as they were) and the command exits with 130 — at the
/// latest after [`GRACE`], whatever a worker is waiting on; a second one exits at once. Every output
/// is written whole or not at all (see [`crate::io::write_atomic`]), so leaving at any point is safe.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if crate::ocr::CANCEL.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted as i32);
        }
        eprintln!(
            "\ngreenbook: interrupted; finishing the pages in progress for up to {} s (Ctrl-C again to quit now)",
            GRACE.as_secs()
        );
        let _ = std::thread::Builder::new().name("grace".into()).spawn(|| {
            std::thread::sleep(GRACE);
            eprintln!("greenbook: interrupted; pages still in progress are left unread");
            std::process::exit(Exit::Interrupted as i32);
        });
    });
}

/// An output folder held by one command: created, checked to be writable, locked against a second
/// run, and with a [`Ledger`](crate::io::outputs::Ledger) of what is written in it.
pub struct Held {
    _lock: crate::io::outputs::Lock,
    ledger: crate::io::outputs::Ledger,
    dir: PathBuf,
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
        dir: dir.to_path_buf(),
    })
}

impl Held {
    /// Writes `run.json`; with `prune` (a whole run) removes what the previous run wrote and this one
    /// did not, and says what it left because someone changed it.
    pub fn close(self, prune: bool) -> Result<(), Error> {
        let pruned = self.ledger.close(prune).map_err(|source| Error::Write {
            path: self.dir.join(crate::io::outputs::RUN_MANIFEST),
            source,
        })?;
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
