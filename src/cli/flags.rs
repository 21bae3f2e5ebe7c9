//! Flag groups several commands share, and the parsers of flag values.

use greenbook::publish::archive::iiif::Publication;
use std::path::{Path, PathBuf};

use clap::Args;

use greenbook::ocr::OcrOptions;
use greenbook::pipeline::Error;
use greenbook::pipeline::run::Corrections;
use greenbook::publish::{Date, ReportOptions};

/// The output folder: the same for every stage command, each reading what the stage before it wrote
/// there and writing its own files.
#[derive(Args, Debug, Clone)]
pub struct OutputArg {
    /// Output folder, as for `run`: pages.jsonl, cache/, parts/, text/, the Parquet files and
    /// digests/ (each command reads and writes its own).
    #[arg(
        long = "output",
        short = 'o',
        value_name = "DIR",
        visible_alias = "out",
        default_value = "output"
    )]
    pub dir: PathBuf,
}

/// How the OCR stage runs: the page loop's flags here, each engine's own from the engine registry.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    #[command(flatten)]
    pub engine: EngineFlags,
    /// Worker threads (one engine each); default: number of cores.
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Tesseract language(s), e.g. chi_sim or chi_sim+eng: the `tesseract` engine's, and the layout
    /// analysis and orientation detection every engine uses.
    #[arg(long, default_value = "chi_sim")]
    pub lang: String,
    /// Folder with <lang>.traineddata (default: $TESSDATA_PREFIX, then Debian's path).
    #[arg(long)]
    pub tessdata: Option<PathBuf>,
    /// Redo pages that are already in the cache.
    #[arg(long)]
    pub force: bool,
    /// Cache folder for OCR results (default: <output>/cache).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// `--engine` and every engine's own flags, as the registry ([`greenbook::ocr::engines`]) adds them;
/// the engine checks its flags when the options are made.
#[derive(Debug, Clone)]
pub struct EngineFlags(clap::ArgMatches);

impl clap::FromArgMatches for EngineFlags {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Ok(EngineFlags(m.clone()))
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0 = m.clone();
        Ok(())
    }
}

impl Args for EngineFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        greenbook::ocr::engines::add_options(cmd)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        greenbook::ocr::engines::add_options(cmd)
    }
}

impl EngineArgs {
    /// The OCR stage's options, with the cache under `out` unless given.
    pub fn options(&self, out: &Path) -> Result<OcrOptions, Error> {
        let mut o = OcrOptions::from_flags(self.tessdata.as_deref(), &self.lang, &self.engine.0)?;
        if let Some(j) = self.jobs {
            if j == 0 {
                return Err(Error::Usage("--jobs must be at least 1".into()));
            }
            o.jobs = j;
        }
        o.force = self.force;
        o.cache_dir =
            (!self.no_cache).then(|| self.cache_dir.clone().unwrap_or_else(|| out.join("cache")));
        Ok(o)
    }
}

/// How the digests are made.
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Date printed on the digests' covers and set in book.pdf (YYYY-MM-DD); default:
    /// SOURCE_DATE_EPOCH when set (reproducible output), else today.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Only this district's digest (plus the city overview), e.g. 浦东新区.
    #[arg(long)]
    pub only_district: Option<String>,
    /// Folder with GreenbookSansSC-Regular.ttf and -Bold.ttf (default: the fonts built in).
    #[arg(long)]
    pub font_dir: Option<PathBuf>,
    /// Folder with the digest template digest.typ, to change the digests' layout (default: the
    /// template built in; copy templates/ to start).
    #[arg(long)]
    pub template_dir: Option<PathBuf>,
}

impl ReportArgs {
    /// The digests' options; the date resolved by [`run_date`].
    pub fn options(&self) -> Result<ReportOptions, Error> {
        Ok(ReportOptions {
            date: Some(run_date(self.date)?),
            only_district: self.only_district.clone(),
            font_dir: self.font_dir.clone(),
            template_dir: self.template_dir.clone(),
        })
    }
}

/// The date the outputs carry: `--date`, else `SOURCE_DATE_EPOCH` (seconds since 1970, the
/// reproducible-builds convention), else today (UTC).
pub fn run_date(given: Option<Date>) -> Result<Date, Error> {
    if let Some(d) = given {
        return Ok(d);
    }
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            Error::Usage(format!(
                "SOURCE_DATE_EPOCH={v}: expected seconds since 1970-01-01 (e.g. 1764547200)"
            ))
        })?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    Ok(ymd_from_days(secs.div_euclid(86_400)))
}

/// The calendar date `days` after 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days).
fn ymd_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // Days since 1970 as an i64 of seconds / 86 400 stay within u16 years for any clock in use.
    Date {
        year: y as u16,
        month: m as u8,
        day: d as u8,
    }
}

