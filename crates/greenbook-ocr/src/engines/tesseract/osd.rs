//! Orientation and script detection with Tesseract's OSD model (`osd.traineddata`, Debian package
//! `tesseract-ocr-osd`), through the C API: leptess does not wrap it. Used only on pages whose first
//! recognition looks wrong, so its cost is paid by rotated or foreign pages alone.

use std::path::Path;

use image::GrayImage;

use super::api::Api;
use crate::{Detector, Orientation};

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
}

impl Detector for Osd {
    /// Orientation and script of a page at `ppi` (None when OSD finds too little text to decide).
    fn detect(&mut self, img: &GrayImage, ppi: i32) -> Option<Orientation> {
        self.0.set_image(img, ppi);
        self.0.orientation_script()
    }
}
