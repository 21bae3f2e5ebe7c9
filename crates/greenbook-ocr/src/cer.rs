//! Character error rate of OCR text files against ground truth (`greenbook eval-ocr`).

use std::path::{Path, PathBuf};

use crate::OcrError;
use crate::io::FileError;

/// CER of one page against its truth file.
#[derive(Debug, Clone)]
pub struct PageScore {
    pub label: String,
    pub truth_chars: usize,
    pub edits: usize,
}

/// Compares `<label>.txt` files in `text_dir` with `truth_dir`; a page with no OCR text counts as all
/// wrong (every truth character is an edit).
pub fn evaluate(truth_dir: &Path, text_dir: &Path) -> Result<Vec<PageScore>, OcrError> {
    let rd = std::fs::read_dir(truth_dir).map_err(FileError::read(truth_dir))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let truth = std::fs::read_to_string(&f).map_err(FileError::read(&f))?;
        let label = f
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let hyp =
            std::fs::read_to_string(text_dir.join(format!("{label}.txt"))).unwrap_or_default();
        let (edits, truth_chars) = crate::text::edit_counts(&truth, &hyp);
        out.push(PageScore {
            label,
            truth_chars,
            edits,
        });
    }
    Ok(out)
}
