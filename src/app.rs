//! The commands behind the CLI, over one context. `main.rs` parses flags and maps the result to an exit
//! code; everything else is here and in the stage modules.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::ocr::{self, OcrError, OcrOptions, PageOcr};
use crate::progress::{Progress, Quiet, Reporter};
use crate::scan::{self, ScanError};

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

/// An error with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub exit: Exit,
    pub message: String,
}

impl AppError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        AppError {
            exit,
            message: message.into(),
        }
    }
}

impl From<ScanError> for AppError {
    fn from(e: ScanError) -> Self {
        let exit = match &e {
            ScanError::Font { .. } => Exit::MissingDependency,
            ScanError::Encode { .. } => Exit::Failure,
            _ => Exit::InputError,
        };
        AppError::new(exit, e.to_string())
    }
}

impl From<OcrError> for AppError {
    fn from(e: OcrError) -> Self {
        let exit = match &e {
            OcrError::Model { .. } => Exit::MissingDependency,
            OcrError::Io { .. } => Exit::OutputNotWritable,
            _ => Exit::Failure,
        };
        AppError::new(exit, e.to_string())
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

/// Ctrl-C (SIGINT/SIGTERM): the first asks the workers to stop after their current page (finished
/// pages stay in the cache, outputs are left as they were) and the command exits with 130; a second
/// one exits at once.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if ocr::CANCEL.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted as i32);
        }
        eprintln!(
            "\ngreenbook: interrupted; finishing the pages in progress (Ctrl-C again to quit now)"
        );
    });
}

/// The progress reporter for a command: none with `--quiet`.
pub fn reporter(quiet: bool) -> Box<dyn Progress> {
    if quiet {
        Box::new(Quiet)
    } else {
        Box::new(Reporter::new())
    }
}

/// `greenbook ocr`: what to read and where to put sidecars.
#[derive(Debug, Clone)]
pub struct OcrRequest {
    pub inputs: Vec<PathBuf>,
    pub options: OcrOptions,
    pub text_dir: Option<PathBuf>,
    pub hocr_dir: Option<PathBuf>,
    /// JSON Lines of every page (text, confidence, words, timings) for the next stage.
    pub pages_json: Option<PathBuf>,
    /// Only this shard's pages (`greenbook ocr --shard I/N`).
    pub shard: Option<Shard>,
}

/// Result of the OCR stage with its summary counts.
pub struct OcrOutcome {
    pub pages: Vec<PageOcr>,
}

impl OcrOutcome {
    pub fn failed(&self) -> usize {
        self.pages.iter().filter(|p| p.error.is_some()).count()
    }
    pub fn cached(&self) -> usize {
        self.pages.iter().filter(|p| p.cached).count()
    }
    pub fn exit(&self) -> Exit {
        if ocr::CANCEL.load(std::sync::atomic::Ordering::SeqCst) {
            Exit::Interrupted
        } else if self.failed() > 0 {
            Exit::PartialSuccess
        } else {
            Exit::Success
        }
    }
}

fn writable(dir: &Path) -> Result<(), AppError> {
    std::fs::create_dir_all(dir)
        .and_then(|_| {
            let probe = dir.join(format!(".greenbook-write-test.{}", crate::io::unique()));
            std::fs::write(&probe, b"")?;
            std::fs::remove_file(&probe)
        })
        .map_err(|e| {
            AppError::new(
                Exit::OutputNotWritable,
                format!("{}: output folder not writable: {e}", dir.display()),
            )
        })
}

