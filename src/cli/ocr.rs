//! `greenbook ocr`: the OCR stage alone, whole or as one shard of a run split across machines.

use std::path::PathBuf;

use clap::Args;
use greenbook::ocr::PageOcr;
use greenbook::pipeline::Error;
use greenbook::pipeline::ocr_stage::{Balance, OcrRequest, Shard, run_ocr, run_shard};

use super::flags::PagesArgs;
use super::{Exit, Global};

/// OCR page images (folders or files: PNG, JPEG, TIFF, scanned PDF) in parallel.
#[derive(Args, Debug, Clone)]
pub struct OcrArgs {
    #[command(flatten)]
    pub pages: PagesArgs,
    /// Write one UTF-8 .txt per page, named by page label.
    #[arg(long)]
    pub text_dir: Option<PathBuf>,
    /// Write one hOCR file per page.
    #[arg(long)]
    pub hocr_dir: Option<PathBuf>,
    /// Write one ALTO 4.4 XML file per page (`run` writes <output>/alto/).
    #[arg(long)]
    pub alto_dir: Option<PathBuf>,
    /// Every page's OCR result (text, confidence, word boxes) as JSON Lines (default:
    /// <output>/pages.jsonl).
    #[arg(long)]
    pub pages_json: Option<PathBuf>,
    /// Process only shard I of N (0 ≤ I < N), its pages chosen by --balance; writes
    /// <parts-dir>/part-I-of-N.jsonl. Default: from JOB_COMPLETION_INDEX (with --shards) or
    /// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set.
    #[arg(long, value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Number of shards, for JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
    #[arg(long)]
    pub shards: Option<usize>,
    /// How pages are dealt to shards: `size` (pages weighted by file size, heaviest first, each to
    /// the lightest shard) or `round-robin` (page i to shard i mod N). Every shard must be given the
    /// same choice; merge accepts either.
    #[arg(long, value_enum, default_value_t = Balance::default())]
    pub balance: Balance,
    /// Where shards write their part files (default: <output>/parts; a shared filesystem when shards
    /// run on several machines).
    #[arg(long)]
    pub parts_dir: Option<PathBuf>,
    /// Print where the time went (CPU seconds per step, summed over the workers) as a table.
    #[arg(long)]
    pub profile: bool,
}

/// `greenbook ocr`.
pub fn command(args: OcrArgs, global: Global) -> Result<Exit, Error> {
    let mut options = args.pages.engine.options(&args.pages.out.dir)?;
    options.hocr = args.hocr_dir.is_some();
    let shard = match args.shard {
        Some(s) => Some(s),
        None => Shard::from_env(|k| std::env::var(k).ok(), args.shards).map_err(Error::Usage)?,
    };
    super::ensure_single_threaded_openmp();
    super::install_interrupt_handler();
    let progress = global.reporter();
    if let Some(shard) = shard {
        let parts_dir = args
            .parts_dir
            .unwrap_or_else(|| args.pages.out.dir.join("parts"));
        let out = run_shard(
            &args.pages.inputs,
            &options,
            (shard, args.balance),
            &parts_dir,
            progress.as_ref(),
        )?;
        eprintln!(
            "ocr shard {}/{}: {} pages, {} failed, {} from cache → {}",
            shard.index,
            shard.count,
            out.pages.len(),
            out.failed(),
            out.cached(),
            parts_dir.join(shard.part_name()).display()
        );
        return Ok(super::pages_exit(out.interrupted, out.failed()));
    }
    greenbook::pipeline::check_out_not_input(&args.pages.out.dir, &args.pages.inputs)?;
    let held = greenbook::pipeline::hold(&args.pages.out.dir)?;
    let req = OcrRequest {
        pages_json: Some(
            args.pages_json
                .unwrap_or_else(|| args.pages.out.dir.join("pages.jsonl")),
        ),
        inputs: args.pages.inputs,
        options,
        out: Some(args.pages.out.dir.clone()),
        text_dir: args.text_dir,
        hocr_dir: args.hocr_dir,
        alto_dir: args.alto_dir,
        shard: None,
    };
    let out = run_ocr(&req, progress.as_ref())?;
    if !out.interrupted {
        held.close(false)?;
    }
    if global.verbose > 0 {
        print_pages(&out.pages);
    }
    eprintln!(
        "ocr: {} pages, {} ok, {} failed, {} from cache",
        out.pages.len(),
        out.pages.len() - out.failed(),
        out.failed(),
        out.cached()
    );
    if args.profile {
        print!("{}", greenbook::ocr::profile::table(out.pages.len()));
    }
    Ok(super::pages_exit(out.interrupted, out.failed()))
}

/// One line per page: label, confidence, time, cache, error.
pub fn print_pages(pages: &[PageOcr]) {
    for p in pages {
        eprintln!(
            "{:<8} conf {:>5} {:>6} ms{}{}",
            greenbook::text::printable(&p.reading.label),
            p.reading
                .mean_conf
                .map_or("—".into(), |c| format!("{c:.1}")),
            p.reading.millis,
            if p.cached { " (cache)" } else { "" },
            p.reading.error.as_ref().map_or(String::new(), |e| format!(
                " ERROR {}",
                greenbook::text::printable(&e.message)
            ))
        );
    }
}
