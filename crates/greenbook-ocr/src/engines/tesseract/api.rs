//! Tesseract's C API, which leptess re-exports: recognition, layout analysis and orientation
//! detection on grey pixels.

use std::ffi::{CStr, CString};
use std::path::Path;

use image::GrayImage;
use leptess::capi;

use crate::{LineBox, Orientation, Word};

/// A `TessBaseAPI` through the C API that leptess re-exports (`leptess::capi`). `LepTess` takes an image
/// only as an encoded file, and decoding a PNM per page cost 23 ms of ~900 (BENCHMARKS.md); here the grey
/// pixels go straight in. It also runs OSD, which `LepTess` does not wrap.
pub struct Api {
    handle: *mut capi::TessBaseAPI,
}

// SAFETY: a TessBaseAPI may move between threads; it is used by one thread at a time (`&mut self`, and
// the engine pools hand each engine to one worker at a time). It is not `Sync`.
unsafe impl Send for Api {}

impl Api {
    /// Loads `lang` from `tessdata`; None when Tesseract refuses (missing or broken model).
    pub fn new(tessdata: &Path, lang: &str) -> Option<Api> {
        let dir = CString::new(tessdata.to_string_lossy().as_bytes()).ok()?;
        let lang = CString::new(lang).ok()?;
        // SAFETY: plain C API calls with valid NUL-terminated strings; the handle is deleted on drop
        // or here when Init fails.
        unsafe {
            let handle = capi::TessBaseAPICreate();
            if handle.is_null() {
                return None;
            }
            if capi::TessBaseAPIInit3(handle, dir.as_ptr(), lang.as_ptr()) != 0 {
                capi::TessBaseAPIDelete(handle);
                return None;
            }
            let mut api = Api { handle };
            api.set("debug_file", "/dev/null").ok()?;
            Some(api)
        }
    }

    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let bad = || format!("cannot set {name}={value}");
        let (n, v) = (
            CString::new(name).map_err(|_| bad())?,
            CString::new(value).map_err(|_| bad())?,
        );
        // SAFETY: valid handle and NUL-terminated strings.
        match unsafe { capi::TessBaseAPISetVariable(self.handle, n.as_ptr(), v.as_ptr()) } {
            0 => Err(bad()),
            _ => Ok(()),
        }
    }

    /// Hands Tesseract the grey pixels (it copies them) and their resolution.
    pub fn set_image(&mut self, img: &GrayImage, ppi: i32) {
        let (w, h) = (img.width() as i32, img.height() as i32);
        // SAFETY: the buffer holds exactly w×h bytes, one byte per pixel, w bytes per line, and
        // outlives the call (Tesseract copies it).
        unsafe {
            capi::TessBaseAPISetImage(self.handle, img.as_raw().as_ptr(), w, h, 1, w);
            capi::TessBaseAPISetSourceResolution(self.handle, ppi);
        }
    }

    pub fn recognize(&mut self) -> Result<(), String> {
        // SAFETY: valid handle; a null monitor is allowed.
        match unsafe { capi::TessBaseAPIRecognize(self.handle, std::ptr::null_mut()) } {
            0 => Ok(()),
            _ => Err("Tesseract recognition failed".into()),
        }
    }

    /// Takes a string Tesseract allocated, copies it and frees it.
    pub(super) fn take(ptr: *mut std::os::raw::c_char, what: &str) -> Result<String, String> {
        if ptr.is_null() {
            return Err(format!("Tesseract gave no {what} output"));
        }
        // SAFETY: non-null, NUL-terminated, allocated by Tesseract and freed once with TessDeleteText.
        let text = unsafe { CStr::from_ptr(ptr) }
            .to_str()
            .map(str::to_owned)
            .map_err(|e| format!("{what} output is not UTF-8: {e}"));
        unsafe { capi::TessDeleteText(ptr) };
        text
    }

    #[cfg(test)]
    pub fn tsv(&mut self) -> Result<String, String> {
        // SAFETY: valid handle, after Recognize.
        Api::take(
            unsafe { capi::TessBaseAPIGetTsvText(self.handle, 0) },
            "TSV",
        )
    }

    pub fn hocr(&mut self) -> Result<String, String> {
        // SAFETY: valid handle, after Recognize.
        Api::take(
            unsafe { capi::TessBaseAPIGetHOCRText(self.handle, 0) },
            "hOCR",
        )
    }

    /// The recognised words with their boxes, confidences and block/paragraph/line numbers, read with the
    /// result iterator the way `GetTSVText` reads them, without formatting and parsing the TSV.
    #[cfg(test)]
    pub fn words(&mut self) -> Result<Vec<Word>, String> {
        self.words_with(|text| Api::take(text, "word"))
            .map(|(words, _)| words)
    }

    /// [`Api::words`] and the box of every line that has a word, numbered as the words number it.
    pub fn words_and_lines(&mut self) -> Result<(Vec<Word>, Vec<LineBox>), String> {
        self.words_with(|text| Api::take(text, "word"))
    }

    /// [`Api::words`] with the step that takes each word's text given: the iterator is deleted on every
    /// path out, an error from `take` included ([`ResultIter`]).
    pub(super) fn words_with(
        &mut self,
        take: impl Fn(*mut std::os::raw::c_char) -> Result<String, String>,
    ) -> Result<(Vec<Word>, Vec<LineBox>), String> {
        use capi::{
            TessPageIteratorLevel_RIL_BLOCK as BLOCK, TessPageIteratorLevel_RIL_PARA as PARA,
            TessPageIteratorLevel_RIL_TEXTLINE as LINE, TessPageIteratorLevel_RIL_WORD as WORD,
        };
        let mut words = Vec::new();
        let mut lines: Vec<LineBox> = Vec::new();
        // SAFETY: valid handle after Recognize.
        let Some(it) = ResultIter::new(unsafe { capi::TessBaseAPIGetIterator(self.handle) }) else {
            return Ok((words, lines));
        };
        // SAFETY: `it.0` is a live iterator until `it` drops; the page iterator belongs to it; each
        // word's text is taken (copied and freed) by `take`.
        unsafe {
            let page = capi::TessResultIteratorGetPageIteratorConst(it.0);
            let (mut block, mut par, mut line) = (0u32, 0u32, 0u32);
            loop {
                let text = capi::TessResultIteratorGetUTF8Text(it.0, WORD);
                // A null word is an empty position (an image block): skipped before any counting.
                if !text.is_null() {
                    let text = take(text)?;
                    if capi::TessPageIteratorIsAtBeginningOf(page, BLOCK) != 0 {
                        (block, par, line) = (block + 1, 0, 0);
                    }
                    if capi::TessPageIteratorIsAtBeginningOf(page, PARA) != 0 {
                        (par, line) = (par + 1, 0);
                    }
                    if capi::TessPageIteratorIsAtBeginningOf(page, LINE) != 0 {
                        line += 1;
                    }
                    let (x, y, w, h) = bounding_box(page, WORD).unwrap_or_default();
                    let conf = capi::TessResultIteratorConfidence(it.0, WORD);
                    let text = text.trim();
                    if !text.is_empty()
                        && lines
                            .last()
                            .is_none_or(|l| (l.block, l.par, l.line) != (block, par, line))
                    {
                        let (x, y, w, h) = bounding_box(page, LINE).unwrap_or_default();
                        lines.push(LineBox {
                            block,
                            par,
                            line,
                            x,
                            y,
                            w,
                            h,
                        });
                    }
                    if !text.is_empty() {
                        words.push(Word {
                            text: text.to_string(),
                            conf,
                            block,
                            par,
                            line,
                            x,
                            y,
                            w,
                            h,
                            char_conf: Vec::new(),
                        });
                    }
                }
                if capi::TessResultIteratorNext(it.0, WORD) == 0 {
                    break;
                }
            }
        }
        Ok((words, lines))
    }

    /// Tesseract's layout analysis alone (no recognition): the text lines of the image set, in reading
    /// order, with block/paragraph/line numbers as [`Api::words`] numbers them. Image, line-art and
    /// noise blocks are left out.
    pub fn layout_lines(&mut self) -> Vec<LineBox> {
        use capi::{
            TessPageIteratorLevel_RIL_BLOCK as BLOCK, TessPageIteratorLevel_RIL_PARA as PARA,
            TessPageIteratorLevel_RIL_TEXTLINE as LINE,
        };
        let mut lines = Vec::new();
        // SAFETY: valid handle with an image set; the iterator is checked for null and deleted once
        // (PageIter's drop).
        let Some(it) = PageIter::new(unsafe { capi::TessBaseAPIAnalyseLayout(self.handle) }) else {
            return lines;
        };
        let (mut block, mut par, mut line) = (0u32, 0u32, 0u32);
        // SAFETY: `it.0` is live until `it` drops; out-pointers are valid locals.
        unsafe {
            loop {
                if capi::TessPageIteratorIsAtBeginningOf(it.0, BLOCK) != 0 {
                    (block, par, line) = (block + 1, 0, 0);
                }
                if capi::TessPageIteratorIsAtBeginningOf(it.0, PARA) != 0 {
                    (par, line) = (par + 1, 0);
                }
                line += 1;
                // PolyBlockType: 1–8 are text (flowing, heading, pull-out, equations, table, vertical,
                // caption); 0 unknown, 9–14 images, rules and noise.
                let text_block = (1..=8).contains(&capi::TessPageIteratorBlockType(it.0));
                if text_block
                    && let Some((x, y, w, h)) = bounding_box(it.0, LINE)
                    && w > 0
                    && h > 0
                {
                    lines.push(LineBox {
                        block,
                        par,
                        line,
                        x,
                        y,
                        w,
                        h,
                    });
                }
                if capi::TessPageIteratorNext(it.0, LINE) == 0 {
                    break;
                }
            }
        }
        lines
    }

    /// Orientation and script of the image set, for an `osd` engine (None when too little text).
    pub fn orientation_script(&mut self) -> Option<Orientation> {
        let (mut deg, mut conf, mut script_conf) = (0i32, 0f32, 0f32);
        let mut script: *const std::os::raw::c_char = std::ptr::null();
        // SAFETY: valid handle with an image set; out-pointers are valid locals; the script name
        // points into Tesseract's static unicharset.
        let ok = unsafe {
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

/// The box of the element at `level` the page iterator is on, as (x, y, width, height); None when
/// Tesseract has none for it.
///
/// # Safety
/// `page` must be a live page iterator.
unsafe fn bounding_box(
    page: *const capi::TessPageIterator,
    level: capi::TessPageIteratorLevel,
) -> Option<(u32, u32, u32, u32)> {
    let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
    // SAFETY: the caller gives a live iterator; out-pointers are valid locals.
    let found =
        unsafe { capi::TessPageIteratorBoundingBox(page, level, &mut l, &mut t, &mut r, &mut b) };
    (found != 0).then(|| {
        (
            l.max(0) as u32,
            t.max(0) as u32,
            (r - l).max(0) as u32,
            (b - t).max(0) as u32,
        )
    })
}

/// A page iterator from layout analysis, deleted when dropped.
struct PageIter(*mut capi::TessPageIterator);

impl PageIter {
    fn new(ptr: *mut capi::TessPageIterator) -> Option<PageIter> {
        (!ptr.is_null()).then_some(PageIter(ptr))
    }
}

impl Drop for PageIter {
    fn drop(&mut self) {
        // SAFETY: non-null, from TessBaseAPIAnalyseLayout, deleted once.
        unsafe { capi::TessPageIteratorDelete(self.0) };
    }
}

/// A result iterator, deleted when dropped (on every path, errors included).
struct ResultIter(*mut capi::TessResultIterator);

#[cfg(test)]
thread_local! {
    /// Result iterators this thread has alive now (the leak regression test reads it).
    pub(super) static LIVE_ITERATORS: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

impl ResultIter {
    fn new(ptr: *mut capi::TessResultIterator) -> Option<ResultIter> {
        if ptr.is_null() {
            return None;
        }
        #[cfg(test)]
        LIVE_ITERATORS.set(LIVE_ITERATORS.get() + 1);
        Some(ResultIter(ptr))
    }
}

impl Drop for ResultIter {
    fn drop(&mut self) {
        #[cfg(test)]
        LIVE_ITERATORS.set(LIVE_ITERATORS.get() - 1);
        // SAFETY: non-null, from TessBaseAPIGetIterator, deleted once.
        unsafe { capi::TessResultIteratorDelete(self.0) };
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        // SAFETY: handle came from TessBaseAPICreate and is deleted once.
        unsafe {
            capi::TessBaseAPIEnd(self.handle);
            capi::TessBaseAPIDelete(self.handle);
        }
    }
}
