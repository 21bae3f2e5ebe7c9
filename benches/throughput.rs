//! Throughput benchmarks (criterion): OCR pages/s with 1 and 2 workers on committed scans, extraction
//! MB/s, numerals parsed per second, PDF digests per second. `scripts/bench.sh` runs them and writes
//! the figures into BENCHMARKS.md next to the tesseract CLI measured in the same run.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use greenbook::book::PageText;
use greenbook::io::progress::Quiet;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The ground-truth texts of the committed scans as pages (what a perfect OCR would give).
fn truth_pages() -> Vec<PageText> {
    let manifest = greenbook::input::read_manifest(&root().join("scans/manifest.csv")).unwrap();
    manifest
        .iter()
        .map(|p| {
            let path = root().join(format!("scans/truth/{}.txt", p.label));
            let text = std::fs::read_to_string(path).unwrap();
            PageText {
                conf: Some(90.0),
                ..PageText::transcription(&p.label, p.path.display().to_string(), text)
            }
        })
        .collect()
}

fn extraction(c: &mut Criterion) {
    let pages = truth_pages();
    let bytes: usize = pages.iter().map(|p| p.text.len()).sum();
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("structure+facts (15 pages of truth)", |b| {
        b.iter(|| {
            let book = greenbook::book::read(&pages);
            greenbook::extract::extract(&book, &pages)
        })
    });
    g.finish();

    let sentences: Vec<&str> = vec![
        "东力居民区建成于2006年6月，共有住户1224户，实有人口3095人，其中老年人占比40%，外来人口占比35%。",
        "小区总户数3 901户，户籍人口约一千二百人，绿化率达百分之三十五，60岁以上老人近三成。",
        "社区成立于二〇〇三年，常住人口1.2万余人，来沪人员超过四分之一，绿地率约为38.5％。",
    ];
    let n: usize = sentences
        .iter()
        .map(|s| greenbook::text::numerals::find_numbers(s).len())
        .sum();
    let mut g = c.benchmark_group("numerals");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("find_numbers", |b| {
        b.iter(|| {
            sentences
                .iter()
                .map(|s| greenbook::text::numerals::find_numbers(s).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn digests(c: &mut Criterion) {
    // The dataset of the committed scans, built from their ground truth.
    let pages = truth_pages();
    let ocr: Vec<greenbook::ocr::PageOcr> = pages
        .iter()
        .map(|p| {
            serde_json::from_value(serde_json::json!({
                "label": p.label, "file": p.source, "frame": 0, "sha256": null, "kind": null,
                "district": null, "contents_title": null, "width": null, "height": null,
                "text": p.text, "mean_conf": 90.0, "words": [], "rotation": 0, "skew_deg": null,
                "millis": 0, "engine": "truth", "hocr": null, "error": null
            }))
            .unwrap()
        })
        .collect();
    let ds = greenbook::pipeline::store::build_dataset(&ocr);
    let opts = greenbook::publish::ReportOptions {
        date: greenbook::publish::Date::new(2026, 11, 29),
        only_district: None,
        font_dir: None,
        template_dir: None,
    };
    let n = greenbook::publish::layout_all(
        &ds,
        &opts,
        &greenbook::publish::fonts::ReportFonts::load(None).unwrap(),
    )
    .len();
    let out = std::env::temp_dir().join("greenbook-bench-digests");
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("17 digests (layout, charts, fonts, typeset, write)", |b| {
        b.iter(|| greenbook::publish::write_all(&ds, &out, &opts, &Quiet).unwrap())
    });
    g.finish();
}

fn ocr(c: &mut Criterion) {
    // Tesseract's OpenMP threads must be off before the first engine starts; `.cargo/config.toml`
    // sets OMP_THREAD_LIMIT=1 for `cargo bench`. Refuse to measure without it.
    assert_eq!(
        std::env::var("OMP_THREAD_LIMIT").as_deref(),
        Ok("1"),
        "run with OMP_THREAD_LIMIT=1 (cargo sets it from .cargo/config.toml)"
    );
    let sources: Vec<_> = greenbook::input::read_manifest(&root().join("scans/manifest.csv"))
        .unwrap()
        .into_iter()
        .filter(|p| ["p002", "p005", "p008", "p006"].contains(&p.label.as_str()))
        .collect();
    let mut g = c.benchmark_group("ocr");
    g.sample_size(10);
    g.throughput(Throughput::Elements(sources.len() as u64));
    for jobs in [1, 2] {
        let mut opts =
            greenbook::ocr::OcrOptions::with_args(None, "chi_sim", &["--engine", "tesseract"])
                .unwrap();
        opts.cache_dir = None;
        opts.jobs = jobs;
        g.bench_function(format!("4 pages, {jobs} worker(s)"), |b| {
            b.iter(|| greenbook::ocr::run(&sources, &opts, &Quiet).unwrap())
        });
    }
    g.finish();
}

/// What a page costs before any engine reads it: looking for a photographed page, a spread's gutter
/// and a clear skew (all three on every page), and levelling a tilted page, on a committed 300-DPI scan;
/// then finding its lines.
fn capture(c: &mut Criterion) {
    let page = image::open(root().join("scans/p008.png"))
        .unwrap()
        .to_luma8();
    let mut g = c.benchmark_group("capture");
    g.sample_size(10);
    g.bench_function("look (photo, spread, skew) on a 300-DPI page", |b| {
        b.iter(|| {
            (
                greenbook::input::photo::find_page(&page),
                greenbook::input::spread::halves(&page),
                greenbook::ocr::skew::confident(&page),
            )
        })
    });
    g.bench_function("level a 300-DPI page by 2°", |b| {
        b.iter(|| greenbook::input::deskewed(&page, 2.0))
    });
    // Finding the lines, both ways `ppocr` can (`--layout detector`, the default, and `tesseract`),
    // one thread each. OMP_THREAD_LIMIT=1 comes from .cargo/config.toml.
    let cfg = greenbook::ocr::engines::ppocr::PpocrConfig::find(None, None).unwrap();
    let mut det = greenbook::ocr::engines::ppocr::detect::TextDetector::new(&cfg).unwrap();
    g.bench_function("find the lines: PP-OCRv6 detector at 800 px", |b| {
        b.iter(|| det.detect(&page).unwrap())
    });
    let tess = greenbook::ocr::OcrOptions::new(None, "chi_sim")
        .unwrap()
        .tesseract;
    let mut layout = greenbook::ocr::engines::tesseract::Tesseract::new(&tess).unwrap();
    g.bench_function("find the lines: Tesseract's layout analysis", |b| {
        b.iter(|| layout.lines(&page))
    });
    g.finish();
}

/// The IIIF manifest and METS of a 322-page book (the synthetic book's length): the committed scans'
/// OCR result (`output/pages.jsonl`, from the README's first command) repeated under new labels, so
/// that every page has its real lines.
fn publish(c: &mut Criterion) {
    use greenbook::publish::archive::{iiif, mets};
    let Ok(pages) =
        greenbook::pipeline::ocr_stage::read_pages_json(&root().join("output/pages.jsonl"))
    else {
        eprintln!("publish: no output/pages.jsonl; run `cargo run -- run scans -o output` first");
        return;
    };
    let mut book = Vec::new();
    for n in 0..322 {
        let mut p = pages[n % pages.len()].clone();
        p.reading.label = format!("p{:03}", n + 1);
        book.push(p);
    }
    let ds = greenbook::pipeline::store::build_dataset(&book);
    let images: Vec<iiif::PageImage> = book
        .iter()
        .map(|p| iiif::PageImage {
            label: p.reading.label.clone(),
            path: format!("iiif/pages/{}.png", p.reading.label),
            width: p.width.unwrap_or(2480),
            height: p.height.unwrap_or(3508),
            mime: "image/png",
            sha256: "0".repeat(64),
        })
        .collect();
    let alto: Vec<mets::AltoFile> = book
        .iter()
        .map(|p| mets::AltoFile {
            label: p.reading.label.clone(),
            path: format!("alto/{}.xml", p.reading.label),
            sha256: "0".repeat(64),
        })
        .collect();
    let publication = iiif::Publication::default();
    let out = std::env::temp_dir().join("greenbook-bench-publish");
    std::fs::create_dir_all(&out).unwrap();
    let mut g = c.benchmark_group("publish");
    g.sample_size(10);
    g.throughput(Throughput::Elements(book.len() as u64));
    g.bench_function(
        "manifest.json + mets.xml, 322 pages (build and write)",
        |b| {
            b.iter(|| {
                iiif::write_manifest(&out, &book, &images, &ds, &publication).unwrap();
                mets::write_mets(&out, &images, &alto, &ds, &publication, None).unwrap();
            })
        },
    );
    g.finish();
}

criterion_group!(benches, extraction, digests, ocr, capture, publish);
criterion_main!(benches);
