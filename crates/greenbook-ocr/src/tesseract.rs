//! The Tesseract engine through `leptess`'s C API: one engine per worker at a time (Send, not Sync).

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

use image::GrayImage;
use leptess::capi;

use super::{Backend, Engine, LineBox, OcrError, Orientation, Recognized, Word};

/// Debian's traineddata folders, newest first.
const DEBIAN_TESSDATA: [&str; 2] = [
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
];

/// The Tesseract library version, e.g. "5.3.0".
pub fn version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(leptess::capi::TessVersion()) }
        .to_string_lossy()
        .into_owned()
}

/// Finds the folder holding `<lang>.traineddata` for every language of `lang` ("chi_sim+eng"):
/// `--tessdata`, then `TESSDATA_PREFIX`, then Debian's paths.
pub fn find_tessdata(explicit: Option<&Path>, lang: &str) -> Result<PathBuf, OcrError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = explicit {
        candidates.push(p.to_path_buf());
    } else {
        if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
            let p = PathBuf::from(p);
            candidates.push(p.join("tessdata"));
            candidates.push(p);
        }
        candidates.extend(DEBIAN_TESSDATA.iter().map(PathBuf::from));
    }
    let has_all = |dir: &Path| {
        lang.split('+')
            .all(|l| dir.join(format!("{l}.traineddata")).is_file())
    };
    candidates
        .iter()
        .find(|d| has_all(d))
        .cloned()
        .ok_or_else(|| OcrError::Model {
            lang: lang.to_string(),
            searched: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            package: debian_package(lang),
        })
}

