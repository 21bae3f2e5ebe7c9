//! Orientation and script detection with Tesseract's OSD model (`osd.traineddata`, Debian package
//! `tesseract-ocr-osd`), through the C API: leptess does not wrap it. Used only on pages whose first
//! recognition looks wrong, so its cost is paid by rotated or foreign pages alone.

use std::path::Path;

use image::GrayImage;

use super::tesseract::Api;

/// What OSD found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Orientation {
    /// Clockwise rotation of the page as scanned: 0, 90, 180 or 270.
    pub degrees: u16,
    pub confidence: f32,
    /// Script name, e.g. "Han", "Latin", "Cyrillic".
    pub script: String,
    pub script_confidence: f32,
}

/// One OSD engine: a Tesseract API initialised with the `osd` model.
pub struct Osd(Api);

impl Osd {
    /// None when `osd.traineddata` is not in `tessdata`.
    pub fn new(tessdata: &Path) -> Option<Osd> {
        if !tessdata.join("osd.traineddata").is_file() {
            return None;
        }
        Api::new(tessdata, "osd").map(Osd)
    }

    /// Orientation and script of a page at `ppi` (None when OSD finds too little text to decide).
    pub fn detect(&mut self, img: &GrayImage, ppi: i32) -> Option<Orientation> {
        self.0.set_image(img, ppi);
        self.0.orientation_script()
    }
}

/// Rotates a page clockwise by `degrees` (0, 90, 180, 270).
pub fn rotate(img: &GrayImage, degrees: u16) -> GrayImage {
    match degrees {
        90 => image::imageops::rotate90(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}
