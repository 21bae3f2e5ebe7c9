//! The command line: parse flags, run the command, turn its error into an exit code. The commands and
//! their flags live in `greenbook::cmd`, one module each.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use greenbook::cmd::{self, Global};

#[derive(Parser)]
#[command(
    name = "greenbook",
    version,
    about = "Scanned pages of a printed Chinese book → text, structure, facts, Parquet and PDF digests",
    after_help = "Examples:\n  greenbook run                               # scans/ → output/ (every stage)\n  greenbook ocr scans/ --text-dir output/text # OCR every page, one .txt per page\n  greenbook eval-ocr                          # CER of output/text against scans/truth"
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

#[derive(Subcommand)]
enum Command {
    Run(cmd::run::RunArgs),
    Ocr(cmd::ocr::OcrArgs),
    Store(cmd::store::StoreArgs),
    Report(cmd::report::ReportCmdArgs),
    Stats(cmd::stats::StatsArgs),
    Merge(cmd::merge::MergeArgs),
    Extract(cmd::extract::ExtractArgs),
    EvalOcr(cmd::eval::EvalOcrArgs),
    EvalExtract(cmd::eval::EvalExtractArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = Global {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match cli.command {
        Command::Run(a) => cmd::run::command(a, global),
        Command::Ocr(a) => cmd::ocr::command(a, global),
        Command::Store(a) => cmd::store::command(a, global),
        Command::Report(a) => cmd::report::command(a, global),
        Command::Stats(a) => cmd::stats::command(a, global),
        Command::Merge(a) => cmd::merge::command(a, global),
        Command::Extract(a) => cmd::extract::command(a, global),
        Command::EvalOcr(a) => cmd::eval::ocr_command(a, global),
        Command::EvalExtract(a) => cmd::eval::extract_command(a, global),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("greenbook: {}", greenbook::text::printable(&e.to_string()));
            e.exit().into()
        }
    }
}
