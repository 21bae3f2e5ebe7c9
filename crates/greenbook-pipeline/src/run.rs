//! The whole run, from page images to Parquet, digests and the archive's outputs.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::dataset::Dataset;
use crate::dataset::corrections::Correction;
use crate::extract::Field;
use crate::io::progress::Progress;
use crate::ocr::{OcrOptions, PageOcr};
use crate::ocr_stage::{OcrOutcome, OcrRequest, run_ocr};
use crate::publish::archive::iiif::Publication;
use crate::publish::{ReportOptions, Written};

/// Time spent in each stage of `run`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

impl Timings {
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let (out, took) = timed(f);
        self.stages.push((name, took));
        out
    }
}

/// What `run` reads, where it writes, and how.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub options: OcrOptions,
    pub report: ReportOptions,
    /// What the IIIF manifest and METS say of where and how the volume is published.
    pub publication: Publication,
    /// Reviewers' corrections, read and checked before OCR.
    pub corrections: Option<Corrections>,
}

/// What `run` did, for the summary.
pub struct RunOutcome {
    pub ocr: OcrOutcome,
    pub dataset: Dataset,
    pub digests: Vec<Written>,
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
        if self.dataset.contents.is_empty() {
            let _ = writeln!(
                s,
                "book: no contents pages in the scans; {} cases found by their subtitles",
                self.dataset.cases.len()
            );
        } else {
            let _ = writeln!(
                s,
                "book: {} contents entries, {} cases digitised",
                self.dataset.contents.len(),
                self.dataset.cases.len()
            );
        }
        let per_field: Vec<String> = Field::ALL
            .iter()
            .map(|&f| {
                let n = self
                    .dataset
                    .facts
                    .iter()
                    .filter(|x| x.figure.field == f)
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
        if self.timings.stages.iter().any(|(n, _)| *n == "archive") {
            s.push_str(" (report and archive side by side)");
        }
        s
    }
}

/// Runs the whole pipeline into `req.out`: OCR (cache, pages.jsonl) → structure and facts → Parquet
/// → PDF digests and the archive outputs (`finish`).
pub fn run_all(req: &RunRequest, progress: &dyn Progress) -> Result<RunOutcome, Error> {
    crate::check_out_not_input(&req.out, &req.inputs)?;
    let held = crate::hold(&req.out)?;
    warm_up();
    // Without a cache, the PDF pages rendered for OCR are still kept for book.pdf and the review page
    // (each rendered once), in a folder removed at the end.
    let mut options = req.options.clone();
    let scratch = options.rendered_dir().is_none().then(|| {
        let d = req.out.join(format!(".rendered.{}", crate::io::unique()));
        options.render_dir = Some(d.clone());
        d
    });
    let mut timings = Timings::default();
    let ocr_req = OcrRequest {
        inputs: req.inputs.clone(),
        options,
        out: Some(req.out.clone()),
        // Written by `finish` with the other archive outputs, so that `merge` writes it too.
        text_dir: None,
        hocr_dir: None,
        alto_dir: None,
        pages_json: Some(req.out.join("pages.jsonl")),
        shard: None,
    };
    let ocr = timings.time("ocr", || run_ocr(&ocr_req, progress));
    let finished = ocr.and_then(|ocr| {
        if ocr.interrupted {
            return Ok((ocr, None));
        }
        let archive = Archive {
            out: &req.out,
            report: &req.report,
            publication: &req.publication,
            rendered: ocr_req.options.rendered_dir(),
        };
        let done = finish(
            &ocr.pages,
            &archive,
            req.corrections.as_ref(),
            &mut timings,
            progress,
        )?;
        Ok((ocr, Some(done)))
    });
    if let Some(d) = scratch {
        let _ = std::fs::remove_dir_all(d);
    }
    let (ocr, done) = finished?;
    let Some((dataset, digests)) = done else {
        // Interrupted: the previous outputs and their manifest stay as they were.
        return Ok(RunOutcome {
            ocr,
            dataset: Default::default(),
            digests: Vec::new(),
            timings,
        });
    };
    held.close(true)?;
    Ok(RunOutcome {
        ocr,
        dataset,
        digests,
        timings,
    })
}

/// Loads the word segmenter's dictionary (~0.15 s) on a thread of the lowest priority while OCR runs,
/// so that it takes a core only when an OCR worker leaves one idle (as the last pages finish) instead
/// of delaying the extraction after OCR. The extraction waits for it if it is not done.
fn warm_up() {
    let _ = std::thread::Builder::new()
        .name("warm-up".into())
        .spawn(|| {
            // SAFETY: a plain system call; on Linux `who = 0` is the calling thread alone.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
            crate::text::segment::jieba();
        });
}

/// Where the later stages write, and what they read besides the pages.
pub struct Archive<'a> {
    pub out: &'a Path,
    pub report: &'a ReportOptions,
    pub publication: &'a Publication,
    /// The PDF pages OCR rendered, kept for book.pdf and the review page (see
    /// [`OcrOptions::rendered_dir`]).
    pub rendered: Option<PathBuf>,
}

