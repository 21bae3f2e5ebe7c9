//! `greenbook extract`: facts per case from text files (transcriptions or OCR output).

use std::path::PathBuf;

use clap::Args;

use super::{Error, Exit, Global};
use crate::book::{Book, PageText};
use crate::extract::CaseFacts;

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
    pub edition: super::flags::EditionArg,
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
            println!("{}", crate::extract::jsonl_record(c));
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

/// Reads transcription files (or folders of `.txt`, natural order) as pages. Files that are not UTF-8
/// text are reported by name and skipped; they are returned as errors beside the pages.
pub fn read_text_pages(paths: &[PathBuf]) -> Result<(Vec<PageText>, Vec<String>), Error> {
    let read_err = |p: &PathBuf| {
        let path = p.clone();
        move |source| Error::Read { path, source }
    };
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(read_err(p))?;
        if meta.is_dir() {
            let rd = std::fs::read_dir(p).map_err(read_err(p))?;
            let mut v: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|e| e == "txt"))
                .collect();
            v.sort_by_key(|f| {
                crate::input::natural_key(&f.file_name().unwrap_or_default().to_string_lossy())
            });
            files.extend(v);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Err(Error::BadInput("no text files (*.txt) found".into()));
    }
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{}: cannot read: {e}", f.display()));
                continue;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) if text.contains('\0') => {
                errors.push(format!("{}: binary data, not text", f.display()))
            }
            Ok(text) => pages.push(PageText::transcription(
                f.file_stem().unwrap_or_default().to_string_lossy(),
                f.display().to_string(),
                text,
            )),
            Err(e) => errors.push(format!(
                "{}: not UTF-8 text (invalid byte at offset {})",
                f.display(),
                e.utf8_error().valid_up_to()
            )),
        }
    }
    Ok((pages, errors))
}

/// Structure + extraction over text pages.
pub fn extract_pages(pages: &[PageText]) -> (Book, Vec<CaseFacts>) {
    let book = crate::book::read(pages);
    let facts = crate::extract::extract(&book, pages);
    (book, facts)
}
