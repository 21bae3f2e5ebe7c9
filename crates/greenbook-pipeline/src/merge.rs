//! The part files of a sharded OCR run put together, then the later stages.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::dataset::Dataset;
use crate::io::FileError;
use crate::io::progress::Progress;
use crate::ocr::PageOcr;
use crate::publish::{ReportOptions, Written};
use crate::run::{Archive, Corrections, Timings};

/// What `merge` reads and where it writes.
pub struct MergeRequest {
    /// The same inputs the shards were given.
    pub inputs: Vec<PathBuf>,
    /// Where the shards wrote their part files.
    pub parts_dir: PathBuf,
    pub out: PathBuf,
    pub report: ReportOptions,
    pub publication: crate::publish::archive::iiif::Publication,
    pub corrections: Option<Corrections>,
}

/// What `merge` did.
pub struct MergeOutcome {
    pub pages: Vec<PageOcr>,
    pub dataset: Dataset,
    pub digests: Vec<Written>,
}

impl MergeOutcome {
    pub fn failed(&self) -> usize {
        crate::ocr_stage::failed(&self.pages)
    }
}

/// Combines the part files, checks every page is there once, then runs structure, facts, Parquet,
/// digests and the archive over the whole book, writing the same files a single `run` writes.
pub fn merge(req: &MergeRequest, progress: &dyn Progress) -> Result<MergeOutcome, Error> {
    crate::check_out_not_input(&req.out, &req.inputs)?;
    let held = crate::hold(&req.out)?;
    let pages = merge_parts(&req.inputs, &req.parts_dir, &req.out)?;
    let mut timings = Timings::default();
    // The PDF pages book.pdf renders are kept for the review page, then removed.
    let scratch = req.out.join(format!(".rendered.{}", crate::io::unique()));
    let archive = Archive {
        out: &req.out,
        report: &req.report,
        publication: &req.publication,
        rendered: Some(scratch.clone()),
    };
    let done = crate::run::finish(
        &pages,
        &archive,
        req.corrections.as_ref(),
        &mut timings,
        progress,
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let (dataset, digests) = done?;
    crate::ocr_stage::write_pages_json(&req.out.join("pages.jsonl"), &pages)?;
    held.close(true)?;
    Ok(MergeOutcome {
        pages,
        dataset,
        digests,
    })
}

/// The part files (`part-*.jsonl`) in `parts_dir`, in name order.
fn part_files(parts_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let rd = std::fs::read_dir(parts_dir).map_err(FileError::read(parts_dir))?;
    let mut parts: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with("part-") && n.to_string_lossy().ends_with(".jsonl")
            })
        })
        .collect();
    parts.sort();
    Ok(parts)
}

/// The part files put back in book order, checked against the pages of `inputs` (each present exactly
/// once).
pub fn merge_parts(
    inputs: &[PathBuf],
    parts_dir: &Path,
    out: &Path,
) -> Result<Vec<PageOcr>, Error> {
    let expected = crate::input::discover(inputs, Some(out))?;
    let parts = part_files(parts_dir)?;
    // One image is one page, or two (a spread): each page by its file, frame and side.
    let key = |file: &str, frame: u32, side: &str| format!("{file}#{frame}{side}");
    let side = |p: &PageOcr| p.half.map_or("", |h| h.side.suffix());
    let mut found: std::collections::HashMap<String, (PageOcr, PathBuf)> = Default::default();
    let mut problems = Vec::new();
    for part in &parts {
        for p in crate::ocr_stage::read_pages_json(part)? {
            let k = key(&p.reading.file, p.reading.frame, side(&p));
            if let Some((_, other)) = found.get(&k) {
                problems.push(format!(
                    "page {} is in both {} and {}",
                    p.reading.label,
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
        let file = src.path.display().to_string();
        let whole = found.remove(&key(&file, src.frame, ""));
        let halves: Vec<_> = ["L", "R"]
            .iter()
            .filter_map(|s| found.remove(&key(&file, src.frame, s)))
            .collect();
        match (whole, halves.len()) {
            (Some((p, _)), 0) => pages.push(p),
            // Labelled again below, from the folios of all the pages merged.
            (None, 2) => pages.extend(halves.into_iter().map(|(mut p, _)| {
                let side = p.half.map_or("", |h| h.side.suffix());
                p.reading.label = format!("{}-{side}", src.label);
                p
            })),
            _ => missing.push(format!("{} ({})", src.label, src.path.display())),
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
            p.reading.label,
            part.display()
        ));
    }
    if !problems.is_empty() {
        return Err(Error::BadInput(problems.join("; ")));
    }
    // Duplicates across shards, and labels another shard's page already has, are only visible here.
    let mut pages = crate::ocr::mark_duplicates(pages);
    crate::ocr::label_halves(&mut pages);
    Ok(pages)
}