/// Everything after OCR: structure and facts → Parquet → digests, into `archive.out`.
pub fn finish(
    pages: &[PageOcr],
    archive: &Archive,
    corrections: Option<&Corrections>,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<(Dataset, Vec<Written>), Error> {
    let mut dataset = timings.time("extract", || crate::store::build_dataset(pages));
    // Corrections go in before anything is written: one that names a case not in this run stops
    // the run with exit 4 and the previous outputs stay whole.
    if let Some(c) = corrections {
        crate::dataset::corrections::apply(&mut dataset, &c.rows, &c.path)?;
    }
    let (out, report) = (archive.out, archive.report);
    timings.time("parquet", || {
        dataset.write(out, &crate::store::source_of(pages))
    })?;
    // The digests and the archive's outputs are written side by side: both only read the dataset.
    let ((digests, report_time), (archived, archive_time)) = rayon::join(
        || timed(|| crate::publish::write_all(&dataset, &out.join("digests"), report, progress)),
        || timed(|| write_archive(pages, archive, &dataset)),
    );
    timings.stages.push(("report", report_time));
    timings.stages.push(("archive", archive_time));
    archived?;
    Ok((dataset, digests?))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let t = std::time::Instant::now();
    (f(), t.elapsed())
}

/// The archive's outputs: text and ALTO per page, the book's text, the searchable PDF of the volume
/// with the page images for IIIF, the review page and the workbook, then the IIIF manifest and METS.
fn write_archive(pages: &[PageOcr], archive: &Archive, dataset: &Dataset) -> Result<(), Error> {
    let (out, report) = (archive.out, archive.report);
    let rendered = archive.rendered.as_deref();
    crate::publish::archive::write_text_dir(pages, &out.join("text"))?;
    let alto = crate::publish::archive::alto::write_alto_dir(pages, &out.join("alto"))?;
    crate::publish::archive::write_book_text(pages, &out.join("book.txt"))?;
    // book.pdf and the review page both read every page image again: side by side, on the core the
    // digests leave free when they finish first.
    let (book, review) = rayon::join(
        || {
            crate::publish::archive::book_pdf::write_book_pdf(
                &out.join("book.pdf"),
                pages,
                dataset,
                report.date,
                rendered,
                Some(&out.join("iiif").join("pages")),
            )
        },
        || {
            crate::publish::review::write_review(&out.join("review"), dataset, pages, rendered)?;
            crate::publish::workbook::write_workbook(
                &out.join("greenbook.xlsx"),
                dataset,
                report.date,
            )
        },
    );
    let book = book?;
    for (label, why) in &book.skipped {
        eprintln!(
            "greenbook: book.pdf: page {} left out: {}",
            crate::text::printable(label),
            crate::text::printable(why)
        );
    }
    review?;
    let publication = archive.publication;
    use crate::publish::archive::{iiif, mets};
    iiif::write_manifest(out, pages, &book.images, dataset, publication)?;
    mets::write_mets(out, &book.images, &alto, dataset, publication, report.date)?;
    Ok(())
}

/// Corrections read and checked, with the file they came from.
#[derive(Debug, Clone)]
pub struct Corrections {
    pub path: PathBuf,
    pub rows: Vec<Correction>,
}

impl Corrections {
    /// Reads `given`, else `corrections.csv` in the first input folder: the whole file is checked
    /// before any page is read (a bad line is an input error and nothing is written).
    pub fn load(given: Option<&Path>, inputs: &[PathBuf]) -> Result<Option<Corrections>, Error> {
        let path = match given {
            Some(p) => p.to_path_buf(),
            None => match inputs
                .iter()
                .find(|p| p.is_dir())
                .map(|d| d.join("corrections.csv"))
                .filter(|p| p.is_file())
            {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let rows = crate::dataset::corrections::read(&path)?;
        Ok(Some(Corrections { path, rows }))
    }
}
