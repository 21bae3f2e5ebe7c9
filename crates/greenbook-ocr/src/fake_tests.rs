//! The page loop driven by a fake engine and detector: scheduling, the cache, blank and duplicate
//! pages, cancellation, the orientation fallback and the script check, without Tesseract.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use image::{GrayImage, Luma};

use super::*;
use crate::io::progress::Quiet;

/// A page is "upright" when its marker block (ink at the top-left) is where it should be. The fake
/// engine reads an upright page confidently and any other badly; the fake detector says how far the
/// page is turned by where the marker is.
fn marker_corner(img: &GrayImage) -> (bool, bool) {
    let (w, h) = img.dimensions();
    let dark = |x: u32, y: u32| img.get_pixel(x, y).0[0] < 100;
    (
        dark(2, 2),
        dark(w - 3, 2) || dark(w - 3, h - 3) || dark(2, h - 3),
    )
}

#[derive(Default)]
struct Log {
    /// Every recognize call: the image size and an id of the page (its ink count).
    reads: Mutex<Vec<(u32, u32)>>,
    engines_built: AtomicUsize,
    detectors_built: AtomicUsize,
}

struct FakeBackend {
    log: Arc<Log>,
    id: String,
    script: &'static str,
    text: &'static str,
    broken_model: bool,
    /// Set this flag while reading the first page (a Ctrl-C arriving mid-run).
    cancel_on_read: Option<&'static AtomicBool>,
}

impl FakeBackend {
    fn new() -> Self {
        FakeBackend {
            log: Arc::default(),
            id: "fake 1".into(),
            script: "Han",
            text: "社区概况东力居民区建成于2006年共有1224户社区概况东力居民区建成于2006年共有1224户",
            broken_model: false,
            cancel_on_read: None,
        }
    }
}

struct FakeEngine {
    log: Arc<Log>,
    id: String,
    text: &'static str,
    cancel_on_read: Option<&'static AtomicBool>,
}

impl Engine for FakeEngine {
    fn id(&self) -> &str {
        &self.id
    }

    fn recognize(&mut self, img: &GrayImage, _hocr: bool) -> Result<Recognized, String> {
        self.log.reads.lock().unwrap().push(img.dimensions());
        if let Some(flag) = self.cancel_on_read {
            flag.store(true, Ordering::SeqCst);
        }
        let (upright, _) = marker_corner(img);
        let text = self.text.to_string();
        let word = Word {
            text: text.clone(),
            conf: if upright { 95.0 } else { 30.0 },
            block: 1,
            par: 1,
            line: 1,
            x: 0,
            y: 0,
            w: img.width(),
            h: 10,
            char_conf: Vec::new(),
        };
        Ok(Recognized {
            lines: Vec::new(),
            text_height: None,
            scale: None,
            text,
            mean_conf: Some(word.conf),
            words: vec![word],
            hocr: None,
            alternates: Vec::new(),
            sideways: false,
        })
    }
}

struct FakeDetector {
    script: &'static str,
}

impl Detector for FakeDetector {
    fn detect(&mut self, img: &GrayImage, _ppi: i32) -> Option<Orientation> {
        let (w, h) = img.dimensions();
        let dark = |x: u32, y: u32| img.get_pixel(x, y).0[0] < 100;
        // Where the top-left marker went when the page was turned clockwise by `degrees`.
        let degrees = if dark(2, 2) {
            0
        } else if dark(w - 3, 2) {
            90
        } else if dark(w - 3, h - 3) {
            180
        } else {
            270
        };
        Some(Orientation {
            degrees,
            confidence: 5.0,
            script: self.script.into(),
            script_confidence: 5.0,
        })
    }
}

impl Backend for FakeBackend {
    type Engine = FakeEngine;
    type Detector = FakeDetector;

    fn engine(&self) -> Result<FakeEngine, OcrError> {
        if self.broken_model {
            return Err(OcrError::Model {
                lang: "fake".into(),
                searched: "nowhere".into(),
                package: "fake-model".into(),
            });
        }
        self.log.engines_built.fetch_add(1, Ordering::SeqCst);
        Ok(FakeEngine {
            log: self.log.clone(),
            id: self.id.clone(),
            text: self.text,
            cancel_on_read: self.cancel_on_read,
        })
    }

    fn detector(&self) -> Option<FakeDetector> {
        self.log.detectors_built.fetch_add(1, Ordering::SeqCst);
        Some(FakeDetector {
            script: self.script,
        })
    }

    fn lang(&self) -> &str {
        "chi_sim"
    }
}