/// Runs the OCR stage and writes the sidecars asked for.
pub fn run_ocr(req: &OcrRequest, progress: &dyn Progress) -> Result<OcrOutcome, AppError> {
    // Every output folder is checked before any page is read.
    let json_dir = req
        .pages_json
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    for dir in [
        &req.text_dir,
        &req.hocr_dir,
        &req.options.cache_dir,
        &json_dir,
    ]
    .into_iter()
    .flatten()
    .filter(|d| !d.as_os_str().is_empty())
    {
        writable(dir)?;
    }
    let mut sources = scan::discover(&req.inputs)?;
    if let Some(shard) = req.shard {
        sources = sources
            .into_iter()
            .enumerate()
            .filter(|(i, _)| shard.owns(*i))
            .map(|(_, p)| p)
            .collect();
    }
    let pages = ocr::run(&sources, &req.options, progress)?;
    if ocr::CANCEL.load(std::sync::atomic::Ordering::SeqCst) {
        // Interrupted: finished pages are in the cache; the previous outputs stay as they were.
        return Ok(OcrOutcome { pages });
    }
    for p in pages.iter().filter_map(|p| p.error.as_ref()) {
        eprintln!("greenbook: page error: {p}");
    }
    if let Some(dir) = &req.text_dir {
        ocr::write_text_dir(&pages, dir)?;
    }
    if let Some(dir) = &req.hocr_dir {
        ocr::write_hocr_dir(&pages, dir)?;
    }
    if let Some(path) = &req.pages_json {
        write_pages_json(path, &pages)?;
    }
    Ok(OcrOutcome { pages })
}

/// Prints per-page CER and the total; returns the overall CER.
pub fn eval_ocr(truth: &Path, text: &Path) -> Result<f64, AppError> {
    let scores =
        ocr::evaluate(truth, text).map_err(|e| AppError::new(Exit::InputError, e.to_string()))?;
    if scores.is_empty() {
        return Err(AppError::new(
            Exit::InputError,
            format!("{}: no truth files (*.txt)", truth.display()),
        ));
    }
    println!("{:<8} {:>7} {:>6} {:>7}", "page", "chars", "edits", "CER%");
    let (mut e, mut n) = (0, 0);
    for s in &scores {
        let cer = 100.0 * s.edits as f64 / s.truth_chars.max(1) as f64;
        println!(
            "{:<8} {:>7} {:>6} {:>7.2}",
            s.label, s.truth_chars, s.edits, cer
        );
        e += s.edits;
        n += s.truth_chars;
    }
    let total = e as f64 / n.max(1) as f64;
    println!("{:<8} {:>7} {:>6} {:>7.2}", "all", n, e, 100.0 * total);
    Ok(total)
}

/// Reads transcription files (or folders of `.txt`, natural order) as pages. Files that are not UTF-8
/// text are reported by name and skipped; they are returned as errors beside the pages.
pub fn read_text_pages(
    paths: &[PathBuf],
) -> Result<(Vec<crate::book::PageText>, Vec<String>), AppError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| AppError::new(Exit::InputError, format!("{}: {e}", p.display())))?;
        if meta.is_dir() {
            let rd = std::fs::read_dir(p)
                .map_err(|e| AppError::new(Exit::InputError, format!("{}: {e}", p.display())))?;
            let mut v: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|e| e == "txt"))
                .collect();
            v.sort_by_key(|f| {
                scan::natural_key(&f.file_name().unwrap_or_default().to_string_lossy())
            });
            files.extend(v);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Err(AppError::new(
            Exit::InputError,
            "no text files (*.txt) found",
        ));
    }
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{}: cannot read: {e}", f.display()));
                continue;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) if text.contains('\0') => {
                errors.push(format!("{}: binary data, not text", f.display()))
            }
            Ok(text) => pages.push(crate::book::PageText {
                label: f
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                source: f.display().to_string(),
                text,
                conf: None,
            }),
            Err(e) => errors.push(format!(
                "{}: not UTF-8 text (invalid byte at offset {})",
                f.display(),
                e.utf8_error().valid_up_to()
            )),
        }
    }
    Ok((pages, errors))
}

/// Structure + extraction over text pages.
pub fn extract_pages(
    pages: &[crate::book::PageText],
) -> (crate::book::Book, Vec<crate::extract::CaseFacts>) {
    let book = crate::book::read(pages);
    let facts = crate::extract::extract(&book, pages);
    (book, facts)
}

