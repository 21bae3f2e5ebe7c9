//! The command line: parse flags, call the library, turn the result into an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use greenbook::app::{self, AppError, Exit};

#[derive(Parser)]
#[command(
    name = "greenbook",
    version,
    about = "Scanned pages of a printed Chinese book → text, structure, facts",
    after_help = "Examples:\n  greenbook render-scans                      # re-render the committed sample scans\n  greenbook ocr scans/ --text-dir output/text # OCR every page, one .txt per page\n  greenbook eval-ocr                          # CER of output/text against scans/truth"
)]
struct Cli {
    /// No progress output.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// More detail: one line per page after OCR.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct EngineArgs {
    /// Worker threads (one Tesseract engine each); default: number of cores.
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Tesseract language(s), e.g. chi_sim or chi_sim+eng.
    #[arg(long, default_value = "chi_sim")]
    lang: String,
    /// Folder with <lang>.traineddata (default: $TESSDATA_PREFIX, then Debian's path).
    #[arg(long)]
    tessdata: Option<PathBuf>,
    /// Redo pages that are already in the cache.
    #[arg(long)]
    force: bool,
    /// Cache folder for OCR results (default: <output>/cache).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    no_cache: bool,
}

#[derive(Args)]
struct ReportArgs {
    /// Date printed on the digests' covers (YYYY-MM-DD); default: the data's fingerprint.
    #[arg(long, value_parser = parse_date)]
    date: Option<String>,
    /// Only this district's digest (plus the city overview), e.g. 浦东新区.
    #[arg(long)]
    only_district: Option<String>,
    /// Folder with GreenbookSansSC-Regular.ttf and -Bold.ttf (default: the fonts built in).
    #[arg(long)]
    font_dir: Option<PathBuf>,
}

fn parse_shard(s: &str) -> Result<app::Shard, String> {
    app::Shard::parse(s)
}

