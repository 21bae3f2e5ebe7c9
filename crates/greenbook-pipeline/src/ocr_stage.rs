//! The OCR stage alone, whole or as one shard of a run split across machines.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::io::progress::Progress;
use crate::ocr::{self, OcrOptions, PageOcr};

/// What to read and where to put sidecars.
#[derive(Debug, Clone)]
pub struct OcrRequest {
    pub inputs: Vec<PathBuf>,
    pub options: OcrOptions,
    /// The output folder: files inside it are not taken as pages.
    pub out: Option<PathBuf>,
    pub text_dir: Option<PathBuf>,
    pub hocr_dir: Option<PathBuf>,
    pub alto_dir: Option<PathBuf>,
    /// JSON Lines of every page (text, confidence, words, timings) for the next stage.
    pub pages_json: Option<PathBuf>,
    /// Only this shard's pages (`greenbook ocr --shard I/N --balance B`).
    pub shard: Option<(Shard, Balance)>,
}

/// Result of the OCR stage with its summary counts.
pub struct OcrOutcome {
    pub pages: Vec<PageOcr>,
    /// Whether the run was interrupted before every page was read.
    pub interrupted: bool,
}

/// How many of `pages` were not read.
pub fn failed(pages: &[PageOcr]) -> usize {
    pages.iter().filter(|p| p.reading.error.is_some()).count()
}

impl OcrOutcome {
    pub fn failed(&self) -> usize {
        failed(&self.pages)
    }
    pub fn cached(&self) -> usize {
        self.pages.iter().filter(|p| p.cached).count()
    }
}

/// Runs the OCR stage and writes the sidecars asked for.
pub fn run_ocr(req: &OcrRequest, progress: &dyn Progress) -> Result<OcrOutcome, Error> {
    // Every output folder is checked before any page is read.
    let json_dir = req
        .pages_json
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    for dir in [
        &req.text_dir,
        &req.hocr_dir,
        &req.alto_dir,
        &req.options.cache_dir,
        &json_dir,
    ]
    .into_iter()
    .flatten()
    .filter(|d| !d.as_os_str().is_empty())
    {
        crate::writable(dir)?;
    }
    let mut sources = crate::input::discover(&req.inputs, req.out.as_deref())?;
    if let Some((shard, balance)) = req.shard {
        let owned = shard.pages(&crate::ocr::page_weights(&sources), balance);
        sources = sources
            .into_iter()
            .enumerate()
            .filter(|(i, _)| owned.binary_search(i).is_ok())
            .map(|(_, p)| p)
            .collect();
    }
    let pages = ocr::run(&sources, &req.options, progress)?;
    if req.options.cancel.load(std::sync::atomic::Ordering::SeqCst) {
        // Interrupted: finished pages are in the cache; the previous outputs stay as they were.
        return Ok(OcrOutcome {
            pages,
            interrupted: true,
        });
    }
    for line in fold_errors(&pages) {
        eprintln!("greenbook: page error: {}", crate::text::printable(&line));
    }
    for p in &pages {
        if let Some(note) = &p.reading.capture_note {
            let shown = p.source().shown();
            eprintln!(
                "greenbook: note: {}: {note}",
                crate::text::printable(&shown)
            );
        }
    }
    let write = std::time::Instant::now();
    if let Some(dir) = &req.text_dir {
        crate::publish::archive::write_text_dir(&pages, dir)?;
    }
    if let Some(dir) = &req.hocr_dir {
        crate::publish::archive::write_hocr_dir(&pages, dir)?;
    }
    if let Some(dir) = &req.alto_dir {
        crate::publish::archive::alto::write_alto_dir(&pages, dir)?;
    }
    if let Some(path) = &req.pages_json {
        write_pages_json(path, &pages)?;
    }
    ocr::profile::add(ocr::profile::Step::Write, write);
    Ok(OcrOutcome {
        pages,
        interrupted: false,
    })
}