/// Reads a JSON Lines file of case records.
pub fn read_jsonl(path: &Path) -> Result<Vec<serde_json::Value>, AppError> {
    read_json_lines(path, "")
}

/// Reads a JSON Lines file, one `T` per non-empty line; errors name the file and line. `hint` is
/// appended to the message when the file cannot be read.
fn read_json_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    hint: &str,
) -> Result<Vec<T>, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::new(Exit::InputError, format!("{}: {e}{hint}", path.display())))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                AppError::new(
                    Exit::InputError,
                    format!("{}:{}: {e}", path.display(), i + 1),
                )
            })
        })
        .collect()
}

/// Prints precision, recall and F1 per field; returns the scores.
pub fn eval_extract(
    predicted: &[serde_json::Value],
    gold: &[serde_json::Value],
) -> Vec<crate::extract::FieldScore> {
    let scores = crate::extract::score(predicted, gold);
    println!(
        "{:<14} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
        "field", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    for s in &scores {
        println!(
            "{:<14} {:>4} {:>4} {:>4} {:>9.3} {:>7.3} {:>6.3}",
            s.field,
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    scores
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        let exit = match &e {
            crate::store::StoreError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Exit::InputError
            }
            crate::store::StoreError::Io { .. } => Exit::OutputNotWritable,
            _ => Exit::Failure,
        };
        AppError::new(exit, e.to_string())
    }
}

impl From<crate::report::ReportError> for AppError {
    fn from(e: crate::report::ReportError) -> Self {
        let exit = match &e {
            crate::report::ReportError::Font { .. }
            | crate::report::ReportError::MissingGlyphs { .. } => Exit::MissingDependency,
            crate::report::ReportError::Io { .. } => Exit::OutputNotWritable,
            _ => Exit::Failure,
        };
        AppError::new(exit, e.to_string())
    }
}

/// Page texts for the structure stage from OCR results (failed pages keep their place, empty: a
/// duplicate or foreign-language page has text, but it is not used).
pub fn page_texts(pages: &[PageOcr]) -> Vec<crate::book::PageText> {
    pages
        .iter()
        .map(|p| crate::book::PageText {
            label: p.label.clone(),
            source: p.file.clone(),
            text: if p.error.is_some() {
                String::new()
            } else {
                p.text.clone()
            },
            conf: p.mean_conf,
        })
        .collect()
}

/// Structure → extraction → rows, from OCR results.
pub fn build_dataset(pages: &[PageOcr]) -> crate::store::Dataset {
    let texts = page_texts(pages);
    let (book, facts) = extract_pages(&texts);
    crate::store::Dataset::build(pages, &book, &facts)
}

/// Reads `pages.jsonl` as written by the OCR stage.
pub fn read_pages_json(path: &Path) -> Result<Vec<PageOcr>, AppError> {
    read_json_lines(path, " (run `greenbook ocr` first)")
}

/// Writes the JSON Lines of the OCR pages (word boxes kept, hOCR dropped).
pub fn write_pages_json(path: &Path, pages: &[PageOcr]) -> Result<(), AppError> {
    let mut buf = Vec::new();
    for p in pages {
        let mut slim = p.clone();
        slim.hocr = None;
        slim.cached = false;
        serde_json::to_writer(&mut buf, &slim)
            .map_err(|e| AppError::new(Exit::Failure, e.to_string()))?;
        buf.push(b'\n');
    }
    crate::io::write_atomic(path, &buf)
        .map_err(|e| AppError::new(Exit::OutputNotWritable, format!("{}: {e}", path.display())))
}

/// Time spent in each stage of `run`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

impl Timings {
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let t = std::time::Instant::now();
        let out = f();
        self.stages.push((name, t.elapsed()));
        out
    }
}

/// `greenbook run`: every stage, from page images to Parquet and digests.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub options: OcrOptions,
    pub report: crate::report::ReportOptions,
}

