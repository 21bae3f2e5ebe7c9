//! `greenbook-synth`: renders SYNTHETIC page scans for greenbook's tests and benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "greenbook-synth",
    version,
    about = "SYNTHETIC page scans for greenbook's tests and benchmarks (a developer tool)",
    after_help = "Examples:\n  cargo run -p greenbook-synth -- render-scans            # re-render the committed sample scans\n  cargo run -p greenbook-synth -- synth-book -o /tmp/book  # a synthetic full edition"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Typeset the book's text into synthetic page scans, with ground truth and a manifest.
    RenderScans {
        /// The book's extracted text.
        #[arg(long, default_value = "scans/source/excerpt.txt")]
        excerpt: PathBuf,
        /// Output folder.
        #[arg(long, short, default_value = "scans")]
        out: PathBuf,
        /// Folder with the Noto CJK collections (Debian package fonts-noto-cjk).
        #[arg(long, default_value = greenbook_synth::render::DEFAULT_FONT_DIR)]
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
        #[arg(long, default_value = greenbook_synth::render::DEFAULT_FONT_DIR)]
        font_dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Render without scan degradation.
        #[arg(long)]
        clean: bool,
    },
    /// SYNTHETIC evaluation pages: case pages of the synthetic book with the body in a book typeface
    /// (Ming or Kai), degraded like a scan, at a scanning resolution; truth and gold facts beside them.
    EvalSet {
        #[arg(long, default_value = "scans/source/excerpt.txt")]
        excerpt: PathBuf,
        #[arg(long, short)]
        out: PathBuf,
        #[arg(long, default_value = greenbook_synth::render::DEFAULT_FONT_DIR)]
        font_dir: PathBuf,
        /// Body typeface: ming or kai.
        #[arg(long, default_value = "ming", value_parser = parse_face)]
        face: greenbook_synth::BookFace,
        /// Chooses the cases, their facts and the degradation (use one seed to tune, another to report).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// At least this many pages (whole cases).
        #[arg(long, default_value_t = 30)]
        pages: usize,
        /// Scanning resolution.
        #[arg(long, default_value_t = 300)]
        dpi: u32,
        /// How the pages are captured: flat (a flatbed scan), tilt (up to ±3°, specks), worn (200 DPI,
        /// bleed-through, gutter curvature, JPEG 55), spread (two pages per image) or photo (a phone
        /// photo on a table).
        #[arg(long, default_value = "flat", value_parser = parse_capture)]
        capture: greenbook_synth::capture::Capture,
    },
}

fn parse_capture(s: &str) -> Result<greenbook_synth::capture::Capture, String> {
    greenbook_synth::capture::Capture::parse(s)
        .ok_or_else(|| format!("{s}: expected flat, tilt, worn, spread or photo"))
}

fn parse_face(s: &str) -> Result<greenbook_synth::BookFace, String> {
    greenbook_synth::BookFace::parse(s).ok_or_else(|| format!("{s}: expected ming or kai"))
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::RenderScans {
            excerpt,
            out,
            font_dir,
            seed,
            clean,
            only,
        } => greenbook_synth::render_scans(&excerpt, &font_dir, &out, seed, clean, only.as_deref())
            .map(|s| {
                format!(
                    "rendered {} pages ({} bytes) into {}",
                    s.pages,
                    s.bytes,
                    out.display()
                )
            }),
        Command::SynthBook {
            excerpt,
            out,
            font_dir,
            seed,
            clean,
        } => greenbook_synth::write_synth_book(&excerpt, &font_dir, &out, seed, clean).map(|s| {
            format!(
                "rendered a SYNTHETIC book of {} pages ({} MB) into {}",
                s.pages,
                s.bytes / 1_000_000,
                out.display()
            )
        }),
        Command::EvalSet {
            excerpt,
            out,
            font_dir,
            face,
            seed,
            pages,
            dpi,
            capture,
        } => greenbook_synth::write_eval_set(
            &excerpt,
            &font_dir,
            &out,
            &greenbook_synth::EvalSet {
                face,
                seed,
                pages,
                dpi,
                capture,
            },
        )
        .map(|s| {
            format!(
                "rendered {} SYNTHETIC evaluation pages into {}",
                s.pages,
                out.display()
            )
        }),
    };
    match result {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("greenbook-synth: {e}");
            ExitCode::from(match e {
                greenbook_synth::SynthError::Font { .. } => 5,
                greenbook_synth::SynthError::File(_) => 4,
                greenbook_synth::SynthError::Encode { .. } => 1,
            })
        }
    }
}