/// An upright page: text lines skewed by 0.2° (descending to the right: too little to be levelled)
/// and the marker at the top-left; `seed` changes a few pixels so pages differ.
fn upright(w: u32, h: u32, seed: u32) -> GrayImage {
    let t = 0.2f32.to_radians().tan();
    let mut img = GrayImage::from_fn(w, h, |x, y| {
        let yy = y as f32 - x as f32 * t;
        let ink = yy > 40.0 && (yy as u32 % 40) < 6 && (x % 20) < 16 && x > 20 && x < w - 20;
        Luma([if ink { 30 } else { 235 }])
    });
    for y in 0..8 {
        for x in 0..8 {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    img.put_pixel(w / 2, h - 1, Luma([(seed % 200) as u8]));
    img
}

fn save(dir: &Path, name: &str, img: &GrayImage) -> PageSource {
    let path = dir.join(name);
    img.save(&path).unwrap();
    PageSource::frame(name.trim_end_matches(".png"), path, 0)
}

fn options(cache: Option<&Path>, jobs: usize) -> OcrOptions {
    let tesseract = crate::engines::tesseract::TesseractConfig {
        tessdata: "/nonexistent".into(),
        lang: "fake".into(),
        psm: 4,
        scale: 1.0,
    };
    OcrOptions {
        engine: std::sync::Arc::new(tesseract.clone()),
        tesseract,
        jobs,
        cache_dir: cache.map(Path::to_path_buf),
        render_dir: None,
        force: false,
        hocr: false,
        cancel: Box::leak(Box::new(AtomicBool::new(false))),
    }
}

#[test]
fn pages_come_back_in_book_order_each_read_once_with_an_engine_per_worker() {
    let dir = tempfile::tempdir().unwrap();
    // Sizes differ so the longest-first order differs from book order.
    let pages: Vec<PageSource> = (0..7)
        .map(|i| {
            save(
                dir.path(),
                &format!("p{i}.png"),
                &upright(300 + 40 * (i % 3), 400, i),
            )
        })
        .collect();
    let backend = FakeBackend::new();
    let out = run_with(&backend, &pages, &options(None, 2), &Quiet).unwrap();
    let labels: Vec<&str> = out.iter().map(|p| p.reading.label.as_str()).collect();
    assert_eq!(labels, ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    assert!(
        out.iter()
            .all(|p| p.reading.error.is_none() && p.reading.engine == "fake 1")
    );
    assert_eq!(backend.log.reads.lock().unwrap().len(), 7);
    assert_eq!(backend.log.engines_built.load(Ordering::SeqCst), 2);
    assert_eq!(
        backend.log.detectors_built.load(Ordering::SeqCst),
        0,
        "no page looked wrong"
    );
}

#[test]
fn a_broken_model_stops_the_stage_before_any_page_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let pages = vec![save(dir.path(), "p1.png", &upright(300, 400, 1))];
    let backend = FakeBackend {
        broken_model: true,
        ..FakeBackend::new()
    };
    let err = run_with(&backend, &pages, &options(None, 1), &Quiet).unwrap_err();
    assert!(matches!(err, OcrError::Model { .. }), "{err}");
    assert!(backend.log.reads.lock().unwrap().is_empty());
}

#[test]
fn the_cache_answers_reruns_and_force_or_another_engine_reads_again() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let pages: Vec<PageSource> = (0..3)
        .map(|i| save(dir.path(), &format!("p{i}.png"), &upright(300, 400, i)))
        .collect();
    let backend = FakeBackend::new();
    let first = run_with(&backend, &pages, &options(Some(&cache), 2), &Quiet).unwrap();
    assert!(first.iter().all(|p| !p.cached));
    let again = run_with(&backend, &pages, &options(Some(&cache), 2), &Quiet).unwrap();
    assert!(again.iter().all(|p| p.cached));
    assert_eq!(backend.log.reads.lock().unwrap().len(), 3, "no new reads");
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(
            (&a.reading.text, &a.words, a.reading.skew_deg),
            (&b.reading.text, &b.words, b.reading.skew_deg)
        );
    }
    let mut forced = options(Some(&cache), 2);
    forced.force = true;
    run_with(&backend, &pages, &forced, &Quiet).unwrap();
    assert_eq!(backend.log.reads.lock().unwrap().len(), 6);
    let other = FakeBackend {
        id: "fake 2".into(),
        ..FakeBackend::new()
    };
    let out = run_with(&other, &pages, &options(Some(&cache), 2), &Quiet).unwrap();
    assert!(
        out.iter()
            .all(|p| !p.cached && p.reading.engine == "fake 2")
    );
}

