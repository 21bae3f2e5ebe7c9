//! Structure, facts and the Parquet files from the OCR stage's pages.

use std::path::Path;

use crate::Error;
use crate::book::PageText;
use crate::dataset::Dataset;
use crate::ocr::PageOcr;

/// Page texts for the structure stage from OCR results (failed pages keep their place, empty: a
/// duplicate or foreign-language page has text, but it is not used).
pub fn page_texts(pages: &[PageOcr]) -> Vec<PageText> {
    pages
        .iter()
        .map(|p| PageText {
            label: p.reading.label.clone(),
            source: p.reading.file.clone(),
            text: if p.reading.error.is_some() {
                String::new()
            } else {
                p.reading.text.clone()
            },
            conf: p.reading.mean_conf,
            words: if p.reading.error.is_some() {
                Vec::new()
            } else {
                p.words.iter().map(|w| (w.text.clone(), w.conf)).collect()
            },
            alternates: p.alternates.clone(),
        })
        .collect()
}

/// Structure → extraction → rows, from OCR results.
pub fn build_dataset(pages: &[PageOcr]) -> Dataset {
    let texts = page_texts(pages);
    let (book, facts) = crate::extract_text::extract_pages(&texts);
    Dataset::build(pages, &book, &facts)
}

/// The `greenbook.source` metadata: the folders the page images came from, in page order.
pub fn source_of(pages: &[PageOcr]) -> String {
    let mut dirs: Vec<String> = Vec::new();
    for p in pages {
        let d = Path::new(&p.reading.file)
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs.join(" ")
}

/// `pages.jsonl` → structure, facts and the Parquet files in `out`.
pub fn store(pages_json: &Path, out: &Path) -> Result<Dataset, Error> {
    let pages = crate::ocr_stage::read_pages_json(pages_json)?;
    let held = crate::hold(out)?;
    let ds = build_dataset(&pages);
    ds.write(out, &source_of(&pages))?;
    held.close(false)?;
    Ok(ds)
}