/// The Debian packages that ship a language's model.
fn debian_package(lang: &str) -> String {
    lang.split('+')
        .map(|l| format!("tesseract-ocr-{}", l.replace('_', "-").to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Engine settings that change its output (and so are part of the cache key).
#[derive(Debug, Clone)]
pub struct TesseractConfig {
    pub tessdata: PathBuf,
    pub lang: String,
    /// Page segmentation mode; 4 ("single column of text of variable sizes") keeps the short "图N"
    /// captions under photos that mode 3 drops, and measured best on the sample scans.
    pub psm: u8,
    /// Resampling factor applied before recognition: 0.6 (300 → 180 DPI). Measured on the sample scans
    /// and on 40 synthetic-book pages it was not chosen on (BENCHMARKS.md): 0.55 gives a lower CER (the
    /// Han characters) but reads numbers worse (84.5 % of the numbers exact against 91 %), which cost
    /// 0.03–0.06 extraction F1 on the synthetic book; the facts are what greenbook is for.
    pub scale: f32,
}

pub struct Tesseract {
    api: Api,
    id: String,
    /// The scale for text of the reference height ([`super::preprocess::REF_TEXT_PX`]).
    base_scale: f32,
    /// The scale and measured text height of the page set last.
    scale: f32,
    text_height: Option<f32>,
}

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
    fn take(ptr: *mut std::os::raw::c_char, what: &str) -> Result<String, String> {
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
    fn words_with(
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
    static LIVE_ITERATORS: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
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

/// Parses `GetTSVText` output: level-5 rows are words with box and confidence. Kept for the test that
/// checks `Api::words` against Tesseract's own TSV.
#[cfg(test)]
fn parse_tsv(tsv: &str) -> Vec<Word> {
    tsv.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let num = |i: usize| f[i].trim().parse::<i64>().ok();
            let text = f[11].trim();
            if text.is_empty() {
                return None;
            }
            Some(Word {
                text: text.to_string(),
                conf: f[10].trim().parse::<f32>().ok()?,
                block: num(2)? as u32,
                par: num(3)? as u32,
                line: num(4)? as u32,
                x: num(6)? as u32,
                y: num(7)? as u32,
                w: num(8)? as u32,
                h: num(9)? as u32,
                char_conf: Vec::new(),
            })
        })
        .collect()
}

/// Lines in reading order from words: CJK unspaced, Latin words and numbers spaced, ASCII punctuation
/// next to Han restored to full width; a blank line between blocks.
pub fn words_to_text(words: &[Word]) -> String {
    let mut out = String::new();
    let mut last_block = None;
    for line in super::runs::word_lines(words) {
        if last_block.is_some_and(|b| b != line[0].block) {
            out.push('\n');
        }
        last_block = Some(line[0].block);
        out.push_str(&super::runs::line_text(line));
        out.push('\n');
    }
    out
}

impl Tesseract {
    pub fn new(cfg: &TesseractConfig) -> Result<Tesseract, OcrError> {
        let mut api = Api::new(&cfg.tessdata, &cfg.lang).ok_or_else(|| OcrError::Model {
            lang: cfg.lang.clone(),
            searched: format!("{} (Tesseract could not load it)", cfg.tessdata.display()),
            package: debian_package(&cfg.lang),
        })?;
        api.set("preserve_interword_spaces", "1")
            .and_then(|()| api.set("tessedit_pageseg_mode", &cfg.psm.to_string()))
            .map_err(OcrError::Engine)?;
        let model_bytes: u64 = cfg
            .lang
            .split('+')
            .filter_map(|l| std::fs::metadata(cfg.tessdata.join(format!("{l}.traineddata"))).ok())
            .map(|m| m.len())
            .sum();
        let id = format!(
            "tesseract {} lang={} model_bytes={model_bytes} psm={} scale={}@{}px post=3 prep=3",
            version(),
            cfg.lang,
            cfg.psm,
            cfg.scale,
            super::preprocess::REF_TEXT_PX
        );
        Ok(Tesseract {
            api,
            id,
            base_scale: cfg.scale,
            scale: cfg.scale,
            text_height: None,
        })
    }

    /// Hands Tesseract the page at the scale its measured text height asks for (the source resolution
    /// given to match: the scale the DPI of a 300-DPI page would have).
    fn set_page(&mut self, img: &GrayImage) {
        self.text_height = super::preprocess::text_height(img);
        self.scale = super::preprocess::scale_for(self.base_scale, self.text_height);
        // The resolution Tesseract is told is that of the image it gets: the page's own (300 DPI
        // for reference-size text, else estimated from the text height) times the scale.
        let source_dpi = super::preprocess::source_dpi(self.text_height);
        let ppi = (source_dpi * self.scale).round() as i32;
        if (self.scale - 1.0).abs() > 1e-3 {
            let scaled = super::preprocess::resample(img, self.scale);
            self.api.set_image(&scaled, ppi);
        } else {
            self.api.set_image(img, ppi);
        }
    }

    /// The scale and the measured text height of the page set last.
    pub fn measured(&self) -> (f32, Option<f32>) {
        (self.scale, self.text_height)
    }

    /// Pixels of the scaled image → pixels of the caller's image.
    fn unscale(&self, v: u32) -> u32 {
        (v as f32 * (1.0 / self.scale)) as u32
    }

    /// A box (x, y, width, height) of the scaled image in the caller's pixels.
    fn unscale_box(&self, b: (u32, u32, u32, u32)) -> (u32, u32, u32, u32) {
        (
            self.unscale(b.0),
            self.unscale(b.1),
            self.unscale(b.2),
            self.unscale(b.3),
        )
    }

    /// The page's text lines from layout analysis alone (no recognition), boxes in `img`'s pixels.
    pub fn lines(&mut self, img: &GrayImage) -> Vec<LineBox> {
        self.set_page(img);
        let mut lines = self.api.layout_lines();
        for l in &mut lines {
            (l.x, l.y, l.w, l.h) = self.unscale_box((l.x, l.y, l.w, l.h));
        }
        lines
    }
}

impl Backend for TesseractConfig {
    type Engine = Tesseract;
    type Detector = super::osd::Osd;

    fn engine(&self) -> Result<Tesseract, OcrError> {
        Tesseract::new(self)
    }

    fn detector(&self) -> Option<super::osd::Osd> {
        super::osd::Osd::new(&self.tessdata)
    }

    fn lang(&self) -> &str {
        &self.lang
    }
}

impl Engine for Tesseract {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, want_hocr: bool) -> Result<Recognized, String> {
        self.set_page(img);
        self.api.recognize()?;
        let (mut words, mut lines) = self.api.words_and_lines()?;
        // Boxes in the caller's pixel space.
        for w in &mut words {
            (w.x, w.y, w.w, w.h) = self.unscale_box((w.x, w.y, w.w, w.h));
        }
        for l in &mut lines {
            (l.x, l.y, l.w, l.h) = self.unscale_box((l.x, l.y, l.w, l.h));
        }
        let hocr = if want_hocr {
            Some(self.api.hocr()?)
        } else {
            None
        };
        let confs: Vec<f32> = words.iter().map(|w| w.conf).filter(|c| *c >= 0.0).collect();
        let mean_conf = (!confs.is_empty()).then(|| confs.iter().sum::<f32>() / confs.len() as f32);
        Ok(Recognized {
            text: words_to_text(&words),
            words,
            lines,
            mean_conf,
            hocr,
            text_height: self.text_height,
            scale: Some(self.scale),
            alternates: Vec::new(),
            sideways: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine that has recognised a committed page at the default settings.
    fn recognized(label: &str) -> Tesseract {
        let cfg = TesseractConfig {
            tessdata: find_tessdata(None, "chi_sim").expect("chi_sim installed (scripts/setup.sh)"),
            lang: "chi_sim".into(),
            psm: 4,
            scale: 0.6,
        };
        let mut engine = Tesseract::new(&cfg).unwrap();
        let page = format!("{}/../../scans/{label}.png", env!("CARGO_MANIFEST_DIR"));
        let img = image::open(page).unwrap().into_luma8();
        let img = crate::preprocess::resample(&img, cfg.scale);
        engine.api.set_image(&img, 180);
        engine.api.recognize().unwrap();
        engine
    }

    /// `Api::words` must give exactly what Tesseract's own TSV gives (it replaced it: 2× faster).
    #[test]
    fn words_from_the_iterator_match_tesseracts_tsv() {
        let mut engine = recognized("p008");
        let direct = engine.api.words().unwrap();
        let tsv = parse_tsv(&engine.api.tsv().unwrap());
        assert!(direct.len() > 100, "{} words", direct.len());
        assert_eq!(direct.len(), tsv.len());
        for (a, b) in direct.iter().zip(&tsv) {
            assert!((a.conf - b.conf).abs() < 1e-3, "{a:?} vs {b:?}");
            assert_eq!(
                Word {
                    conf: b.conf,
                    ..a.clone()
                },
                *b
            );
        }
        assert!(
            direct.iter().map(|w| w.block).max() >= Some(2),
            "several blocks numbered"
        );
    }

    /// The result iterator is deleted when taking a word fails half-way, so it cannot leak.
    #[test]
    fn the_result_iterator_is_freed_on_the_error_path() {
        let mut engine = recognized("p001");
        let before = LIVE_ITERATORS.get();
        let failed = engine.api.words_with(|text| {
            assert_eq!(LIVE_ITERATORS.get(), before + 1);
            let _ = Api::take(text, "word");
            Err("taken badly".into())
        });
        assert_eq!(failed.map(|(w, _)| w), Err("taken badly".to_string()));
        assert_eq!(LIVE_ITERATORS.get(), before, "iterator deleted");
        assert!(!engine.api.words().unwrap().is_empty());
        assert_eq!(LIVE_ITERATORS.get(), before);
    }
}
