//! Stage 2: OCR. The page loop (an engine per busy worker from a pool, longest pages first, a result
//! cache, blank and duplicate pages, orientation and script checks, Ctrl-C) is generic over the
//! [`Backend`] that builds the engines: Tesseract here, fakes in the tests.
//!
//! A page that fails is recorded with its error and the run goes on; only a missing model or an
//! unusable cache folder stop the stage.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_core::{edition, io, text};
use greenbook_input as input;

pub mod cer;
pub mod engines;
pub mod gaps;
pub mod hocr;
pub mod lines;
pub mod pages;
pub mod preprocess;
pub mod profile;
pub mod runs;
pub mod skew;
mod types;

pub use cer::{PageScore, evaluate};
pub use hocr::hocr_from_words;
pub use pages::{folio_read, label_halves, mark_duplicates};
pub use types::*;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use image::GrayImage;
use rayon::prelude::*;

use crate::input::PageSource;
use crate::io::FileError;
use crate::io::progress::Progress;

/// Engines not in use, shared by the workers: a worker takes one for a page and puts it back, so no more
/// are built than workers run at once, and the engines built up front (which check the model) are the
/// ones used.
struct Pool<E> {
    idle: Mutex<Vec<E>>,
}

impl<E> Pool<E> {
    fn new(idle: Vec<E>) -> Self {
        Pool {
            idle: Mutex::new(idle),
        }
    }

    /// Runs `f` with an idle engine, or with a new one from `make` when none is idle.
    fn with<R>(
        &self,
        make: impl FnOnce() -> Result<E, String>,
        f: impl FnOnce(&mut E) -> R,
    ) -> Result<R, String> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut engine = match idle {
            Some(e) => e,
            None => make()?,
        };
        let out = f(&mut engine);
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(engine);
        Ok(out)
    }
}

/// What the workers of one run share: the recognition engines and the detectors (built only when a
/// suspicious page needs one).
struct Engines<'b, B: Backend> {
    backend: &'b B,
    id: String,
    ocr: Pool<B::Engine>,
    osd: Pool<B::Detector>,
}

/// A first recognition this poor makes the page a candidate for orientation/script detection.
const SUSPICIOUS_CONF: f32 = 70.0;
const MIN_HAN_CHARS: usize = 20;

fn han_chars(text: &str) -> usize {
    text.chars().filter(|c| crate::text::is_cjk(*c)).count()
}

/// A page to double-check with OSD: read with low confidence, or with few Han characters that are not
/// most of what was read (a rotated or foreign page; not a chapter divider with one short title).
fn suspicious(rec: &Recognized) -> bool {
    let han = han_chars(&rec.text);
    let read = rec.text.chars().filter(|c| !c.is_whitespace()).count();
    rec.sideways
        || rec.mean_conf.is_none_or(|c| c < SUSPICIOUS_CONF)
        || (han < MIN_HAN_CHARS && han * 2 <= read)
}

/// Set by a Ctrl-C handler: workers finish the page they are on and take no new one.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// The smallest skew a page is levelled for (degrees): below it, lines are level enough for the
/// layout analysis, and the page is read as scanned (the committed scans, within ±0.88°, read the
/// same as unlevelled; levelling them from 0.3° cost two specks read as `·`).
pub const DESKEW_MIN: f32 = 0.9;

fn cache_path(dir: &Path, sha: &str, engine: &str) -> PathBuf {
    let prep =
        format!("photo=2 spread=5 deskew>={DESKEW_MIN}/5/peak1.04 parens=2 dash=1 sideways=1");
    let key = crate::io::sha256_hex(format!("{sha}\n{engine}\n{prep}").as_bytes());
    dir.join(&key[..2]).join(format!("{key}.json"))
}