/// What `run` did, for the summary.
pub struct RunOutcome {
    pub ocr: OcrOutcome,
    pub dataset: crate::store::Dataset,
    pub digests: Vec<crate::report::Written>,
    pub timings: Timings,
}

impl RunOutcome {
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let p = &self.ocr.pages;
        let _ = writeln!(
            s,
            "pages: {} ok, {} failed, {} from cache",
            p.len() - self.ocr.failed(),
            self.ocr.failed(),
            self.ocr.cached()
        );
        let _ = writeln!(
            s,
            "book: {} contents entries, {} cases digitised",
            self.dataset.contents.len(),
            self.dataset.cases.len()
        );
        let per_field: Vec<String> = crate::extract::FIELDS
            .iter()
            .map(|f| {
                let n = self
                    .dataset
                    .facts
                    .iter()
                    .filter(|x| x.field == f.name())
                    .count();
                format!("{} {n}/{}", f.name(), self.dataset.cases.len())
            })
            .collect();
        let _ = writeln!(s, "facts: {}", per_field.join(", "));
        let _ = writeln!(s, "digests: {} PDFs", self.digests.len());
        let times: Vec<String> = self
            .timings
            .stages
            .iter()
            .map(|(n, d)| format!("{n} {:.1}s", d.as_secs_f64()))
            .collect();
        let _ = write!(s, "time: {}", times.join(", "));
        s
    }

    pub fn exit(&self) -> Exit {
        self.ocr.exit()
    }
}

/// Runs the whole pipeline into `req.out`: OCR (cache, text sidecars, pages.jsonl) → structure and
/// facts → Parquet → PDF digests.
pub fn run_all(req: &RunRequest, progress: &dyn Progress) -> Result<RunOutcome, AppError> {
    writable(&req.out)?;
    let mut timings = Timings::default();
    let ocr_req = OcrRequest {
        inputs: req.inputs.clone(),
        options: req.options.clone(),
        text_dir: Some(req.out.join("text")),
        hocr_dir: None,
        pages_json: Some(req.out.join("pages.jsonl")),
        shard: None,
    };
    let ocr = timings.time("ocr", || run_ocr(&ocr_req, progress))?;
    if ocr.exit() == Exit::Interrupted {
        return Ok(RunOutcome {
            ocr,
            dataset: Default::default(),
            digests: Vec::new(),
            timings,
        });
    }
    let (dataset, digests) = finish(&ocr.pages, &req.out, &req.report, &mut timings, progress)?;
    Ok(RunOutcome {
        ocr,
        dataset,
        digests,
        timings,
    })
}

/// Everything after OCR: structure and facts → Parquet → digests, into `out`.
pub fn finish(
    pages: &[PageOcr],
    out: &Path,
    report: &crate::report::ReportOptions,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<(crate::store::Dataset, Vec<crate::report::Written>), AppError> {
    let dataset = timings.time("extract", || build_dataset(pages));
    timings.time("parquet", || dataset.write(out, &source_of(pages)))?;
    let digests = timings.time("report", || {
        crate::report::write_all(&dataset, &out.join("digests"), report, progress)
    })?;
    Ok((dataset, digests))
}

/// One shard of a run split across machines: shard `index` of `count`, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// "I/N" with 0 ≤ I < N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s}: expected I/N, e.g. 0/3"))?;
        let index: usize = i
            .trim()
            .parse()
            .map_err(|_| format!("{s}: bad shard index"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("{s}: bad shard count"))?;
        if count == 0 || index >= count {
            return Err(format!("{s}: need 0 ≤ I < N"));
        }
        Ok(Shard { index, count })
    }

    /// The shard from a batch scheduler's environment: Kubernetes Indexed Jobs set
    /// `JOB_COMPLETION_INDEX` (the count comes from `--shards`); Slurm job arrays set
    /// `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT` and `SLURM_ARRAY_TASK_MIN`.
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
        shards: Option<usize>,
    ) -> Result<Option<Shard>, String> {
        let num = |k: &str| -> Result<Option<usize>, String> {
            get(k)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| format!("{k}={v}: not a number"))
                })
                .transpose()
        };
        let found = if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = shards
                .ok_or("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N")?;
            Some((i, n))
        } else if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = match shards {
                Some(n) => n,
                None => num("SLURM_ARRAY_TASK_COUNT")?.ok_or(
                    "SLURM_ARRAY_TASK_ID is set without SLURM_ARRAY_TASK_COUNT: give --shards N",
                )?,
            };
            Some((
                id.checked_sub(min)
                    .ok_or("SLURM_ARRAY_TASK_ID below SLURM_ARRAY_TASK_MIN")?,
                n,
            ))
        } else {
            None
        };
        found
            .map(|(index, count)| Shard::parse(&format!("{index}/{count}")))
            .transpose()
    }

    /// Page `i` (in book order) belongs to shard `i mod count`: deterministic and balanced.
    pub fn owns(&self, page_index: usize) -> bool {
        page_index % self.count == self.index
    }

    pub fn part_name(&self) -> String {
        format!("part-{:04}-of-{:04}.jsonl", self.index, self.count)
    }
}