/// The pages' errors, one line each, except that the same error on several pages of one file (a
/// 500-frame TIFF with no text) is one line with the count and the pages' range.
pub fn fold_errors(pages: &[PageOcr]) -> Vec<String> {
    /// Errors alike but for the page's place in one file.
    struct Group {
        file: String,
        key: String,
        first: String,
        places: Vec<String>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for p in pages {
        let Some(e) = &p.reading.error else {
            continue;
        };
        let src = p.source();
        let shown = src.shown();
        let file = src.path.display().to_string();
        let key = e.message.replace(&shown, &file);
        let place = shown.strip_prefix(&file).unwrap_or("").trim().to_string();
        match groups.iter_mut().find(|g| g.file == file && g.key == key) {
            Some(g) => g.places.push(place),
            None => groups.push(Group {
                file,
                key,
                first: e.message.clone(),
                places: vec![place],
            }),
        }
    }
    groups
        .into_iter()
        .map(|g| match g.places.len() {
            1 => g.first,
            n => format!(
                "{} — the same on {} more pages of {} ({} to {})",
                g.first,
                n - 1,
                g.file,
                g.places[1],
                g.places[n - 1]
            ),
        })
        .collect()
}

/// Reads `pages.jsonl` as written by the OCR stage.
pub fn read_pages_json(path: &Path) -> Result<Vec<PageOcr>, Error> {
    match crate::io::read_json_lines(path) {
        Err(crate::io::JsonLinesError::Io { path, source }) => Err(Error::BadInput(format!(
            "{}: {source} (run `greenbook ocr` first)",
            path.display()
        ))),
        r => Ok(r?),
    }
}

/// Writes the JSON Lines of the OCR pages (word boxes kept, hOCR dropped).
pub fn write_pages_json(path: &Path, pages: &[PageOcr]) -> Result<(), Error> {
    let mut buf = Vec::new();
    for p in pages {
        let mut slim = p.clone();
        slim.hocr = None;
        slim.cached = false;
        serde_json::to_writer(&mut buf, &slim).map_err(|e| Error::Internal(e.to_string()))?;
        buf.push(b'\n');
    }
    crate::io::write_atomic(path, &buf).map_err(Into::into)
}

/// How the pages of a book are dealt to shards (`--balance`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Balance {
    /// Pages weighted by file size (OCR time follows it), heaviest first, each to the shard with
    /// the least weight so far (ties to the lower shard).
    #[default]
    Size,
    /// Page i to shard i mod N.
    RoundRobin,
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

    /// Page `i` (in book order) belongs to shard `i mod count` under `Balance::RoundRobin`.
    pub fn owns(&self, page_index: usize) -> bool {
        page_index % self.count == self.index
    }

    /// The pages (indices in book order, ascending) this shard takes, given every page's weight.
    /// Deterministic: every shard computes the same split from the same inputs, and together the
    /// shards take each page exactly once.
    pub fn pages(&self, weights: &[u64], balance: Balance) -> Vec<usize> {
        match balance {
            Balance::RoundRobin => (0..weights.len()).filter(|&i| self.owns(i)).collect(),
            Balance::Size => {
                let mut order: Vec<usize> = (0..weights.len()).collect();
                order.sort_by_key(|&i| (std::cmp::Reverse(weights[i]), i));
                let mut load = vec![0u64; self.count];
                let mut mine = Vec::new();
                for i in order {
                    let lightest = (0..self.count).min_by_key(|&k| (load[k], k)).unwrap_or(0);
                    load[lightest] += weights[i];
                    if lightest == self.index {
                        mine.push(i);
                    }
                }
                mine.sort_unstable();
                mine
            }
        }
    }

    pub fn part_name(&self) -> String {
        format!("part-{:04}-of-{:04}.jsonl", self.index, self.count)
    }
}

/// `greenbook ocr --shard I/N`: OCR this shard's pages and write them as one part file.
pub fn run_shard(
    inputs: &[PathBuf],
    options: &OcrOptions,
    (shard, balance): (Shard, Balance),
    parts_dir: &Path,
    progress: &dyn Progress,
) -> Result<OcrOutcome, Error> {
    let req = OcrRequest {
        inputs: inputs.to_vec(),
        options: options.clone(),
        out: None,
        text_dir: None,
        hocr_dir: None,
        alto_dir: None,
        pages_json: Some(parts_dir.join(shard.part_name())),
        shard: Some((shard, balance)),
    };
    run_ocr(&req, progress)
}