fn read_cache(path: &Path) -> Option<Vec<PageOcr>> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Blank page: almost no dark pixels (after the paper's own shading).
fn is_blank(img: &GrayImage) -> bool {
    let dark = img.as_raw().iter().step_by(7).filter(|&&v| v < 128).count();
    let total = img.as_raw().len() / 7;
    dark * 10_000 < total.max(1)
}

/// Reads one image: one page, or the two pages of a spread (see [`input::spread`]).
fn ocr_one<B: Backend>(src: &PageSource, opts: &OcrOptions, engines: &Engines<B>) -> Vec<PageOcr> {
    let start = Instant::now();
    let pages = ocr_page_or_spread(src, opts, engines, start);
    profile::add_page(start);
    pages
}

/// The page's readings from the cache at `path`, when there and usable (not forced again, with hOCR
/// when it is asked for), placed as `src`.
fn cached(path: Option<&Path>, src: &PageSource, opts: &OcrOptions) -> Option<Vec<PageOcr>> {
    let hits = read_cache(path.filter(|_| !opts.force)?)?;
    if opts.hocr && hits.iter().any(|h| h.hocr.is_none()) {
        return None;
    }
    Some(
        hits.into_iter()
            .map(|mut hit| {
                hit.cached = true;
                hit.placed(src)
            })
            .collect(),
    )
}

/// A photo of a page: the page cut out, made rectangular and evenly lit, before anything else; with
/// where it was found, or the note for a camera photo in which no page was found.
fn page_of_photo(
    img: GrayImage,
    bytes: &[u8],
) -> (GrayImage, Option<input::photo::Quad>, Option<String>) {
    let photo = input::photo::find_page(&img);
    let img = match &photo {
        Some(q) => input::photo::flatten_light(&input::photo::rectify(&img, q)),
        None => img,
    };
    let note =
        (photo.is_none() && input::camera_photo(bytes)).then(|| input::PHOTO_NOT_FOUND.to_string());
    (img, photo, note)
}

fn ocr_page_or_spread<B: Backend>(
    src: &PageSource,
    opts: &OcrOptions,
    engines: &Engines<B>,
    start: Instant,
) -> Vec<PageOcr> {
    let engine_id = engines.id.as_str();
    let ms = |s: Instant| s.elapsed().as_millis() as u64;
    let t = Instant::now();
    let raw = match input::read(src) {
        Ok(r) => r,
        Err(e) => {
            let e = PageError::new(PageErrorKind::Unreadable, e.to_string());
            return vec![PageOcr::failed(src, None, engine_id, e, ms(start))];
        }
    };
    let cache = opts
        .cache_dir
        .as_ref()
        .map(|d| cache_path(d, &raw.sha256, engine_id));
    if let Some(hits) = cached(cache.as_deref(), src, opts) {
        return hits;
    }
    let fail = |kind: PageErrorKind, e: String| {
        let e = PageError::new(kind, e);
        vec![PageOcr::failed(
            src,
            Some(raw.sha256.clone()),
            engine_id,
            e,
            ms(start),
        )]
    };
    let keep = opts
        .rendered_dir()
        .map(|d| input::rendered_png(&d, &raw.sha256));
    let img = match input::decode(src, &raw.bytes, keep.as_deref()) {
        Ok(i) => i,
        Err(e) => return fail(PageErrorKind::Unreadable, e.to_string()),
    };
    profile::add(profile::Step::Decode, t);
    let t = Instant::now();
    if is_blank(&img) {
        let e = format!("{}: blank page (no ink found)", src.shown());
        return fail(PageErrorKind::Blank, e);
    }
    let (img, photo, note) = page_of_photo(img, &raw.bytes);
    let placed = |mut p: PageOcr| {
        p.reading.sha256 = Some(raw.sha256.clone());
        p.photo = photo;
        p.reading.capture_note = note.clone();
        p
    };
    let halves = input::spread::halves(&img);
    profile::add(profile::Step::Prepare, t);
    let pages: Vec<PageOcr> = match halves {
        Some(halves) => halves
            .iter()
            .map(|h| {
                let page = src.half(h.side);
                placed(read_page(
                    &page,
                    Some(*h),
                    h.crop(&img),
                    opts,
                    engines,
                    start,
                ))
            })
            .collect(),
        None => vec![placed(read_page(src, None, img, opts, engines, start))],
    };
    if let Some(path) = cache.filter(|_| pages.iter().all(|p| p.reading.error.is_none()))
        && let Ok(json) = serde_json::to_vec(&pages)
    {
        // A cache that cannot be written costs a rerun, never the result.
        let _ = profile::time(profile::Step::Write, || crate::io::write_file(&path, &json));
    }
    pages
}

/// A tilted page levelled first (the layout analysis cuts tilted paragraphs into pieces): the image
/// to read, the skew measured and whether it was clear, and the angle it was levelled by.
fn levelled(img: GrayImage) -> (GrayImage, Option<(f32, bool)>, Option<f32>) {
    let t = Instant::now();
    let measured = skew::measure(&img);
    let deskew = measured
        .filter(|(a, clear)| *clear && a.abs() >= DESKEW_MIN)
        .map(|(a, _)| a);
    let img = match deskew {
        Some(a) => input::deskewed(&img, a),
        None => img,
    };
    profile::add(profile::Step::Prepare, t);
    (img, measured, deskew)
}

/// Reads one page's image (a whole image, or one page of a spread): levelled, then recognised, turned
/// and read again when it looks rotated, checked for its script.
fn read_page<B: Backend>(
    src: &PageSource,
    half: Option<input::spread::Half>,
    img: GrayImage,
    opts: &OcrOptions,
    engines: &Engines<B>,
    start: Instant,
) -> PageOcr {
    let engine_id = engines.id.as_str();
    let ms = |s: Instant| s.elapsed().as_millis() as u64;
    let fail = |kind: PageErrorKind, e: String| {
        let e = PageError::new(kind, e);
        PageOcr {
            half,
            ..PageOcr::failed(src, None, engine_id, e, ms(start))
        }
    };
    let (img, measured, deskew) = levelled(img);
    let recognize = |img: &GrayImage| {
        engines
            .ocr
            .with(
                || engines.backend.engine().map_err(|e| e.to_string()),
                |engine| engine.recognize(img, opts.hocr),
            )
            .and_then(|r| r)
    };
    let rec = match recognize(&img) {
        Ok(r) => r,
        Err(e) => {
            return fail(PageErrorKind::Engine, format!("{}: {e}", src.shown()));
        }
    };
    let Turned {
        rec,
        rotation,
        rotated,
        script_error,
    } = turned(rec, &img, src, engines, &recognize);
    let read = rotated.as_ref().unwrap_or(&img);
    let error = if rec.words.is_empty() {
        Some(PageError::new(
            PageErrorKind::NoText,
            format!("{}: no text recognised", src.shown()),
        ))
    } else {
        script_error
    };
    let blank = PageOcr::blank(src, engine_id);
    PageOcr {
        reading: Reading {
            text: rec.text,
            mean_conf: rec.mean_conf,
            rotation,
            deskew_deg: deskew,
            text_height_px: rec.text_height,
            ocr_scale: rec.scale,
            // The page read as measured before: that measure stands.
            skew_deg: if deskew.is_none() && rotated.is_none() {
                measured.map(|(a, _)| a)
            } else {
                skew::estimate(read)
            },
            millis: ms(start),
            error,
            ..blank.reading
        },
        half,
        width: Some(read.width()),
        height: Some(read.height()),
        words: rec.words,
        hocr: rec.hocr,
        alternates: rec.alternates,
        ..blank
    }
}

/// What orientation and script detection made of a page: the reading kept, the turn that gave it
/// (and the turned image), and the error of a page in another script.
struct Turned {
    rec: Recognized,
    rotation: u16,
    rotated: Option<GrayImage>,
    script_error: Option<PageError>,
}

/// A rotated or foreign page reads badly: the detector is asked, the page turned if it says so, the
/// better reading kept. Boxes, size and skew are those of the image the kept reading came from.
fn turned<B: Backend>(
    rec: Recognized,
    img: &GrayImage,
    src: &PageSource,
    engines: &Engines<B>,
    recognize: &dyn Fn(&GrayImage) -> Result<Recognized, String>,
) -> Turned {
    let mut rec = rec;
    let mut rotation = 0u16;
    let mut rotated: Option<GrayImage> = None;
    let mut script_error = None;
    let orientation = || {
        let make = || engines.backend.detector().ok_or_else(String::new);
        engines.osd.with(make, |o| o.detect(img, 300)).ok()?
    };
    if suspicious(&rec)
        && let Some(o) = orientation()
    {
        if o.degrees != 0 && o.confidence >= 1.0 {
            let fix = (360 - o.degrees) % 360;
            let turned = preprocess::rotate(img, fix);
            // A page on its side reads a few confident fragments: any reading across the lines wins.
            if let Ok(again) = recognize(&turned)
                && ((rec.sideways && !again.sideways)
                    || again.mean_conf.unwrap_or(0.0) > rec.mean_conf.unwrap_or(0.0))
            {
                rec = again;
                rotation = fix;
                rotated = Some(turned);
            }
        }
        let foreign =
            !matches!(o.script.as_str(), "Han" | "Common" | "") && o.script_confidence >= 1.0;
        if engines.backend.reads_han() && foreign && han_chars(&rec.text) < MIN_HAN_CHARS {
            script_error = Some(PageError::new(
                PageErrorKind::ForeignScript,
                format!(
                    "{}: the page is in {} script, not Chinese (--lang {}); text kept, not used",
                    src.shown(),
                    o.script,
                    engines.backend.lang()
                ),
            ));
        }
    }
    Turned {
        rec,
        rotation,
        rotated,
        script_error,
    }
}

/// OCRs every page in parallel with the engine `opts.engine`, in page order. Pages that fail carry
/// their error.
pub fn run(
    pages: &[PageSource],
    opts: &OcrOptions,
    progress: &dyn Progress,
) -> Result<Vec<PageOcr>, OcrError> {
    opts.engine.run(pages, opts, progress)
}

/// OCRs every page in parallel with the engines `backend` builds, in page order.
pub fn run_with<B: Backend>(
    backend: &B,
    pages: &[PageSource],
    opts: &OcrOptions,
    progress: &dyn Progress,
) -> Result<Vec<PageOcr>, OcrError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| OcrError::Pool(e.to_string()))?;
    // Build the engines up front, one per worker that will have a page, in parallel (a chi_sim load
    // is ~130 ms): a missing or broken model is a clear error before any page is read.
    let built: Vec<B::Engine> = pool.install(|| {
        (0..opts.jobs.clamp(1, pages.len().max(1)))
            .into_par_iter()
            .map(|_| backend.engine())
            .collect::<Result<_, _>>()
    })?;
    let engines = Engines {
        backend,
        id: built
            .first()
            .map(|e| e.id().to_string())
            .unwrap_or_default(),
        ocr: Pool::new(built),
        osd: Pool::new(Vec::new()),
    };
    if let Some(dir) = &opts.cache_dir {
        std::fs::create_dir_all(dir).map_err(FileError::write(dir))?;
    }
    progress.start("ocr", pages.len() as u64);
    let mut out: Vec<(usize, Vec<PageOcr>)> = pool.install(|| {
        longest_first(pages)
            .into_iter()
            .par_bridge()
            .map(|i| {
                let src = &pages[i];
                let pages = if opts.cancel.load(Ordering::SeqCst) {
                    let e = PageError::new(PageErrorKind::Interrupted, "interrupted");
                    vec![PageOcr::failed(src, None, &engines.id, e, 0)]
                } else {
                    ocr_one(src, opts, &engines)
                };
                progress.inc(1);
                (i, pages)
            })
            .collect()
    });
    progress.finish();
    out.sort_unstable_by_key(|(i, _)| *i);
    let mut pages = mark_duplicates(out.into_iter().flat_map(|(_, p)| p).collect());
    label_halves(&mut pages);
    Ok(pages)
}

