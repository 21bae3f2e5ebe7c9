//! The command line: parse flags, run the command, turn its error into an exit code. The commands and
//! their flags live in [`cli`], one module each; the work is done by `greenbook::pipeline`.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cli::Global;

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
    Run(cli::run::RunArgs),
    Ocr(cli::ocr::OcrArgs),
    Store(cli::store::StoreArgs),
    Report(cli::report::ReportCmdArgs),
    Stats(cli::stats::StatsArgs),
    Merge(cli::merge::MergeArgs),
    Extract(cli::extract::ExtractArgs),
    EvalOcr(cli::eval::EvalOcrArgs),
    EvalExtract(cli::eval::EvalExtractArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = Global {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match cli.command {
        Command::Run(a) => cli::run::command(a, global),
        Command::Ocr(a) => cli::ocr::command(a, global),
        Command::Store(a) => cli::store::command(a, global),
        Command::Report(a) => cli::report::command(a, global),
        Command::Stats(a) => cli::stats::command(a, global),
        Command::Merge(a) => cli::merge::command(a, global),
        Command::Extract(a) => cli::extract::command(a, global),
        Command::EvalOcr(a) => cli::eval::ocr_command(a, global),
        Command::EvalExtract(a) => cli::eval::extract_command(a, global),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("greenbook: {}", greenbook::text::printable(&e.to_string()));
            cli::exit_code(&e).into()
        }
    }
}
