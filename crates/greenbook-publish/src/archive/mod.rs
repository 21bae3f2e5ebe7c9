//! The archive's outputs: what a library keeps of each page and of the volume. The text of each page
//! (`text/`), its hOCR (`greenbook ocr --hocr-dir`) and ALTO 4.4 ([`alto`]), the whole book's text
//! (`book.txt`), the searchable PDF of the volume ([`book_pdf`]), and what a library publishes and
//! ingests: the IIIF manifest with the page images ([`iiif`]) and METS ([`mets`]).

pub mod alto;
pub mod book_pdf;
pub mod iiif;
pub mod mets;

use std::path::{Path, PathBuf};

use crate::ReportError;
use crate::io::FileError;
use crate::io::write_atomic;
use crate::ocr::PageOcr;

/// Writes `<label>.txt` per page (UTF-8) into `dir`. A page that failed has no text file (`run`
/// removes one an earlier run wrote, see [`crate::io::outputs::Ledger`]).
pub fn write_text_dir(pages: &[PageOcr], dir: &Path) -> Result<(), ReportError> {
    for p in pages.iter().filter(|p| p.reading.error.is_none()) {
        let path = confined(dir, &p.reading.label, ".txt")?;
        write_atomic(&path, p.reading.text.as_bytes())?;
    }
    Ok(())
}

/// `dir/<label><ext>`, or an error if the label would leave `dir` (see
/// [`crate::io::outputs::confine`]).
pub(crate) fn confined(dir: &Path, label: &str, ext: &str) -> Result<PathBuf, ReportError> {
    Ok(crate::io::outputs::confine(dir, label, ext).map_err(FileError::write(dir))?)
}

/// Writes the whole book's text in reading order into one UTF-8 file: a marker line per page
/// (`=== page LABEL (FILE) ===`, with the error for a page that was not read), then its text.
pub fn write_book_text(pages: &[PageOcr], path: &Path) -> Result<(), ReportError> {
    let mut out = String::new();
    for p in pages {
        let file = crate::text::printable(&crate::io::file_name(&p.reading.file)).into_owned();
        let label = crate::text::printable(&p.reading.label).into_owned();
        let frame = if p.reading.frame > 0 {
            format!(" frame {}", p.reading.frame + 1)
        } else {
            String::new()
        };
        match &p.reading.error {
            None => {
                out.push_str(&format!("=== page {label} ({file}{frame}) ===\n"));
                out.push_str(p.reading.text.trim_end());
                out.push('\n');
            }
            Some(e) => out.push_str(&format!(
                "=== page {label} ({file}{frame}) not read: {} ===\n",
                crate::text::printable(&e.message)
            )),
        }
    }
    write_atomic(path, out.as_bytes()).map_err(Into::into)
}

/// Writes `<label>.hocr` per page into `dir`.
pub fn write_hocr_dir(pages: &[PageOcr], dir: &Path) -> Result<(), ReportError> {
    for p in pages {
        if let Some(h) = &p.hocr {
            let doc = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"zh\" lang=\"zh\">\n<head>\n<title>{}</title>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<meta name=\"ocr-system\" content=\"greenbook ({})\"/>\n<meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf\"/>\n</head>\n<body>\n{}</body>\n</html>\n",
                crate::text::escape_xml(&p.reading.label),
                crate::text::escape_xml(&p.reading.engine),
                h
            );
            let path = confined(dir, &p.reading.label, ".hocr")?;
            write_atomic(&path, doc.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::{PageError, PageErrorKind};

    fn page(label: &str, text: &str, error: Option<PageErrorKind>) -> PageOcr {
        let src = crate::input::PageSource::frame(label, format!("{label}.png"), 0);
        let mut p = PageOcr::blank(&src, "test");
        p.reading.text = text.into();
        p.reading.error = error.map(|k| PageError::new(k, "blank page"));
        p
    }

    /// A page that fails leaves no text file, and the one an earlier whole run wrote for it is
    /// removed (it was scored as this run's text before); a file greenbook did not write is left alone.
    #[test]
    fn a_failed_page_leaves_no_stale_text_file() {
        use crate::io::outputs::Ledger;
        let dir = tempfile::tempdir().unwrap();
        let text_dir = dir.path().join("text");
        std::fs::create_dir_all(&text_dir).unwrap();
        std::fs::write(text_dir.join("notes.txt"), "a user's notes").unwrap();
        let ledger = Ledger::open(dir.path()).unwrap();
        write_text_dir(&[page("p1", "一", None), page("p2", "二", None)], &text_dir).unwrap();
        ledger.close(true).unwrap();
        assert_eq!(
            std::fs::read_to_string(text_dir.join("p2.txt")).unwrap(),
            "二"
        );
        // p2 is now blank.
        let ledger = Ledger::open(dir.path()).unwrap();
        let again = [
            page("p1", "一", None),
            page("p2", "", Some(PageErrorKind::Blank)),
        ];
        write_text_dir(&again, &text_dir).unwrap();
        ledger.close(true).unwrap();
        assert!(text_dir.join("p1.txt").is_file());
        assert!(!text_dir.join("p2.txt").exists(), "stale text removed");
        assert!(text_dir.join("notes.txt").is_file(), "a user's file kept");
    }
}