/// The order in which workers take pages: the longest to read first, so that the last pages to finish
/// are short ones and no worker idles long at the end (each worker takes the next page when it is free).
/// A page's bytes predict its OCR time well (correlation 0.98 on the sample scans: text compresses less
/// than paper); a multi-page file's bytes are shared among its pages.
fn longest_first(pages: &[PageSource]) -> Vec<usize> {
    let cost = page_weights(pages);
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost[i]));
    order
}

/// Each page's share of its file's bytes (a file's size read once, divided among the pages from it;
/// 0 for a file that cannot be read — it fails when read, and its page records the error).
pub fn page_weights(pages: &[PageSource]) -> Vec<u64> {
    let mut files: std::collections::HashMap<&Path, (u64, u64)> = Default::default();
    for p in pages {
        files
            .entry(p.path.as_path())
            .or_insert_with(|| (std::fs::metadata(&p.path).map_or(0, |m| m.len()), 0))
            .1 += 1;
    }
    pages
        .iter()
        .map(|p| files.get(p.path.as_path()).map_or(0, |(size, n)| size / n))
        .collect()
}

#[cfg(test)]
mod fake_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_halves_take_their_folios_as_labels() {
        use input::spread::{Half, Side};
        let page = |label: &str, file: &str, side: Option<Side>, text: &str| {
            let src = PageSource::frame(label, file, 0);
            let blank = PageOcr::blank(&src, "fake");
            PageOcr {
                reading: Reading {
                    text: text.into(),
                    ..blank.reading
                },
                half: side.map(|side| Half {
                    side,
                    x0: 0,
                    x1: 10,
                    y0: 0,
                    y1: 10,
                }),
                ..blank
            }
        };
        assert_eq!(folio_read("标题\n正文。\n062\n"), Some(62));
        assert_eq!(folio_read("063\n正文。"), Some(63));
        assert_eq!(folio_read("正文 2023\n年。"), None);
        assert_eq!(folio_read("12345"), None);
        let mut pages = vec![
            page("p061", "a.png", None, "正文\n061"),
            // Both folios read.
            page("s1-L", "s1.png", Some(Side::Left), "正文\n062"),
            page("s1-R", "s1.png", Some(Side::Right), "正文\n063"),
            // Only the right one read: the left is the one before.
            page("s2-L", "s2.png", Some(Side::Left), "正文"),
            page("s2-R", "s2.png", Some(Side::Right), "正文\n065"),
            // Not consecutive: kept.
            page("s3-L", "s3.png", Some(Side::Left), "正文\n070"),
            page("s3-R", "s3.png", Some(Side::Right), "正文\n075"),
            // Taken by another page: kept.
            page("s4-L", "s4.png", Some(Side::Left), "正文\n060"),
            page("s4-R", "s4.png", Some(Side::Right), "正文\n061"),
            // Nothing read: kept.
            page("s5-L", "s5.png", Some(Side::Left), "正文"),
            page("s5-R", "s5.png", Some(Side::Right), "正文"),
        ];
        label_halves(&mut pages);
        let labels: Vec<&str> = pages.iter().map(|p| p.reading.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "p061", "p062", "p063", "p064", "p065", "s3-L", "s3-R", "s4-L", "s4-R", "s5-L",
                "s5-R"
            ]
        );
    }

    fn rec(text: &str, conf: f32) -> Recognized {
        Recognized {
            text: text.into(),
            words: Vec::new(),
            lines: Vec::new(),
            text_height: None,
            scale: None,
            mean_conf: Some(conf),
            hocr: None,
            alternates: Vec::new(),
            sideways: false,
        }
    }

    #[test]
    fn suspicious_pages_are_low_confidence_or_mostly_not_han() {
        // A chapter divider (p001 as OCR'd): few characters, nearly all Han, read confidently.
        assert!(!suspicious(&rec("|\n\n浦东新区\n优秀示范案例\n", 90.7)));
        // chi_sim reading an English page: confident, but Latin.
        assert!(suspicious(&rec(
            "The cover picture shows a\nrenovated courtyard in Pudong\n",
            88.0
        )));
        // A rotated page: read badly.
        assert!(suspicious(&rec(
            "一 丨 丶 丿 乙 亅 二 亠 人 儿 入 八 冂 冖 冫 几 凵 刀 力 勹",
            41.0
        )));
        // A dense Chinese page.
        assert!(!suspicious(&rec(&"社区概况东力居民区".repeat(10), 91.0)));
        // Nothing read at all.
        let none = Recognized {
            mean_conf: None,
            ..rec("", 0.0)
        };
        assert!(suspicious(&none));
        // Lines found running down the page, read as a few confident fragments.
        assert!(suspicious(&Recognized {
            sideways: true,
            ..rec("位在图0共等道凶", 98.4)
        }));
    }

    #[test]
    fn pages_are_taken_longest_first_with_multi_page_files_shared() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: usize| {
            let p = dir.path().join(name);
            std::fs::write(&p, vec![0u8; bytes]).unwrap();
            p
        };
        let (small, big, tiff) = (file("a.png", 100), file("b.png", 900), file("c.tif", 1200));
        let src = |path: &Path, frame: u32| {
            PageSource::frame(format!("{}-{frame}", path.display()), path, frame)
        };
        // The 1200-byte TIFF holds 3 pages of ~400 bytes each; a missing file counts as 0.
        let missing = dir.path().join("gone.png");
        let pages = vec![
            src(&small, 0),
            src(&tiff, 0),
            src(&big, 0),
            src(&missing, 0),
            src(&tiff, 1),
            src(&tiff, 2),
        ];
        assert_eq!(longest_first(&pages), vec![2, 1, 4, 5, 0, 3]);
    }

    #[test]
    fn pool_reuses_idle_engines_and_builds_only_when_none_is_idle() {
        let pool = Pool::new(vec![7u32]);
        let built = std::cell::Cell::new(0);
        let make = || {
            built.set(built.get() + 1);
            Ok(100 + built.get())
        };
        assert_eq!(pool.with(make, |e| *e), Ok(7));
        assert_eq!(built.get(), 0, "the seed engine is used first");
        // Two at once: the second finds none idle and builds one.
        let nested = pool.with(make, |outer| {
            *outer += 1;
            pool.with(make, |inner| *inner).unwrap()
        });
        assert_eq!(nested, Ok(101));
        assert_eq!(built.get(), 1);
        let mut idle = pool.idle.into_inner().unwrap();
        idle.sort();
        assert_eq!(idle, vec![8, 101]);
        let failing: Pool<u32> = Pool::new(Vec::new());
        assert_eq!(
            failing.with(|| Err("no model".into()), |e| *e),
            Err("no model".to_string())
        );
    }
}
