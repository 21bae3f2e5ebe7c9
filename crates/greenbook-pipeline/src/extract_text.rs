//! Facts per case from text files (transcriptions or OCR output).

use std::path::PathBuf;

use crate::Error;
use crate::book::{Book, PageText};
use crate::extract::CaseFacts;
use crate::io::FileError;

/// Reads transcription files (or folders of `.txt`, natural order) as pages. Files that are not UTF-8
/// text are reported by name and skipped; they are returned as errors beside the pages.
pub fn read_text_pages(paths: &[PathBuf]) -> Result<(Vec<PageText>, Vec<String>), Error> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(FileError::read(p))?;
        if meta.is_dir() {
            let rd = std::fs::read_dir(p).map_err(FileError::read(p))?;
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
