//! `greenbook merge`: the part files of a sharded OCR run put together, then the later stages.

use std::path::{Path, PathBuf};

use clap::Args;

use super::flags::ReportArgs;
use super::{Error, Exit, Global};
use crate::ocr::PageOcr;

/// Combine the part files of a sharded OCR run, check every page is there once, then run
/// structure, facts, Parquet and digests over the whole book.
#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// The same inputs the shards were given.
    #[arg(default_value = "scans")]
    pub inputs: Vec<PathBuf>,
    /// Where the shards wrote their part files (default: <output>/parts).
    #[arg(long)]
    pub parts_dir: Option<PathBuf>,
    #[command(flatten)]
    pub out: super::flags::OutputArg,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub corrections: super::flags::CorrectionsArg,
    #[command(flatten)]
    pub edition: super::flags::EditionArg,
}

/// `greenbook merge`.
pub fn command(args: MergeArgs, global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let parts_dir = args
        .parts_dir
        .clone()
        .unwrap_or_else(|| args.out.dir.join("parts"));
    super::check_out_not_input(&args.out.dir, &args.inputs)?;
    let held = super::hold(&args.out.dir)?;
    let pages = merge_parts(&args.inputs, &parts_dir, &args.out.dir)?;
    let mut timings = super::run::Timings::default();
    let corrections = args.corrections.load(&args.inputs)?;
    // The PDF pages book.pdf renders are kept for the review page, then removed.
    let scratch = args
        .out
        .dir
        .join(format!(".rendered.{}", crate::io::unique()));
    let archive = super::run::Archive {
        out: &args.out.dir,
        report: &args.report.options()?,
        rendered: Some(scratch.clone()),
    };
    let done = super::run::finish(
        &pages,
        &archive,
        corrections.as_ref(),
        &mut timings,
        global.reporter().as_ref(),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let (ds, digests) = done?;
    super::ocr::write_pages_json(&args.out.dir.join("pages.jsonl"), &pages)?;
    held.close(true)?;
    let failed = pages.iter().filter(|p| p.error.is_some()).count();
    eprintln!(
        "merge: {} pages ({failed} failed), {} cases, {} facts, {} digests",
        pages.len(),
        ds.cases.len(),
        ds.facts.len(),
        digests.len()
    );
    Ok(if failed > 0 {
        Exit::PartialSuccess
    } else {
        Exit::Success
    })
}

/// The part files put back in book order, checked against the pages of `inputs` (each present exactly
/// once).
pub fn merge_parts(
    inputs: &[PathBuf],
    parts_dir: &Path,
    out: &Path,
) -> Result<Vec<PageOcr>, Error> {
    let expected = crate::input::discover(inputs, Some(out))?;
    let rd = std::fs::read_dir(parts_dir).map_err(|source| Error::Read {
        path: parts_dir.to_path_buf(),
        source,
    })?;
    let mut parts: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with("part-") && n.to_string_lossy().ends_with(".jsonl")
            })
        })
        .collect();
    parts.sort();
    // One image is one page, or two (a spread): each page by its file, frame and side.
    let key = |file: &str, frame: u32, side: &str| format!("{file}#{frame}{side}");
    let side = |p: &PageOcr| p.half.map_or("", |h| h.side.suffix());
    let mut found: std::collections::HashMap<String, (PageOcr, PathBuf)> = Default::default();
    let mut problems = Vec::new();
    for part in &parts {
        for p in super::ocr::read_pages_json(part)? {
            let k = key(&p.file, p.frame, side(&p));
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
                p.label = format!("{}-{side}", src.label);
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
            p.label,
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