fn parse_date(s: &str) -> Result<String, String> {
    let ok = s.len() == 10
        && s.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err("expected YYYY-MM-DD".into())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Every stage: OCR → structure → facts → Parquet → PDF digests, then a summary.
    #[command(
        after_help = "Examples:\n  greenbook run                          # scans/ → output/\n  greenbook run book2/ -o out2 --jobs 2  # another edition\n  greenbook run --only-district 浦东新区 --date 2026-11-29"
    )]
    Run {
        /// Folders (manifest.csv or natural file order) or image files.
        #[arg(default_value = "scans")]
        inputs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, short, default_value = "output")]
        out: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Structure, facts and Parquet files from the OCR stage's pages.jsonl.
    Store {
        #[arg(long, default_value = "output/pages.jsonl")]
        pages: PathBuf,
        /// Output folder for the Parquet files.
        #[arg(long, short, default_value = "output")]
        out: PathBuf,
    },
    /// PDF digests (one per district and a city overview) from the Parquet files.
    Report {
        /// Folder with the Parquet files.
        #[arg(long, default_value = "output")]
        data: PathBuf,
        /// Output folder for the PDFs.
        #[arg(long, short, default_value = "output/digests")]
        out: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// A per-district summary of the Parquet files.
    Stats {
        #[arg(long, default_value = "output")]
        data: PathBuf,
    },
    /// Typeset the book's text into realistic synthetic page scans, with ground truth and a manifest.
    RenderScans {
        /// The book's extracted text.
        #[arg(long, default_value = "scans/source/excerpt.txt")]
        excerpt: PathBuf,
        /// Output folder.
        #[arg(long, short, default_value = "scans")]
        out: PathBuf,
        /// Folder with the Noto CJK collections (Debian package fonts-noto-cjk).
        #[arg(long, default_value = greenbook::scan::render::DEFAULT_FONT_DIR)]
        font_dir: PathBuf,
        /// Seed for the scan degradation.
        #[arg(long, default_value_t = 2023)]
        seed: u64,
        /// Render without scan degradation.
        #[arg(long)]
        clean: bool,
        /// Render only this page label (e.g. p002).
        #[arg(long)]
        only: Option<String>,
    },
    /// Render a SYNTHETIC full edition (real contents, generated cases with gold facts) for
    /// benchmarks and extraction tests at scale. Written to its own folder, never to scans/.
    SynthBook {
        #[arg(long, default_value = "scans/source/excerpt.txt")]
        excerpt: PathBuf,
        /// Output folder (its README says it is synthetic).
        #[arg(long, short, default_value = "output/synthetic-book")]
        out: PathBuf,
        #[arg(long, default_value = greenbook::scan::render::DEFAULT_FONT_DIR)]
        font_dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Render without scan degradation.
        #[arg(long)]
        clean: bool,
    },
    /// OCR page images (folders or files: PNG, JPEG, TIFF) in parallel.
    Ocr {
        /// Folders (manifest.csv or natural file order) or image files.
        #[arg(default_value = "scans")]
        inputs: Vec<PathBuf>,
        #[command(flatten)]
        engine: EngineArgs,
        /// Write one UTF-8 .txt per page, named by page label.
        #[arg(long)]
        text_dir: Option<PathBuf>,
        /// Write one hOCR file per page.
        #[arg(long)]
        hocr_dir: Option<PathBuf>,
        /// Write every page's OCR result (text, confidence, word boxes) as JSON Lines.
        #[arg(long, default_value = "output/pages.jsonl")]
        pages_json: PathBuf,
        /// Process only shard I of N (0 ≤ I < N): pages I, I+N, I+2N… in book order; writes
        /// <parts-dir>/part-I-of-N.jsonl. Default: from JOB_COMPLETION_INDEX (with --shards) or
        /// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<app::Shard>,
        /// Number of shards, for JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
        #[arg(long)]
        shards: Option<usize>,
        /// Where shards write their part files (a shared filesystem when shards run on several machines).
        #[arg(long, default_value = "output/parts")]
        parts_dir: PathBuf,
    },
    /// Combine the part files of a sharded OCR run, check every page is there once, then run
    /// structure, facts, Parquet and digests over the whole book.
    Merge {
        /// The same inputs the shards were given.
        #[arg(default_value = "scans")]
        inputs: Vec<PathBuf>,
        #[arg(long, default_value = "output/parts")]
        parts_dir: PathBuf,
        /// Output folder.
        #[arg(long, short, default_value = "output")]
        out: PathBuf,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Facts per case from UTF-8 text files or folders of .txt pages (transcriptions or OCR output).
    Extract {
        /// Text files or folders.
        #[arg(long, required = true, num_args = 1..)]
        text: Vec<PathBuf>,
        /// One JSON object per case (source, page, district, community and the six facts).
        #[arg(long)]
        jsonl: bool,
    },
    /// Precision, recall and F1 per field against a gold JSONL file (same keys as `extract --jsonl`).
    EvalExtract {
        #[arg(long)]
        gold: PathBuf,
        /// Predicted JSONL; or give --text to extract now.
        #[arg(long, conflicts_with = "text")]
        predicted: Option<PathBuf>,
        #[arg(long, num_args = 1..)]
        text: Vec<PathBuf>,
    },
    /// Character error rate of OCR text files against ground truth (whitespace-insensitive, NFKC).
    EvalOcr {
        #[arg(long, default_value = "scans/truth")]
        truth: PathBuf,
        #[arg(long, default_value = "output/text")]
        text: PathBuf,
    },
}

fn report_options(r: ReportArgs) -> greenbook::report::ReportOptions {
    greenbook::report::ReportOptions {
        date: r.date,
        only_district: r.only_district,
        font_dir: r.font_dir,
    }
}

fn print_pages(pages: &[greenbook::ocr::PageOcr]) {
    for p in pages {
        eprintln!(
            "{:<8} conf {:>5} {:>6} ms{}{}",
            p.label,
            p.mean_conf.map_or("—".into(), |c| format!("{c:.1}")),
            p.millis,
            if p.cached { " (cache)" } else { "" },
            p.error
                .as_ref()
                .map_or(String::new(), |e| format!(" ERROR {e}"))
        );
    }
}

fn ocr_options(
    e: &EngineArgs,
    out: &std::path::Path,
) -> Result<greenbook::ocr::OcrOptions, AppError> {
    let mut o = greenbook::ocr::OcrOptions::new(e.tessdata.as_deref(), &e.lang)?;
    if let Some(j) = e.jobs {
        if j == 0 {
            return Err(AppError::new(Exit::Usage, "--jobs must be at least 1"));
        }
        o.jobs = j;
    }
    o.force = e.force;
    o.cache_dir = (!e.no_cache).then(|| e.cache_dir.clone().unwrap_or_else(|| out.join("cache")));
    Ok(o)
}

fn run(cli: Cli) -> Result<Exit, AppError> {
    match cli.command {
        Command::RenderScans {
            excerpt,
            out,
            font_dir,
            seed,
            clean,
            only,
        } => {
            let s = greenbook::scan::render_scans(
                &excerpt,
                &font_dir,
                &out,
                seed,
                clean,
                only.as_deref(),
            )?;
            eprintln!(
                "rendered {} pages ({} bytes) into {}",
                s.pages,
                s.bytes,
                out.display()
            );
            Ok(Exit::Success)
        }
        Command::SynthBook {
            excerpt,
            out,
            font_dir,
            seed,
            clean,
        } => {
            let s = greenbook::scan::write_synth_book(&excerpt, &font_dir, &out, seed, clean)?;
            eprintln!(
                "rendered a synthetic book of {} pages ({} MB) into {}",
                s.pages,
                s.bytes / 1_000_000,
                out.display()
            );
            Ok(Exit::Success)
        }
        Command::Ocr {
            inputs,
            engine,
            text_dir,
            hocr_dir,
            pages_json,
            shard,
            shards,
            parts_dir,
        } => {
            let mut options = ocr_options(&engine, std::path::Path::new("output"))?;
            options.hocr = hocr_dir.is_some();
            let shard = match shard {
                Some(s) => Some(s),
                None => app::Shard::from_env(|k| std::env::var(k).ok(), shards)
                    .map_err(|e| AppError::new(Exit::Usage, e))?,
            };
            app::ensure_single_threaded_openmp();
            app::install_interrupt_handler();
            if let Some(shard) = shard {
                let out = app::run_shard(
                    &inputs,
                    &options,
                    shard,
                    &parts_dir,
                    app::reporter(cli.quiet).as_ref(),
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
                return Ok(out.exit());
            }
            let req = app::OcrRequest {
                inputs,
                options,
                text_dir,
                hocr_dir,
                pages_json: Some(pages_json),
                shard: None,
            };
            let out = app::run_ocr(&req, app::reporter(cli.quiet).as_ref())?;
            if cli.verbose > 0 {
                print_pages(&out.pages);
            }
            eprintln!(
                "ocr: {} pages, {} ok, {} failed, {} from cache",
                out.pages.len(),
                out.pages.len() - out.failed(),
                out.failed(),
                out.cached()
            );
            Ok(out.exit())
        }
        Command::Run {
            inputs,
            out,
            engine,
            report,
        } => {
            let options = ocr_options(&engine, &out)?;
            let report = report_options(report);
            app::ensure_single_threaded_openmp();
            app::install_interrupt_handler();
            let req = app::RunRequest {
                inputs,
                out,
                options,
                report,
            };
            let outcome = app::run_all(&req, app::reporter(cli.quiet).as_ref())?;
            if cli.verbose > 0 {
                print_pages(&outcome.ocr.pages);
            }
            eprintln!("{}", outcome.summary());
            Ok(outcome.exit())
        }
        Command::Merge {
            inputs,
            parts_dir,
            out,
            report,
        } => {
            let pages = app::merge_parts(&inputs, &parts_dir)?;
            let mut timings = app::Timings::default();
            let (ds, digests) = app::finish(
                &pages,
                &out,
                &report_options(report),
                &mut timings,
                app::reporter(cli.quiet).as_ref(),
            )?;
            app::write_pages_json(&out.join("pages.jsonl"), &pages)?;
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
        Command::Store { pages, out } => {
            let pages = app::read_pages_json(&pages)?;
            let ds = app::build_dataset(&pages);
            ds.write(&out, &app::source_of(&pages))?;
            eprintln!(
                "store: {} pages, {} contents entries, {} cases, {} facts → {}",
                ds.pages.len(),
                ds.contents.len(),
                ds.cases.len(),
                ds.facts.len(),
                out.display()
            );
            Ok(Exit::Success)
        }
        Command::Report { data, out, report } => {
            let ds = greenbook::store::Dataset::read(&data)?;
            let written = greenbook::report::write_all(
                &ds,
                &out,
                &report_options(report),
                app::reporter(cli.quiet).as_ref(),
            )?;
            for w in &written {
                eprintln!(
                    "{} ({} pages, {} KB)",
                    w.path.display(),
                    w.pages,
                    w.bytes / 1024
                );
            }
            Ok(Exit::Success)
        }
        Command::Stats { data } => {
            let ds = greenbook::store::Dataset::read(&data)?;
            print!("{}", greenbook::store::stats_table(&ds));
            Ok(Exit::Success)
        }
        Command::Extract { text, jsonl } => {
            let (pages, errors) = app::read_text_pages(&text)?;
            for e in &errors {
                eprintln!("greenbook: {e}");
            }
            let (book, cases) = app::extract_pages(&pages);
            for c in &cases {
                if jsonl {
                    println!("{}", greenbook::extract::jsonl_record(c));
                } else {
                    let show = |v: Option<String>| v.unwrap_or_else(|| "—".into());
                    println!(
                        "{} {} {}: households {} population {} green_rate {} founded {} elderly {} migrant {}",
                        c.page,
                        show(c.district.clone()),
                        show(c.community.clone()),
                        show(c.households.map(|v| v.to_string())),
                        show(c.population.map(|v| v.to_string())),
                        show(c.green_rate.map(|v| format!("{v}%"))),
                        show(c.founded_year.map(|v| v.to_string())),
                        show(c.elderly_share.map(|v| format!("{v}%"))),
                        show(c.migrant_share.map(|v| format!("{v}%"))),
                    );
                }
            }
            eprintln!(
                "extract: {} pages, {} contents entries, {} cases",
                pages.len(),
                book.contents.len(),
                cases.len()
            );
            Ok(if errors.is_empty() {
                Exit::Success
            } else {
                Exit::PartialSuccess
            })
        }
        Command::EvalExtract {
            gold,
            predicted,
            text,
        } => {
            let gold = app::read_jsonl(&gold)?;
            let predicted = match predicted {
                Some(p) => app::read_jsonl(&p)?,
                None => {
                    let (pages, _) = app::read_text_pages(&text)?;
                    app::extract_pages(&pages)
                        .1
                        .iter()
                        .map(greenbook::extract::jsonl_record)
                        .collect()
                }
            };
            app::eval_extract(&predicted, &gold);
            Ok(Exit::Success)
        }
        Command::EvalOcr { truth, text } => {
            app::eval_ocr(&truth, &text)?;
            Ok(Exit::Success)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("greenbook: {e}");
            e.exit.into()
        }
    }
}
