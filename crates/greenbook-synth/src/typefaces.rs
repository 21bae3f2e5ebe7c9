//! The typefaces SYNTHETIC pages are set in (Noto CJK by default; Ming and Kai for evaluation pages)
//! and the text styles of the book's page elements.

use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};

use crate::SynthError;
use crate::excerpt::Style;
use crate::render::PT;

/// Where Debian's `fonts-noto-cjk` puts its collections.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";
/// Index of the Simplified Chinese face inside the Noto CJK `.ttc` collections (`fc-list : file index family`).
pub(crate) const SC_INDEX: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Serif,
    Sans,
    SansBold,
}

/// The three faces the book uses: Song (serif) body, sans and bold sans headings.
pub struct FontSet {
    serif: FontVec,
    sans: FontVec,
    sans_bold: FontVec,
}

impl FontSet {
    pub fn load(dir: &Path) -> Result<FontSet, SynthError> {
        let load = |name: &str| -> Result<FontVec, SynthError> {
            let path = dir.join(name);
            let data = std::fs::read(&path).map_err(|e| SynthError::Font {
                path: path.clone(),
                reason: format!("{e} (install the Debian package fonts-noto-cjk)"),
            })?;
            FontVec::try_from_vec_and_index(data, SC_INDEX).map_err(|e| SynthError::Font {
                path,
                reason: e.to_string(),
            })
        };
        Ok(FontSet {
            serif: load("NotoSerifCJK-Regular.ttc")?,
            sans: load("NotoSansCJK-Regular.ttc")?,
            sans_bold: load("NotoSansCJK-Bold.ttc")?,
        })
    }

    /// The same set with its body (serif) face taken from face `index` of the collection `path`.
    pub fn with_body(self, path: &Path, index: u32) -> Result<FontSet, SynthError> {
        let data = std::fs::read(path).map_err(|e| SynthError::Font {
            path: path.to_path_buf(),
            reason: format!(
                "{e} (install the Debian packages fonts-arphic-uming fonts-arphic-ukai)"
            ),
        })?;
        let serif = FontVec::try_from_vec_and_index(data, index).map_err(|e| SynthError::Font {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(FontSet { serif, ..self })
    }

    pub(crate) fn face(&self, f: Face) -> &FontVec {
        match f {
            Face::Serif => &self.serif,
            Face::Sans => &self.sans,
            Face::SansBold => &self.sans_bold,
        }
    }

    pub(crate) fn scale(&self, f: Face, em_px: f32) -> PxScale {
        let font = self.face(f);
        let upem = font.units_per_em().unwrap_or(1000.0);
        PxScale::from(em_px * font.height_unscaled() / upem)
    }

    pub(crate) fn advance(&self, f: Face, em_px: f32, c: char) -> f32 {
        let font = self.face(f);
        font.as_scaled(self.scale(f, em_px))
            .h_advance(font.glyph_id(c))
    }
}

/// A text style resolved to a face, an em size in pixels and a line height factor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextFont {
    pub(crate) face: Face,
    pub(crate) px: f32,
    pub(crate) leading: f32,
}

pub(crate) fn style_font(s: Style) -> TextFont {
    let (face, pt, leading) = match s {
        Style::CoverTitle => (Face::SansBold, 30.0, 1.5),
        Style::CoverSub => (Face::SansBold, 22.0, 1.5),
        Style::Heading => (Face::SansBold, 14.0, 1.8),
        Style::Latin => (Face::Sans, 9.0, 1.6),
        Style::Body => (Face::Serif, 10.5, 1.75),
        Style::Small => (Face::Serif, 9.0, 1.6),
        Style::ChapterNumber => (Face::SansBold, 48.0, 1.3),
        Style::ChapterName => (Face::SansBold, 24.0, 1.5),
    };
    text_font(face, pt, leading)
}

/// A typeface at `pt` points with `leading` times its size between baselines.
pub(crate) const fn text_font(face: Face, pt: f32, leading: f32) -> TextFont {
    TextFont {
        face,
        px: pt * PT,
        leading,
    }
}

pub(crate) const BODY: TextFont = text_font(Face::Serif, 10.5, 1.7);
pub(crate) const SECTION: TextFont = text_font(Face::SansBold, 12.0, 2.0);
pub(crate) const SUB1: TextFont = text_font(Face::SansBold, 10.5, 1.9);
pub(crate) const SUB2: TextFont = text_font(Face::Sans, 10.5, 1.8);
pub(crate) const CASE_TITLE: TextFont = text_font(Face::SansBold, 16.0, 1.6);
pub(crate) const SUBTITLE: TextFont = text_font(Face::Serif, 11.0, 1.8);
pub(crate) const TOC_CHAPTER: TextFont = text_font(Face::SansBold, 10.0, 1.5);
pub(crate) const TOC_ENTRY: TextFont = text_font(Face::Serif, 9.0, 1.36);
pub(crate) const CAPTION: TextFont = text_font(Face::Serif, 9.0, 1.6);
pub(crate) const RUNNING: TextFont = text_font(Face::Serif, 9.0, 1.0);
