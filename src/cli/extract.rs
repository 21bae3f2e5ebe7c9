//! `greenbook extract`: facts per case from text files (transcriptions or OCR output).

use std::path::PathBuf;

use clap::Args;
use greenbook::pipeline::Error;
use greenbook::pipeline::extract_text::{extract_pages, read_text_pages};

use super::flags::EditionArg;
use super::{Exit, Global};

/// Facts per case from UTF-8 text files or folders of .txt pages (transcriptions or OCR output).
#[derive(Args, Debug, Clone)]
pub struct ExtractArgs {
    /// Text files or folders.
    #[arg(long, required = true, num_args = 1..)]
    pub text: Vec<PathBuf>,
    /// One JSON object per case (source, page, district, community and the six facts).
    #[arg(long)]
    pub jsonl: bool,
    /// Under each case, why each fact was taken and the figures refused for it (as `facts.parquet`'s
    /// `why` and `refused` columns give them).
    #[arg(long)]
    pub why: bool,
    #[command(flatten)]
    pub edition: EditionArg,
}

/// `greenbook extract`.
pub fn command(args: ExtractArgs, _global: Global) -> Result<Exit, Error> {
    args.edition.load()?;
    let (pages, errors) = read_text_pages(&args.text)?;
    for e in &errors {
        eprintln!("greenbook: {e}");
    }
    let (book, cases) = extract_pages(&pages);
    for c in &cases {
        if args.jsonl {
            println!("{}", greenbook::extract::jsonl_record(c));
        } else {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            let facts: Vec<String> = c
                .values
                .iter()
                .map(|(f, v)| format!("{} {}", f.name(), v.map_or("—".into(), |v| f.show(v))))
                .collect();
            println!(
                "{} {} {}: {}",
                c.page,
                show(&c.district),
                show(&c.community),
                facts.join(" ")
            );
        }
        if args.why {
            for f in &c.facts {
                println!("  {}", f.why);
                for r in &f.refused {
                    println!("    refused {}", r.show());
                }
            }
            for r in &c.refused {
                println!("  refused {}: {}", r.field.name(), r.show());
            }
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
