//! The report fonts: a TrueType-outline build of Noto Sans CJK SC (regular + bold, GBK coverage; see
//! `fonts/README.md`), built into the binary or read from `--font-dir`. Every digest is checked
//! against the fonts' character maps before typesetting; Typst embeds only the glyphs it uses.

use std::path::Path;

use super::ReportError;

pub const REGULAR_FILE: &str = "GreenbookSansSC-Regular.ttf";
pub const BOLD_FILE: &str = "GreenbookSansSC-Bold.ttf";
static REGULAR: &[u8] = include_bytes!("../../../fonts/GreenbookSansSC-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/GreenbookSansSC-Bold.ttf");

/// Regular and bold faces.
#[derive(Clone)]
pub struct ReportFonts {
    pub regular: std::sync::Arc<[u8]>,
    pub bold: std::sync::Arc<[u8]>,
}

impl ReportFonts {
    /// The built-in fonts, or the two files from `dir`.
    pub fn load(dir: Option<&Path>) -> Result<ReportFonts, ReportError> {
        let Some(dir) = dir else {
            return Ok(ReportFonts {
                regular: REGULAR.into(),
                bold: BOLD.into(),
            });
        };
        let read = |name: &str| -> Result<std::sync::Arc<[u8]>, ReportError> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| ReportError::Font {
                path: path.clone(),
                message: format!("cannot read report font: {e}"),
            })?;
            check_single_face(&path, &bytes)?;
            Ok(bytes.into())
        };
        Ok(ReportFonts {
            regular: read(REGULAR_FILE)?,
            bold: read(BOLD_FILE)?,
        })
    }
}

/// One font face per file: the typesetter and the charts' rasteriser read a single face.
fn check_single_face(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let bad = |m: &str| {
        Err(ReportError::Font {
            path: path.to_path_buf(),
            message: m.to_string(),
        })
    };
    match bytes.get(..4) {
        Some(b"ttcf") => bad("a font collection (.ttc); give one TrueType or OpenType face"),
        Some([0, 1, 0, 0]) | Some(b"true") | Some(b"OTTO") => Ok(()),
        _ => bad("not a TrueType or OpenType font"),
    }
}
