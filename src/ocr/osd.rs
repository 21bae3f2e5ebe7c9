//! Orientation and script detection with Tesseract's OSD model (`osd.traineddata`, Debian package
//! `tesseract-ocr-osd`), through the C API: leptess does not wrap it. Used only on pages whose first
//! recognition looks wrong, so its cost is paid by rotated or foreign pages alone.

use std::ffi::{CStr, CString};
use std::path::Path;

use image::GrayImage;
use leptess::capi;

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

/// One OSD engine (a raw `TessBaseAPI` initialised with the `osd` model).
pub struct Osd {
    handle: *mut capi::TessBaseAPI,
}

// SAFETY: a TessBaseAPI may move between threads; it is only ever used by one thread at a time
// (each worker owns its own in a thread_local).
unsafe impl Send for Osd {}

impl Osd {
    /// None when `osd.traineddata` is not in `tessdata`.
    pub fn new(tessdata: &Path) -> Option<Osd> {
        if !tessdata.join("osd.traineddata").is_file() {
            return None;
        }
        let dir = CString::new(tessdata.to_string_lossy().as_bytes()).ok()?;
        let lang = CString::new("osd").ok()?;
        // SAFETY: plain C API calls with valid NUL-terminated strings; the handle is deleted on drop.
        unsafe {
            let handle = capi::TessBaseAPICreate();
            if handle.is_null() {
                return None;
            }
            if capi::TessBaseAPIInit3(handle, dir.as_ptr(), lang.as_ptr()) != 0 {
                capi::TessBaseAPIDelete(handle);
                return None;
            }
            let name = CString::new("debug_file").ok()?;
            let null = CString::new("/dev/null").ok()?;
            capi::TessBaseAPISetVariable(handle, name.as_ptr(), null.as_ptr());
            Some(Osd { handle })
        }
    }

    /// Orientation and script of a page (None when OSD finds too little text to decide).
    pub fn detect(&mut self, img: &GrayImage) -> Option<Orientation> {
        let (w, h) = (img.width() as i32, img.height() as i32);
        let (mut deg, mut conf, mut script_conf) = (0i32, 0f32, 0f32);
        let mut script: *const std::os::raw::c_char = std::ptr::null();
        // SAFETY: the image buffer outlives the calls (Tesseract copies it in SetImage); out-pointers
        // are valid locals; the script name points into Tesseract's static unicharset.
        let ok = unsafe {
            capi::TessBaseAPISetImage(self.handle, img.as_raw().as_ptr(), w, h, 1, w);
            capi::TessBaseAPISetSourceResolution(self.handle, 300);
            capi::TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            )
        };
        if ok == 0 {
            return None;
        }
        let script = if script.is_null() {
            String::new()
        } else {
            // SAFETY: non-null, NUL-terminated, static in Tesseract.
            unsafe { CStr::from_ptr(script) }
                .to_string_lossy()
                .into_owned()
        };
        Some(Orientation {
            degrees: deg.rem_euclid(360) as u16,
            confidence: conf,
            script,
            script_confidence: script_conf,
        })
    }
}

impl Drop for Osd {
    fn drop(&mut self) {
        // SAFETY: handle came from TessBaseAPICreate and is deleted once.
        unsafe {
            capi::TessBaseAPIEnd(self.handle);
            capi::TessBaseAPIDelete(self.handle);
        }
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