#[test]
fn blank_and_duplicate_pages_are_recorded_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    let a = upright(300, 400, 1);
    let pages = vec![
        save(dir.path(), "p1.png", &a),
        save(
            dir.path(),
            "p2.png",
            &GrayImage::from_pixel(300, 400, Luma([240])),
        ),
        save(dir.path(), "p3.png", &a),
    ];
    let out = run_with(&FakeBackend::new(), &pages, &options(None, 2), &Quiet).unwrap();
    let kinds: Vec<Option<PageErrorKind>> = out
        .iter()
        .map(|p| p.reading.error.as_ref().map(|e| e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(PageErrorKind::Blank),
            Some(PageErrorKind::Duplicate)
        ]
    );
    assert!(
        out[2]
            .reading
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("duplicate of page p1")
    );
}

#[test]
fn after_a_cancel_no_new_page_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let pages: Vec<PageSource> = (0..4)
        .map(|i| save(dir.path(), &format!("p{i}.png"), &upright(300, 400, i)))
        .collect();
    let opts = options(None, 1);
    let backend = FakeBackend {
        cancel_on_read: Some(opts.cancel),
        ..FakeBackend::new()
    };
    let out = run_with(&backend, &pages, &opts, &Quiet).unwrap();
    assert_eq!(backend.log.reads.lock().unwrap().len(), 1);
    let read = out.iter().filter(|p| p.reading.error.is_none()).count();
    let interrupted = out
        .iter()
        .filter(|p| {
            p.reading
                .error
                .as_ref()
                .is_some_and(|e| e.kind == PageErrorKind::Interrupted)
        })
        .count();
    assert_eq!((read, interrupted), (1, 3));
}

/// A page scanned turned 90° clockwise is read badly, the detector says so, the page is turned back and
/// read again; size, word boxes and skew are those of the page as read, not as scanned.
#[test]
fn a_turned_page_is_turned_back_and_measured_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let page = upright(600, 800, 1);
    let expected_skew = skew::estimate(&page).unwrap();
    assert!((expected_skew - 0.2).abs() <= 0.1, "{expected_skew}");
    let scanned = image::imageops::rotate90(&page);
    assert_ne!(
        skew::estimate(&scanned),
        Some(expected_skew),
        "the scan measures otherwise"
    );
    let pages = vec![save(dir.path(), "p1.png", &scanned)];
    let backend = FakeBackend::new();
    let out = run_with(&backend, &pages, &options(None, 1), &Quiet).unwrap();
    let p = &out[0];
    assert_eq!(p.reading.error, None);
    assert_eq!(
        p.reading.rotation, 270,
        "turned 270° clockwise to undo a 90° turn"
    );
    assert_eq!((p.width, p.height), (Some(600), Some(800)));
    assert_eq!(p.reading.mean_conf, Some(95.0));
    assert_eq!(p.words[0].w, 600, "boxes from the turned page");
    assert_eq!(p.reading.skew_deg, Some(expected_skew));
    assert_eq!(*backend.log.reads.lock().unwrap(), [(800, 600), (600, 800)]);
    assert_eq!(backend.log.detectors_built.load(Ordering::SeqCst), 1);
}

#[test]
fn a_page_in_another_script_is_flagged_and_its_text_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut page = upright(300, 400, 1);
    // No marker: the fake engine reads it badly, so the detector is asked.
    for y in 0..8 {
        for x in 0..8 {
            page.put_pixel(x, y, Luma([235]));
        }
    }
    let pages = vec![save(dir.path(), "p1.png", &page)];
    let backend = FakeBackend {
        script: "Cyrillic",
        text: "Эта страница напечатана по-русски",
        ..FakeBackend::new()
    };
    let out = run_with(&backend, &pages, &options(None, 1), &Quiet).unwrap();
    let e = out[0].reading.error.as_ref().expect("flagged");
    assert_eq!(e.kind, PageErrorKind::ForeignScript);
    assert!(e.message.contains("Cyrillic"), "{}", e.message);
    assert_eq!(
        out[0].reading.text, "Эта страница напечатана по-русски",
        "text kept"
    );
    // The same page read as Chinese by the engine is not flagged, whatever the detector says.
    let han = FakeBackend {
        script: "Cyrillic",
        ..FakeBackend::new()
    };
    let out = run_with(&han, &pages, &options(None, 1), &Quiet).unwrap();
    assert_eq!(out[0].reading.error, None);
    assert_eq!(han.log.detectors_built.load(Ordering::SeqCst), 1);
}