/// `greenbook ocr --shard I/N`: OCR this shard's pages and write them as one part file.
pub fn run_shard(
    inputs: &[PathBuf],
    options: &OcrOptions,
    shard: Shard,
    parts_dir: &Path,
    progress: &dyn Progress,
) -> Result<OcrOutcome, AppError> {
    let req = OcrRequest {
        inputs: inputs.to_vec(),
        options: options.clone(),
        text_dir: None,
        hocr_dir: None,
        pages_json: Some(parts_dir.join(shard.part_name())),
        shard: Some(shard),
    };
    run_ocr(&req, progress)
}

/// `greenbook merge`: the part files put back in book order, checked against the pages of `inputs`
/// (each present exactly once), then the rest of the pipeline over the whole book.
pub fn merge_parts(inputs: &[PathBuf], parts_dir: &Path) -> Result<Vec<PageOcr>, AppError> {
    let expected = scan::discover(inputs)?;
    let rd = std::fs::read_dir(parts_dir)
        .map_err(|e| AppError::new(Exit::InputError, format!("{}: {e}", parts_dir.display())))?;
    let mut parts: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with("part-") && n.to_string_lossy().ends_with(".jsonl")
            })
        })
        .collect();
    parts.sort();
    let key = |file: &str, frame: u32| format!("{file}#{frame}");
    let mut found: std::collections::HashMap<String, (PageOcr, PathBuf)> = Default::default();
    let mut problems = Vec::new();
    for part in &parts {
        for p in read_pages_json(part)? {
            let k = key(&p.file, p.frame);
            if let Some((_, other)) = found.get(&k) {
                problems.push(format!(
                    "page {} is in both {} and {}",
                    p.label,
                    other.display(),
                    part.display()
                ));
            } else {
                found.insert(k, (p, part.clone()));
            }
        }
    }
    let mut pages = Vec::new();
    let mut missing = Vec::new();
    for src in &expected {
        match found.remove(&key(&src.path.display().to_string(), src.frame)) {
            Some((p, _)) => pages.push(p),
            None => missing.push(format!("{} ({})", src.label, src.path.display())),
        }
    }
    if !missing.is_empty() {
        problems.push(format!(
            "{} page(s) missing from the parts in {}: {}",
            missing.len(),
            parts_dir.display(),
            missing.join(", ")
        ));
    }
    for (_, (p, part)) in found {
        problems.push(format!(
            "page {} in {} is not among the inputs",
            p.label,
            part.display()
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::new(Exit::InputError, problems.join("; ")));
    }
    // Duplicates across shards are only visible here.
    Ok(ocr::mark_duplicates(pages))
}

/// The `greenbook.source` metadata: the folders the page images came from, in page order.
pub fn source_of(pages: &[PageOcr]) -> String {
    let mut dirs: Vec<String> = Vec::new();
    for p in pages {
        let d = Path::new(&p.file)
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.join(" ")
}