/// A calendar date as YYYY-MM-DD: the month 1–12 and the day within that month (leap years counted).
pub fn parse_date(s: &str) -> Result<Date, String> {
    let bad = || format!("{s}: expected a date as YYYY-MM-DD, e.g. 2026-11-29");
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u16, String> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) {
        return Err(format!("{s}: there is no month {m}"));
    }
    Date::new(y, m as u8, d as u8).ok_or_else(|| format!("{s}: month {m} of {y} has no day {d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_are_calendar_dates() {
        assert_eq!(ymd_from_days(0).to_string(), "1970-01-01");
        assert_eq!(
            ymd_from_days(1_764_547_200 / 86_400).to_string(),
            "2025-12-01"
        );
        assert_eq!(ymd_from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(ymd_from_days(20_789).to_string(), "2026-12-02");
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        for ok in ["2026-11-29", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert_eq!(parse_date(ok).map(|d| d.to_string()), Ok(ok.to_string()));
        }
        for bad in [
            "2026-13-45",
            "2026-00-10",
            "2026-11-31",
            "2026-02-29",
            "1900-02-29",
            "2026-11-00",
            "29.11.2026",
            "2026-1-9",
            "２０２６-11-29",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
    }
}

/// The edition file: what is specific to the printed book (docs/edition.md).
#[derive(Args, Debug, Clone, Default)]
pub struct EditionArg {
    /// The edition file: the book's title, editors, districts, chapter and section headings
    /// (docs/edition.md). Default: the built-in 新时代绿色社区创建 上海案例精选.
    #[arg(long, value_name = "FILE")]
    pub edition: Option<PathBuf>,
}

impl EditionArg {
    /// Reads and checks the file given, and makes it the edition for the rest of the command (a bad
    /// file is an input error naming it, before anything is read or written).
    pub fn load(&self) -> Result<(), Error> {
        match &self.edition {
            Some(path) => {
                greenbook::edition::use_file(path).map_err(|e| Error::BadInput(format!("{e:#}")))
            }
            None => Ok(()),
        }
    }
}

/// Where and under which terms the volume is published: the IIIF manifest and METS.
#[derive(Args, Debug, Clone)]
pub struct PublishArgs {
    /// The URL the output folder will be published under, e.g. https://lib.example.org/greenbook/:
    /// the IIIF manifest and METS give every link under it. Default: links relative to the files,
    /// so the output folder works from any local web server.
    #[arg(long, value_name = "URL")]
    pub iiif_base: Option<String>,
    /// The volume's rights, a Creative Commons or RightsStatements.org URI (IIIF `rights`, MODS
    /// accessCondition), e.g. http://rightsstatements.org/vocab/InC/1.0/.
    #[arg(long, value_name = "URI")]
    pub rights: Option<String>,
    /// The statement a viewer must show with the volume (IIIF `requiredStatement`), e.g. the
    /// holding library's name.
    #[arg(long, value_name = "TEXT")]
    pub attribution: Option<String>,
}

impl PublishArgs {
    /// The checked publication settings.
    pub fn publication(&self) -> Result<Publication, Error> {
        Publication::new(
            self.iiif_base.as_deref(),
            self.rights.as_deref(),
            self.attribution.as_deref(),
        )
        .map_err(Error::Usage)
    }
}

/// Reviewers' corrections applied after extraction.
#[derive(Args, Debug, Clone)]
pub struct CorrectionsArg {
    /// A corrections CSV (case,field,value,note,reviewer,date; docs/corrections.md). Default: the
    /// corrections.csv beside the scans, when there is one.
    #[arg(long)]
    pub corrections: Option<PathBuf>,
}

impl CorrectionsArg {
    /// Reads the file given, else `corrections.csv` in the first input folder (see
    /// [`Corrections::load`]).
    pub fn load(&self, inputs: &[PathBuf]) -> Result<Option<Corrections>, Error> {
        Corrections::load(self.corrections.as_deref(), inputs)
    }
}

/// What `run` and `merge` share: the stages after OCR (digests, publication, corrections) and the
/// edition they read the book by.
#[derive(Args, Debug, Clone)]
pub struct FinishArgs {
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub publish: PublishArgs,
    #[command(flatten)]
    pub corrections: CorrectionsArg,
    #[command(flatten)]
    pub edition: EditionArg,
}

/// [`FinishArgs`], checked and read.
pub struct Finish {
    pub report: ReportOptions,
    pub publication: Publication,
    pub corrections: Option<Corrections>,
}

impl FinishArgs {
    /// Loads the edition, then checks the report and publication flags and reads the corrections
    /// (see [`CorrectionsArg::load`]).
    pub fn load(&self, inputs: &[PathBuf]) -> Result<Finish, Error> {
        self.edition.load()?;
        Ok(Finish {
            report: self.report.options()?,
            publication: self.publish.publication()?,
            corrections: self.corrections.load(inputs)?,
        })
    }
}

/// What `ocr` and `run` share: the pages, the output folder and the engine that reads them.
#[derive(Args, Debug, Clone)]
pub struct PagesArgs {
    /// Folders (manifest.csv or natural file order) or image files.
    #[arg(default_value = "scans")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputArg,
    #[command(flatten)]
    pub engine: EngineArgs,
}
