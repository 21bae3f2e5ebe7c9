//! The OCR engines, each a folder, and the registry that lists them.
//!
//! As OCRmyPDF's engine plugins do, an engine states what it is (its name, the languages it reads,
//! whether it finds a page's orientation and levels a tilted page itself), adds its own flags to the
//! commands that read pages and checks them, and builds the engine the page loop runs. Adding an
//! engine is a folder here with an [`EngineSpec`], and its line in [`ENGINES`]: the flags, `--help`,
//! the choice of `--engine` and the library all come from this table.

#[cfg(feature = "fake-engine")]
pub mod fake;
pub mod hybrid;
pub mod ppocr;
pub mod tesseract;

use std::sync::Arc;

use clap::{Arg, ArgMatches, Command};

use crate::io::progress::Progress;
use crate::{Backend, OcrError, OcrOptions, PageOcr, PageSource};
use tesseract::TesseractConfig;

/// Every engine `--engine` can name, in the order `--help` lists them.
#[cfg(not(feature = "fake-engine"))]
pub static ENGINES: &[&dyn EngineSpec] = &[&tesseract::Spec, &hybrid::Spec, &ppocr::Spec];
/// Every engine `--engine` can name, and the tests' `fake`.
#[cfg(feature = "fake-engine")]
pub static ENGINES: &[&dyn EngineSpec] =
    &[&tesseract::Spec, &hybrid::Spec, &ppocr::Spec, &fake::Spec];

/// The engine used when none is named: by the command line and by [`OcrOptions::new`] alike.
pub const DEFAULT: &str = "ppocr";

/// What an engine states about itself; `--help` on a command that reads pages shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    /// Its name, as `--engine` takes it.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// The languages it reads.
    pub languages: &'static str,
    /// Whether it finds a page turned by 90°, 180° or 270° (otherwise pages are read as they are).
    pub orientation: bool,
    /// Whether it reads a tilted page's lines along their tilt (otherwise the page is levelled first).
    pub deskew: bool,
}

impl About {
    /// The engine in a few lines: its name and what it does, then what it reads and handles.
    pub fn describe(&self) -> String {
        let yes = |b: bool| if b { "yes" } else { "no" };
        format!(
            "{}: {}\n  languages: {}\n  finds a page's orientation: {}\n  reads tilted lines as they lie: {}",
            self.name,
            self.about,
            self.languages,
            yes(self.orientation),
            yes(self.deskew)
        )
    }
}

/// What an engine is, and how it is set up from its flags.
pub trait EngineSpec: Sync {
    /// What it states about itself.
    fn about(&self) -> &'static About;
    /// Its name, as `--engine` takes it.
    fn name(&self) -> &'static str {
        self.about().name
    }
    /// Adds its own flags to `cmd`. Engines may share a flag: [`add_once`] adds it once.
    fn add_options(&self, cmd: Command) -> Command;
    /// Checks its flags and builds the engine: finds its models, or says what to install. Layout
    /// analysis and orientation detection come from Tesseract's settings `tesseract`.
    fn check_options(
        &self,
        flags: &ArgMatches,
        tesseract: &TesseractConfig,
    ) -> Result<Arc<dyn Configured>, OcrError>;
}

