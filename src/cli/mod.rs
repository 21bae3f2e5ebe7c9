//! The commands users run, one module each. Each parses its flags into the pipeline's typed requests
//! (each command's [`clap::Args`] lives beside it, the shared groups in [`flags`]), calls the
//! pipeline, prints what it did, and chooses the exit code; [`exit_code`] is the one place that maps
//! an error to a code.

pub mod eval;
pub mod extract;
pub mod flags;
pub mod merge;
pub mod ocr;
pub mod report;
pub mod run;
pub mod stats;
pub mod store;

use std::process::ExitCode;

use greenbook::io::Access;

use greenbook::dataset::StoreError;
use greenbook::io::progress::{Progress, Quiet, Reporter};
use greenbook::ocr::OcrError;
use greenbook::pipeline::Error;
use greenbook::publish::ReportError;

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

/// The exit code of an error (README "Exit codes").
pub fn exit_code(e: &Error) -> Exit {
    {
        match e {
            Error::Usage(_) => Exit::Usage,
            Error::Input(_) | Error::JsonLines(_) | Error::BadInput(_) | Error::Corrections(_) => {
                Exit::InputError
            }
            Error::Ocr(OcrError::Model { .. } | OcrError::Missing { .. }) => {
                Exit::MissingDependency
            }
            Error::File(f)
            | Error::Ocr(OcrError::File(f))
            | Error::Store(StoreError::File(f))
            | Error::Report(ReportError::File(f)) => match f.access {
                Access::Read => Exit::InputError,
                Access::Write => Exit::OutputNotWritable,
            },
            Error::Ocr(OcrError::Engine(_) | OcrError::Pool(_)) => Exit::Failure,
            Error::Ocr(OcrError::Options(_)) => Exit::Usage,
            Error::Store(StoreError::Schema { .. }) => Exit::InputError,
            Error::Store(StoreError::Polars { .. }) => Exit::Failure,
            Error::Report(ReportError::Font { .. } | ReportError::MissingGlyphs { .. }) => {
                Exit::MissingDependency
            }
            Error::Report(ReportError::Render { .. }) => Exit::Failure,
            Error::Report(ReportError::Template { .. }) => Exit::InputError,
            Error::NotWritable { .. } | Error::Busy(_) => Exit::OutputNotWritable,
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
/// is written whole or not at all (see [`greenbook::io::write_atomic`]), so leaving at any point is safe.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if greenbook::ocr::CANCEL.swap(true, std::sync::atomic::Ordering::SeqCst) {
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

/// The exit code of a command that read pages: 130 when interrupted, 3 when some pages failed.
pub fn pages_exit(interrupted: bool, failed: usize) -> Exit {
    if interrupted {
        Exit::Interrupted
    } else if failed > 0 {
        Exit::PartialSuccess
    } else {
        Exit::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use greenbook::io::FileError;
    use std::path::Path;

    /// A file that cannot be read is an input error and one that cannot be written is its own code,
    /// whichever stage met it.
    #[test]
    fn a_file_error_is_4_to_read_and_6_to_write_from_every_stage() {
        let gone = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let read = || FileError::read(Path::new("in.png"))(gone());
        let write = || FileError::write(Path::new("out/x"))(gone());
        for (e, code) in [
            (Error::File(read()), Exit::InputError),
            (Error::Ocr(read().into()), Exit::InputError),
            (Error::Store(read().into()), Exit::InputError),
            (Error::File(write()), Exit::OutputNotWritable),
            (Error::Ocr(write().into()), Exit::OutputNotWritable),
            (Error::Store(write().into()), Exit::OutputNotWritable),
            (Error::Report(write().into()), Exit::OutputNotWritable),
        ] {
            assert_eq!(exit_code(&e), code, "{e}");
        }
        assert_eq!(read().to_string(), "in.png: entity not found");
    }
}
