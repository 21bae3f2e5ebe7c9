//! The report fonts: a TrueType-outline build of Noto Sans CJK SC (regular + bold, GBK coverage; see
//! `fonts/README.md`), built into the binary or read from `--font-dir`. Every report is checked
//! against the font's character map before typesetting, and the font is subset to the characters
//! the report uses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontRef};

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
    pub origin: &'static str,
}

impl ReportFonts {
    /// The built-in fonts, or the two files from `dir`.
    pub fn load(dir: Option<&Path>) -> Result<ReportFonts, ReportError> {
        let Some(dir) = dir else {
            return Ok(ReportFonts {
                regular: REGULAR.into(),
                bold: BOLD.into(),
                origin: "built-in",
            });
        };
        let read = |name: &str| -> Result<std::sync::Arc<[u8]>, ReportError> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| ReportError::Font {
                path: path.clone(),
                message: format!("cannot read report font: {e}"),
            })?;
            check_truetype(&path, &bytes)?;
            Ok(bytes.into())
        };
        Ok(ReportFonts {
            regular: read(REGULAR_FILE)?,
            bold: read(BOLD_FILE)?,
            origin: "font-dir",
        })
    }

    /// Characters of `text` that a face cannot print (whitespace and controls are ignored).
    pub fn missing(&self, text: &str) -> BTreeSet<char> {
        let mut out = BTreeSet::new();
        for face in [&self.regular, &self.bold] {
            let Ok(font) = FontRef::try_from_slice(face) else {
                return text.chars().collect();
            };
            for c in text.chars() {
                if !c.is_whitespace() && !c.is_control() && font.glyph_id(c).0 == 0 {
                    out.insert(c);
                }
            }
        }
        out
    }
}

impl ReportFonts {
    /// Both faces cut down to `chars` once, so that subsetting each document afterwards starts from a
    /// small font (subsetting the 22,000-glyph faces is most of a digest's cost). Characters the faces
    /// lack stay lacking, so [`ReportFonts::missing`] still finds them.
    pub fn narrowed(
        &self,
        chars: &BTreeSet<char>,
        what: &Path,
    ) -> Result<ReportFonts, ReportError> {
        Ok(ReportFonts {
            regular: subset(&self.regular, chars, what)?.into(),
            bold: subset(&self.bold, chars, what)?.into(),
            origin: self.origin,
        })
    }
}

/// genpdf 0.2 can embed only single-face fonts with TrueType (glyf) outlines.
fn check_truetype(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let bad = |m: &str| {
        Err(ReportError::Font {
            path: path.to_path_buf(),
            message: m.to_string(),
        })
    };
    match bytes.get(..4) {
        Some(b"ttcf") => bad("a font collection (.ttc); the PDF writer needs one TrueType face"),
        Some(b"OTTO") => bad("CFF-outline OpenType; the PDF writer needs TrueType outlines"),
        Some([0, 1, 0, 0]) | Some(b"true") => Ok(()),
        _ => bad("not a TrueType font"),
    }
}

/// The face subset to `chars` (keeping the cmap, so the PDF's text stays extractable).
pub fn subset(face: &[u8], chars: &BTreeSet<char>, what: &Path) -> Result<Vec<u8>, ReportError> {
    let set: std::collections::HashSet<char> = chars.iter().copied().collect();
    fontcull::subset_font_data(face, &set, &[]).map_err(|e| ReportError::Font {
        path: PathBuf::from(what),
        message: format!("font subsetting failed: {e:?}"),
    })
}