/// An engine with its flags checked and its models found: what the page loop runs. Every
/// [`Backend`] that names its engine is one.
pub trait Configured: Send + Sync + std::fmt::Debug {
    /// The engine it is.
    fn spec(&self) -> &'static dyn EngineSpec;
    /// Reads every page in parallel, in page order (through [`crate::run_with`]).
    fn run(
        &self,
        pages: &[PageSource],
        opts: &OcrOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<PageOcr>, OcrError>;
}

/// A [`Backend`] that knows which registered engine it builds.
pub trait Registered: Backend + Send + Sync + std::fmt::Debug {
    /// The engine it builds.
    fn spec(&self) -> &'static dyn EngineSpec;
}

impl<B: Registered> Configured for B {
    fn spec(&self) -> &'static dyn EngineSpec {
        Registered::spec(self)
    }
    fn run(
        &self,
        pages: &[PageSource],
        opts: &OcrOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<PageOcr>, OcrError> {
        crate::run_with(self, pages, opts, progress)
    }
}

/// `arg` added to `cmd` unless an engine added it already.
pub fn add_once(cmd: Command, arg: Arg) -> Command {
    if cmd.get_arguments().any(|a| a.get_id() == arg.get_id()) {
        cmd
    } else {
        cmd.arg(arg)
    }
}

/// `--engine` and every engine's flags, added to `cmd`.
pub fn add_options(cmd: Command) -> Command {
    let names: Vec<&'static str> = ENGINES.iter().map(|e| e.name()).collect();
    let help = ENGINES
        .iter()
        .map(|e| format!("{} ({})", e.name(), e.about().about))
        .collect::<Vec<_>>()
        .join("; ");
    let cmd = cmd.arg(
        Arg::new("engine")
            .long("engine")
            .value_name("ENGINE")
            .value_parser(clap::builder::PossibleValuesParser::new(names))
            .default_value(DEFAULT)
            .help(format!("OCR engine: {help}"))
            .long_help(format!(
                "OCR engine (default {DEFAULT}). Each states what it reads and handles:\n\n{}",
                ENGINES
                    .iter()
                    .map(|e| e.about().describe())
                    .collect::<Vec<_>>()
                    .join("\n\n")
            )),
    );
    ENGINES.iter().fold(cmd, |cmd, e| e.add_options(cmd))
}

/// The flags only `spec` adds (of those any engine adds).
fn own_flags(spec: &dyn EngineSpec) -> Vec<String> {
    let own = spec.add_options(Command::new("engine"));
    own.get_arguments()
        .map(|a| a.get_id().to_string())
        .collect()
}

/// The engine `--engine` names, set up from its flags. A flag of another engine given on the command
/// line is refused, naming the engines it belongs to.
pub fn configure(
    flags: &ArgMatches,
    tesseract: &TesseractConfig,
) -> Result<Arc<dyn Configured>, OcrError> {
    let name = flags
        .get_one::<String>("engine")
        .map_or(DEFAULT, String::as_str);
    let spec =
        find(name).ok_or_else(|| OcrError::Options(format!("--engine {name}: no such engine")))?;
    let mine = own_flags(spec);
    for other in ENGINES.iter().filter(|e| e.name() != name) {
        for id in own_flags(*other) {
            let given = flags.value_source(&id) == Some(clap::parser::ValueSource::CommandLine);
            if given && !mine.contains(&id) {
                let owners: Vec<&str> = ENGINES
                    .iter()
                    .filter(|e| own_flags(**e).contains(&id))
                    .map(|e| e.name())
                    .collect();
                return Err(OcrError::Options(format!(
                    "--{id} is a flag of --engine {}, not of --engine {name}",
                    owners.join(" or ")
                )));
            }
        }
    }
    spec.check_options(flags, tesseract)
}

/// The engine an argument list names, for library use: `["--engine", "tesseract"]`, or `[]` for
/// the default.
pub fn from_args(
    args: &[&str],
    tesseract: &TesseractConfig,
) -> Result<Arc<dyn Configured>, OcrError> {
    let cmd = add_options(Command::new("engine").no_binary_name(true));
    let flags = cmd
        .try_get_matches_from(args)
        .map_err(|e| OcrError::Options(e.to_string()))?;
    configure(&flags, tesseract)
}

/// The engine called `name`.
pub fn find(name: &str) -> Option<&'static dyn EngineSpec> {
    ENGINES.iter().copied().find(|e| e.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_is_listed_once_with_its_flags_and_the_default_is_one_of_them() {
        let mut names: Vec<&str> = ENGINES.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENGINES.len());
        assert!(find(DEFAULT).is_some());
        // The flags of all engines go in one command without clashing (clap panics on a duplicate).
        let cmd = add_options(Command::new("t"));
        for id in ["engine", "layout", "recognition", "models", "onnxruntime"] {
            assert!(cmd.get_arguments().any(|a| a.get_id() == id), "{id}");
        }
        assert!(own_flags(find("ppocr").unwrap()).contains(&"layout".to_string()));
        assert!(own_flags(find("tesseract").unwrap()).is_empty());
    }

    #[test]
    fn a_flag_of_another_engine_is_refused_by_name() {
        let tess = TesseractConfig {
            tessdata: "/nonexistent".into(),
            lang: "chi_sim".into(),
            psm: 4,
            scale: 0.6,
        };
        let err = from_args(&["--engine", "tesseract", "--layout", "tesseract"], &tess)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--layout is a flag of --engine ppocr, not of --engine tesseract"),
            "{err}"
        );
        let err = from_args(&["--engine", "nope"], &tess)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope"), "{err}");
        // Tesseract needs nothing beyond its settings, so it is set up here without a model.
        let t = from_args(&["--engine", "tesseract"], &tess).unwrap();
        assert_eq!(t.spec().name(), "tesseract");
    }
}
