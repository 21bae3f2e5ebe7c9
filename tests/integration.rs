//! Integration tests: one binary, real data (the committed scans), real Tesseract.

use std::path::{Path, PathBuf};
use std::process::Command;

use greenbook::ocr::{self, OcrOptions};
use greenbook::progress::Quiet;
use greenbook::scan;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scans() -> PathBuf {
    root().join("scans")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_greenbook"));
    c.current_dir(root());
    c
}

/// A temp folder that is removed when the test ends.
fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn opts(cache: &Path) -> OcrOptions {
    let mut o =
        OcrOptions::new(None, "chi_sim").expect("chi_sim model installed by scripts/setup.sh");
    o.cache_dir = Some(cache.to_path_buf());
    o
}

fn page(label: &str) -> scan::PageSource {
    scan::read_manifest(&scans().join("manifest.csv"))
        .expect("manifest")
        .into_iter()
        .find(|p| p.label == label)
        .unwrap_or_else(|| panic!("{label} in manifest"))
}

mod render {
    use super::*;

    #[test]
    fn manifest_lists_every_page_with_its_hash_and_kind() {
        let pages = scan::read_manifest(&scans().join("manifest.csv")).unwrap();
        let labels: Vec<&str> = pages.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(&labels[..2], ["f01", "f02"]);
        for l in ["p001", "p002", "p005", "p008"] {
            assert!(labels.contains(&l), "{l} missing from {labels:?}");
        }
        let text = std::fs::read_to_string(scans().join("manifest.csv")).unwrap();
        for (line, p) in text.lines().skip(1).zip(&pages) {
            let sha = line.split(',').nth(2).unwrap();
            assert_eq!(
                sha,
                scan::sha256_hex(&std::fs::read(&p.path).unwrap()),
                "{}",
                p.label
            );
            assert!(
                scans()
                    .join("truth")
                    .join(format!("{}.txt", p.label))
                    .is_file()
            );
        }
        let kinds: Vec<_> = pages
            .iter()
            .map(|p| p.kind.clone().unwrap_or_default())
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "contents").count(), 2);
        assert_eq!(
            pages
                .iter()
                .find(|p| p.label == "p008")
                .unwrap()
                .district
                .as_deref(),
            Some("浦东新区")
        );
        let total: u64 = pages
            .iter()
            .map(|p| std::fs::metadata(&p.path).unwrap().len())
            .sum();
        assert!(total < 25_000_000, "scans/ is {total} bytes");
    }

    #[test]
    fn cases_start_at_their_printed_pages() {
        for (label, title) in [
            ("p002", "坚持以党建"),
            ("p005", "党建引领聚合力"),
            ("p008", "向“绿”而行"),
        ] {
            let truth =
                std::fs::read_to_string(scans().join(format!("truth/{label}.txt"))).unwrap();
            let lines: Vec<&str> = truth.lines().collect();
            assert!(lines[1].starts_with(title), "{label}: {:?}", &lines[..2]);
            assert!(
                lines[2].starts_with("——浦东新区高行镇"),
                "{label} subtitle: {}",
                lines[2]
            );
            assert_eq!(*lines.last().unwrap(), &label[1..], "{label} folio");
        }
    }

    #[test]
    fn no_line_breaks_against_chinese_rules() {
        for entry in std::fs::read_dir(scans().join("truth")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                let first = line.chars().next().unwrap_or(' ');
                let last = line.chars().last().unwrap_or(' ');
                assert!(
                    !"，。、；：？！）”".contains(first),
                    "line starts with {first}: {line}"
                );
                assert!(!"“（".contains(last), "line ends with {last}: {line}");
            }
        }
    }

    #[test]
    fn rerendering_a_page_gives_identical_pixels() {
        let out = tmp();
        let status = bin()
            .args(["render-scans", "--only", "p008", "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert!(status.success());
        // Same pixels (the PNG bytes depend on the deflate implementation the build links).
        let again = image::open(out.path().join("p008.png")).unwrap().to_luma8();
        let committed = image::open(scans().join("p008.png")).unwrap().to_luma8();
        assert_eq!(again.dimensions(), committed.dimensions());
        assert!(
            again.as_raw() == committed.as_raw(),
            "p008.png differs from the committed scan"
        );
        let truth = std::fs::read_to_string(out.path().join("truth/p008.txt")).unwrap();
        assert_eq!(
            truth,
            std::fs::read_to_string(scans().join("truth/p008.txt")).unwrap()
        );
    }

    /// The truth files say what the pages show: the plain `tesseract` CLI reads two pages within 6 % CER.
    #[test]
    fn truth_matches_the_pages_by_tesseract_cli() {
        let out = tmp();
        for label in ["p002", "f06"] {
            let base = out.path().join(label);
            let status = Command::new("tesseract")
                .arg(scans().join(format!("{label}.png")))
                .arg(&base)
                .args(["-l", "chi_sim", "--psm", "4"])
                .env("OMP_THREAD_LIMIT", "1")
                .stderr(std::process::Stdio::null())
                .status()
                .expect("tesseract CLI (tesseract-ocr package)");
            assert!(status.success());
            let hyp = std::fs::read_to_string(base.with_extension("txt")).unwrap();
            let truth =
                std::fs::read_to_string(scans().join(format!("truth/{label}.txt"))).unwrap();
            let cer = greenbook::text::cer(&truth, &hyp);
            assert!(cer < 0.06, "{label}: CER {cer}");
        }
    }
}

mod ocr_stage {
    use super::*;

    #[test]
    fn real_ocr_text_confidence_no_spaces_and_cache() {
        let cache = tmp();
        let sources = vec![page("p008"), page("f01")];
        let first = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
        assert_eq!(first.len(), 2);
        let p8 = &first[0];
        assert_eq!(p8.label, "p008");
        assert!(p8.error.is_none(), "{:?}", p8.error);
        assert!(!p8.cached);
        for needle in [
            "东力居民区",
            "社区概况",
            "1224户",
            "3095人",
            "老年人占40%",
            "外来人口占35%",
        ] {
            assert!(
                p8.text.contains(needle),
                "p008 text lacks {needle}:\n{}",
                p8.text
            );
        }
        let conf = p8.mean_conf.unwrap();
        assert!((80.0..=100.0).contains(&conf), "mean confidence {conf}");
        assert!(p8.words.len() > 50 && p8.words.iter().all(|w| (0.0..=100.0).contains(&w.conf)));
        // No space wedged between two CJK characters anywhere.
        for line in p8.text.lines() {
            let c: Vec<char> = line.chars().collect();
            for w in c.windows(3) {
                let cjk = greenbook::text::is_cjk;
                assert!(
                    !(w[1] == ' ' && cjk(w[0]) && cjk(w[2])),
                    "space between Han in: {line}"
                );
            }
        }
        assert_eq!(
            p8.sha256.as_deref(),
            Some(scan::sha256_hex(&std::fs::read(scans().join("p008.png")).unwrap()).as_str())
        );
        assert!(p8.skew_deg.is_some_and(|s| s.abs() <= 1.5));
        assert!(first[1].text.contains("新时代绿色社区创建"));

        // Second run: every page from the cache, same text.
        let second = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
        assert!(second.iter().all(|p| p.cached));
        assert_eq!(second[0].text, p8.text);
        // --force redoes them.
        let mut forced = opts(cache.path());
        forced.force = true;
        assert!(
            ocr::run(&sources[1..], &forced, &Quiet)
                .unwrap()
                .iter()
                .all(|p| !p.cached)
        );
    }

    /// A cache hit takes the page's place in the book (label, kind, district) from this run, not
    /// from the run that filled the cache.
    #[test]
    fn cache_hit_keeps_this_runs_page_metadata() {
        let t = tmp();
        let copy = t.path().join("loose-copy.png");
        std::fs::copy(scans().join("p001.png"), &copy).unwrap();
        let o = opts(&t.path().join("cache"));
        let first = ocr::run(&scan::discover(&[copy]).unwrap(), &o, &Quiet).unwrap();
        assert_eq!(
            (first[0].label.as_str(), first[0].kind.as_deref()),
            ("loose-copy", None)
        );
        let again = ocr::run(&[page("p001")], &o, &Quiet).unwrap();
        assert!(again[0].cached);
        assert_eq!(again[0].label, "p001");
        assert_eq!(again[0].kind.as_deref(), Some("chapter"));
        assert_eq!(again[0].district.as_deref(), Some("浦东新区"));
        assert_eq!(again[0].text, first[0].text);
    }

    #[test]
    fn bad_page_is_recorded_and_the_rest_is_processed() {
        let dir = tmp();
        std::fs::copy(scans().join("p001.png"), dir.path().join("a1.png")).unwrap();
        std::fs::write(dir.path().join("a2.png"), b"this is not an image").unwrap();
        std::fs::write(dir.path().join("a3.png"), b"").unwrap();
        let blank = image::GrayImage::from_pixel(800, 1000, image::Luma([235]));
        blank.save(dir.path().join("a4.png")).unwrap();
        let sources = scan::discover(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(
            sources.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
            ["a1", "a2", "a3", "a4"]
        );
        let cache = tmp();
        let pages = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
        assert!(pages[0].error.is_none() && pages[0].text.contains("浦东新区"));
        let err = |i: usize| pages[i].error.clone().unwrap_or_default();
        assert!(
            err(1).contains("a2.png") && err(1).contains("not an image"),
            "{}",
            err(1)
        );
        assert!(
            err(2).contains("a3.png") && err(2).contains("empty"),
            "{}",
            err(2)
        );
        assert!(
            err(3).contains("a4.png") && err(3).contains("blank"),
            "{}",
            err(3)
        );
    }

    #[test]
    fn cli_writes_sidecars_and_exit_code_says_partial() {
        let dir = tmp();
        std::fs::copy(scans().join("p001.png"), dir.path().join("p001.png")).unwrap();
        std::fs::write(dir.path().join("p999.png"), b"\x89PNG\r\n\x1a\ntruncated").unwrap();
        let out = tmp();
        let o = out.path();
        let status = bin()
            .arg("ocr")
            .arg(dir.path())
            .args(["-q", "--text-dir"])
            .arg(o.join("text"))
            .arg("--hocr-dir")
            .arg(o.join("hocr"))
            .arg("--cache-dir")
            .arg(o.join("cache"))
            .arg("--pages-json")
            .arg(o.join("pages.jsonl"))
            .output()
            .unwrap();
        assert_eq!(
            status.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let stderr = String::from_utf8_lossy(&status.stderr);
        assert!(stderr.contains("p999.png"), "{stderr}");
        let txt = std::fs::read_to_string(o.join("text/p001.txt")).unwrap();
        assert!(txt.contains("浦东新区"));
        let hocr = std::fs::read_to_string(o.join("hocr/p001.hocr")).unwrap();
        assert!(hocr.contains("ocrx_word") && hocr.contains("x_wconf"));
        let jsonl = std::fs::read_to_string(o.join("pages.jsonl")).unwrap();
        assert_eq!(jsonl.lines().count(), 2);
        assert!(jsonl.lines().nth(1).unwrap().contains("\"error\":\""));
    }

    #[test]
    fn missing_model_is_a_clear_error_naming_the_package() {
        let empty = tmp();
        let err = OcrOptions::new(Some(empty.path()), "chi_sim")
            .unwrap_err()
            .to_string();
        assert!(err.contains("tesseract-ocr-chi-sim"), "{err}");
        let out = bin()
            .args(["ocr", "scans", "--tessdata"])
            .arg(empty.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(5));
    }

    #[test]
    fn eval_ocr_scores_against_truth() {
        let text = tmp();
        let truth = scans().join("truth");
        std::fs::write(
            text.path().join("p001.txt"),
            std::fs::read_to_string(truth.join("p001.txt")).unwrap(),
        )
        .unwrap();
        let scores = ocr::evaluate(&truth, text.path()).unwrap();
        let p001 = scores.iter().find(|s| s.label == "p001").unwrap();
        assert_eq!(p001.edits, 0);
        let p002 = scores.iter().find(|s| s.label == "p002").unwrap();
        assert_eq!(
            p002.edits, p002.truth_chars,
            "a missing page counts as all wrong"
        );
    }
}

mod extraction {
    use super::*;
    use greenbook::book::{self, PageText};
    use greenbook::extract;

    fn gold(name: &str) -> Vec<serde_json::Value> {
        greenbook::app::read_jsonl(&root().join("tests/data").join(name)).unwrap()
    }

    /// The synthetic full book (laid out, not rasterised: its truth text is exact): all 80 cases
    /// found, each matched to its contents entry, and F1 ≥ 0.95 per field against its gold; the same
    /// seed gives the same book.
    #[test]
    fn synthetic_book_structure_and_extraction_f1() {
        use greenbook::scan::{excerpt, render, synth};
        let text = std::fs::read_to_string(scans().join("source/excerpt.txt")).unwrap();
        let real = excerpt::parse(&text);
        let (doc, gold) = synth::document(&real, 7);
        let (_, gold_again) = synth::document(&real, 7);
        assert_eq!(gold, gold_again);
        assert_ne!(gold, synth::document(&real, 8).1);
        assert_eq!(gold.len(), 80);
        let fonts = render::FontSet::load(Path::new(render::DEFAULT_FONT_DIR)).unwrap();
        let pages: Vec<PageText> = render::plan(&doc, &fonts, 7)
            .iter()
            .map(|p| PageText {
                label: p.label.clone(),
                source: p.label.clone(),
                text: p.truth(),
                conf: None,
            })
            .collect();
        let b = book::read(&pages);
        assert_eq!(b.contents.len(), 80);
        assert_eq!(b.cases.len(), 80);
        assert!(b.cases.iter().all(|c| c.contents.is_some()));
        let predicted: Vec<_> = extract::extract(&b, &pages)
            .iter()
            .map(extract::jsonl_record)
            .collect();
        for s in extract::score(&predicted, &gold) {
            assert!(s.f1() >= 0.95, "{}: {s:?}", s.field);
        }
    }

    fn truth_pages() -> Vec<PageText> {
        greenbook::app::read_text_pages(&[scans().join("truth")])
            .unwrap()
            .0
    }

    #[test]
    fn contents_has_80_cases_in_16_districts_from_truth() {
        let b = book::read(&truth_pages());
        assert_eq!(b.contents.len(), 80);
        let districts: std::collections::BTreeSet<_> =
            b.contents.iter().map(|e| e.district.clone()).collect();
        assert_eq!(districts.len(), 16);
        let last = b.contents.last().unwrap();
        assert_eq!(
            (last.chapter, last.page, last.district.as_str()),
            (16, 329, "崇明区")
        );
    }

    /// End to end from the committed scans through real OCR: every stated fact of the three real cases.
    #[test]
    fn real_cases_end_to_end_from_scans() {
        let cache = tmp();
        let sources: Vec<_> = scan::read_manifest(&scans().join("manifest.csv"))
            .unwrap()
            .into_iter()
            .filter(|p| p.kind.as_deref() != Some("cover") && p.kind.as_deref() != Some("front"))
            .collect();
        let ocr_pages = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
        let pages: Vec<PageText> = ocr_pages
            .iter()
            .map(|p| PageText {
                label: p.label.clone(),
                source: p.file.clone(),
                text: p.text.clone(),
                conf: p.mean_conf,
            })
            .collect();
        let b = book::read(&pages);
        assert!(
            b.contents.len() == 80,
            "contents entries read from OCR: {}",
            b.contents.len()
        );
        assert_eq!(b.cases.len(), 3);
        assert_eq!(
            b.cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c002", "c005", "c008"]
        );
        let facts = extract::extract(&b, &pages);
        let predicted: Vec<_> = facts.iter().map(extract::jsonl_record).collect();
        for s in extract::score(&predicted, &gold("gold_real.jsonl")) {
            assert_eq!((s.fp, s.fn_), (0, 0), "{}: {s:?}\n{predicted:#?}", s.field);
        }
        // Provenance: page, sentence holding the number, page confidence, sub-estate scope for 东力.
        let dongli = facts.iter().find(|c| c.case_id == "c008").unwrap();
        let hh = dongli
            .facts
            .iter()
            .find(|f| f.field == extract::Field::Households)
            .unwrap();
        assert_eq!(hh.page, "p008");
        assert!(hh.sentence.contains("1224户"));
        let span: String = hh
            .sentence
            .chars()
            .skip(hh.span.0)
            .take(hh.span.1 - hh.span.0)
            .collect();
        assert!(span.contains("1224"), "span {span:?}");
        assert!(hh.page_conf.is_some_and(|c| c > 50.0));
        assert_eq!(hh.scope.as_deref(), Some("sub_estate:东力新村"));
        let pop = facts[0]
            .facts
            .iter()
            .find(|f| f.field == extract::Field::Population)
            .unwrap();
        assert_eq!(
            (pop.value, pop.qualifier),
            (8000.0, greenbook::text::numerals::Qualifier::Approx)
        );
        // Missing is null, never 0.
        assert_eq!(facts[1].population, None);
        assert_eq!(facts[1].green_rate, None);
    }

    #[test]
    fn varied_set_f1_at_least_095_per_field() {
        let (pages, errors) =
            greenbook::app::read_text_pages(&[root().join("tests/data/varied")]).unwrap();
        assert!(errors.is_empty());
        let (_, facts) = greenbook::app::extract_pages(&pages);
        let predicted: Vec<_> = facts.iter().map(extract::jsonl_record).collect();
        for s in extract::score(&predicted, &gold("gold_varied.jsonl")) {
            assert!(s.f1() >= 0.95, "{}: F1 {:.3} {s:?}", s.field, s.f1());
        }
    }

    #[test]
    fn extract_cli_jsonl_keys_and_garbled_input() {
        let dir = tmp();
        std::fs::copy(
            root().join("tests/data/varied/v02.txt"),
            dir.path().join("a.txt"),
        )
        .unwrap();
        std::fs::write(dir.path().join("b.txt"), b"\xff\xfe\x00garbage\x80").unwrap();
        let out = bin()
            .args(["extract", "--jsonl", "--text"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("b.txt") && stderr.contains("UTF-8"),
            "{stderr}"
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let rec: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
        let keys: std::collections::BTreeSet<&str> = rec
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let want: std::collections::BTreeSet<&str> = [
            "source",
            "page",
            "district",
            "community",
            "households",
            "population",
            "green_rate",
            "founded_year",
            "elderly_share",
            "migrant_share",
        ]
        .into_iter()
        .collect();
        assert_eq!(keys, want);
        assert_eq!(rec["households"], 2300);
        assert_eq!(rec["migrant_share"], 25.0);
    }

    /// Property: no input text makes the numeral parser or the extractor panic.
    #[test]
    fn no_input_makes_extraction_panic() {
        let alphabet: Vec<char> =
            "0123456789０１２％%.,， 约余多近超过以上左右百分之三成四分之一二〇两万千百十亿户人年绿化率老年人外来人口其中新村——\n社区概况OlI。；、：图"
                .chars()
                .collect();
        let mut rng = greenbook::scan::degrade::Rng::new(7);
        for _ in 0..3000 {
            let len = (rng.unit() * 60.0) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(rng.unit() * alphabet.len() as f32) as usize % alphabet.len()])
                .collect();
            let _ = greenbook::text::numerals::find_numbers(&s);
            let page = PageText {
                label: "x".into(),
                source: "x".into(),
                text: format!("标题\n——浦东新区某镇某居民区\n{s}"),
                conf: None,
            };
            let pages = [page];
            let b = book::read(&pages);
            let _ = extract::extract(&b, &pages);
        }
    }
}

/// The whole pipeline on the committed scans, run once through the binary and shared by the tests
/// below (the OCR cache is shared across test runs under the target folder).
mod pipeline {
    use super::*;
    use greenbook::store::{Dataset, Table};
    use std::sync::OnceLock;

    pub(crate) fn work() -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipeline")
    }

    pub(crate) fn shared_cache() -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ocr-cache")
    }

    /// `greenbook run scans -o <work>/output`, once.
    pub(crate) fn output() -> &'static Path {
        static OUT: OnceLock<PathBuf> = OnceLock::new();
        OUT.get_or_init(|| {
            let dir = work();
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let out = dir.join("output");
            let r = bin()
                .args(["run", "scans", "-q", "--date", "2026-11-29", "-o"])
                .arg(&out)
                .arg("--cache-dir")
                .arg(shared_cache())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&r.stderr);
            assert_eq!(r.status.code(), Some(0), "greenbook run failed:\n{err}");
            assert!(err.contains("pages: 15 ok, 0 failed"), "{err}");
            assert!(err.contains("digests: 17 PDFs"), "{err}");
            out
        })
    }

    fn dtypes(path: &Path) -> Vec<(String, String)> {
        let t = Table::open(path).unwrap();
        t.frame()
            .schema()
            .iter()
            .map(|(n, d)| (n.to_string(), format!("{d:?}")))
            .collect()
    }

    #[test]
    fn parquet_files_have_types_rows_nulls_and_provenance() {
        let out = output();
        let ds = Dataset::read(out).unwrap();
        // Types, read back with polars.
        let cases = dtypes(&out.join("cases.parquet"));
        let want = [
            ("case_id", "String"),
            ("printed_page", "UInt32"),
            ("households", "Int64"),
            ("population", "Int64"),
            ("green_rate", "Float64"),
            ("founded_year", "Int32"),
            ("elderly_share", "Float64"),
            ("migrant_share", "Float64"),
        ];
        for (n, t) in want {
            assert!(
                cases.iter().any(|(cn, ct)| cn == n && ct == t),
                "cases.{n} should be {t}: {cases:?}"
            );
        }
        let pages = dtypes(&out.join("pages.parquet"));
        for (n, t) in [
            ("mean_conf", "Float32"),
            ("ocr_ms", "UInt64"),
            ("text", "String"),
        ] {
            assert!(pages.iter().any(|(cn, ct)| cn == n && ct == t), "{pages:?}");
        }
        let facts = dtypes(&out.join("facts.parquet"));
        for (n, t) in [
            ("value", "Float64"),
            ("span_start", "UInt32"),
            ("page_conf", "Float32"),
        ] {
            assert!(facts.iter().any(|(cn, ct)| cn == n && ct == t), "{facts:?}");
        }
        // Rows.
        assert_eq!(ds.pages.len(), 15);
        assert_eq!(ds.contents.len(), 80);
        let districts: std::collections::BTreeSet<_> =
            ds.contents.iter().map(|c| c.district.clone()).collect();
        assert_eq!(districts.len(), 16);
        assert_eq!(
            ds.cases
                .iter()
                .map(|c| c.case_id.as_str())
                .collect::<Vec<_>>(),
            ["c002", "c005", "c008"]
        );
        assert_eq!(
            ds.contents.iter().filter(|c| c.case_id.is_some()).count(),
            3
        );
        // Facts as in the gold file; absent facts are null, not 0.
        let dongli = ds.cases.iter().find(|c| c.case_id == "c008").unwrap();
        assert_eq!(dongli.households, Some(1224));
        assert_eq!(dongli.population, Some(3095));
        assert_eq!(dongli.founded_year, Some(2006));
        assert_eq!(dongli.elderly_share, Some(40.0));
        assert_eq!(dongli.migrant_share, Some(35.0));
        assert_eq!(dongli.green_rate, None);
        let huagao = ds.cases.iter().find(|c| c.case_id == "c005").unwrap();
        assert_eq!((huagao.households, huagao.population), (Some(1535), None));
        let lvdi = ds.cases.iter().find(|c| c.case_id == "c002").unwrap();
        assert_eq!(lvdi.green_rate, Some(48.5));
        // Provenance: every fact names a real page whose text holds the sentence's number.
        assert!(!ds.facts.is_empty());
        for f in &ds.facts {
            let page = ds.pages.iter().find(|p| p.label == f.page).unwrap();
            assert_eq!(page.case_id.as_deref(), Some(f.case_id.as_str()), "{f:?}");
            let span: String = f
                .sentence
                .chars()
                .skip(f.span_start as usize)
                .take((f.span_end - f.span_start) as usize)
                .collect();
            assert!(span.chars().any(|c| c.is_ascii_digit()), "{f:?}");
            assert!(f.page_conf.is_some_and(|c| c > 50.0), "{f:?}");
        }
        let pop = ds
            .facts
            .iter()
            .find(|f| f.case_id == "c002" && f.field == "population")
            .unwrap();
        assert_eq!((pop.value, pop.qualifier.as_str()), (8000.0, "approx"));
        assert!(
            ds.facts
                .iter()
                .any(|f| f.case_id == "c008" && f.scope.as_deref() == Some("sub_estate:东力新村"))
        );
        // Pages: no errors, districts for case pages, confidence.
        for p in &ds.pages {
            assert!(p.error.is_none() && p.mean_conf.is_some(), "{p:?}");
        }
        let p008 = ds.pages.iter().find(|p| p.label == "p008").unwrap();
        assert_eq!(p008.district.as_deref(), Some("浦东新区"));
        // Key-value metadata.
        for name in greenbook::store::FILES {
            let md = Table::metadata(&out.join(name)).unwrap();
            let get = |k: &str| md.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
            assert_eq!(get("greenbook.schema_version").as_deref(), Some("1"));
            assert_eq!(get("greenbook.source").as_deref(), Some("scans"));
            assert!(get("greenbook.version").is_some());
        }
    }

    fn code_blocks(markdown: &str, lang: &str) -> Vec<String> {
        let fence = format!("```{lang}\n");
        markdown
            .split(&fence)
            .skip(1)
            .map(|b| b.split("```").next().unwrap().to_string())
            .collect()
    }

    fn python(cwd: &Path, code: &str) -> String {
        let r = Command::new("python3")
            .arg("-c")
            .arg(code)
            .current_dir(cwd)
            .output()
            .expect("python3 (scripts/setup.sh installs polars and duckdb)");
        assert!(
            r.status.success(),
            "{code}\n{}",
            String::from_utf8_lossy(&r.stderr)
        );
        String::from_utf8_lossy(&r.stdout).into_owned()
    }

    #[test]
    fn schema_doc_and_readme_queries_run() {
        let out = output();
        let cwd = out.parent().unwrap();
        let doc = std::fs::read_to_string(root().join("docs/schema.md")).unwrap();
        let py = code_blocks(&doc, "python");
        let sql = code_blocks(&doc, "sql");
        assert!(py.len() >= 3 && sql.len() >= 2);
        for code in &py {
            let printed = python(cwd, code);
            assert!(printed.contains("shape:"), "{code}\n{printed}");
        }
        for q in &sql {
            let printed = python(cwd, &format!("import duckdb\nprint(duckdb.sql({q:?}))"));
            assert!(
                printed.contains("浦东新区") || printed.contains("东力"),
                "{q}\n{printed}"
            );
        }
        let joined = python(cwd, &py[1]);
        assert!(joined.contains("p008"), "{joined}");
        // The README's DuckDB two-liner.
        let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
        let q = code_blocks(&readme, "sql");
        assert!(!q.is_empty(), "README has a ```sql block");
        let printed = python(
            cwd,
            &format!("import duckdb\nprint(duckdb.sql({:?}))", q[0]),
        );
        assert!(printed.contains("浦东新区"), "{printed}");
    }

    #[test]
    fn stats_prints_a_district_table() {
        let out = output();
        let r = bin().args(["stats", "--data"]).arg(out).output().unwrap();
        assert_eq!(r.status.code(), Some(0));
        let s = String::from_utf8_lossy(&r.stdout);
        let pudong = s.lines().find(|l| l.starts_with("浦东新区")).unwrap();
        let cols: Vec<&str> = pudong.split('\t').map(str::trim).collect();
        assert_eq!(&cols[1..3], ["10", "3"], "{pudong}");
        assert!(
            pudong.contains("households 1935.7 / 1535 (n=3)"),
            "{pudong}"
        );
        assert!(
            s.lines()
                .any(|l| l.starts_with("黄浦区") && l.ends_with('—')),
            "{s}"
        );
        assert!(s.lines().any(|l| l.starts_with("全市")), "{s}");
        assert_eq!(s.lines().count(), 1 + 16 + 1);
    }

    /// Reruns `store` and `report` from the first run's files: identical bytes.
    #[test]
    fn outputs_are_reproducible() {
        let out = output();
        let again = work().join("again");
        let _ = std::fs::remove_dir_all(&again);
        let r = bin()
            .args(["store", "--pages"])
            .arg(out.join("pages.jsonl"))
            .arg("-o")
            .arg(&again)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(0));
        for name in ["contents.parquet", "cases.parquet", "facts.parquet"] {
            assert!(
                std::fs::read(out.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(),
                "{name} differs between runs"
            );
        }
        let r = bin()
            .args([
                "report",
                "-q",
                "--date",
                "2026-11-29",
                "--only-district",
                "浦东新区",
                "--data",
            ])
            .arg(&again)
            .arg("-o")
            .arg(again.join("digests"))
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        for name in ["00-全市概览.pdf", "01-浦东新区.pdf"] {
            assert!(
                std::fs::read(out.join("digests").join(name)).unwrap()
                    == std::fs::read(again.join("digests").join(name)).unwrap(),
                "{name} differs between runs"
            );
        }
        assert!(!again.join("digests/02-黄浦区.pdf").exists());
    }

    fn tool(cmd: &str, args: &[&str], pdf: &Path) -> String {
        let r = Command::new(cmd)
            .args(args)
            .arg(pdf)
            .args(if cmd == "pdftotext" {
                vec!["-"]
            } else {
                vec![]
            })
            .output()
            .unwrap_or_else(|e| panic!("{cmd} (poppler-utils): {e}"));
        assert!(r.status.success(), "{cmd} {}", pdf.display());
        String::from_utf8_lossy(&r.stdout).into_owned()
    }

    #[test]
    fn digests_parse_back_with_names_figures_fonts_and_pages() {
        let dir = output().join("digests");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".pdf"))
            .collect();
        names.sort();
        assert_eq!(names.len(), 17);
        assert_eq!(names[0], "00-全市概览.pdf");
        assert_eq!(names[1], "01-浦东新区.pdf");
        for n in &names {
            let pdf = dir.join(n);
            let size = std::fs::metadata(&pdf).unwrap().len();
            assert!(size <= 400 * 1024, "{n}: {size} bytes");
            let info = tool("pdfinfo", &[], &pdf);
            let pages: usize = info
                .lines()
                .find_map(|l| l.strip_prefix("Pages:"))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            let text = tool("pdftotext", &["-layout"], &pdf);
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for i in 1..=pages {
                assert!(
                    compact.contains(&format!("第{i}页/共{pages}页")),
                    "{n}: page {i}"
                );
            }
            let fonts = tool("pdffonts", &[], &pdf);
            let rows: Vec<&str> = fonts.lines().skip(2).collect();
            assert!(!rows.is_empty());
            for r in rows {
                // Embedded, subset, with a ToUnicode map.
                assert!(r.contains("+GreenbookSansSC-"), "{n}: {r}");
                assert!(r.contains("yes yes yes"), "{n}: {r}");
            }
            assert!(!compact.contains('\u{FFFD}'), "{n}");
            if n != "00-全市概览.pdf" && n != "01-浦东新区.pdf" {
                assert!(compact.contains("尚未数字化"), "{n}");
                assert_eq!(pages, 2, "{n}");
            }
        }
        let pudong = tool("pdftotext", &[], &dir.join("01-浦东新区.pdf"));
        let compact: String = pudong.chars().filter(|c| !c.is_whitespace()).collect();
        for s in [
            "浦东新区绿色社区数据摘要",
            "目录收录本区案例10个，已数字化3个。",
            "生成：2026-11-29",
            "东力居民区",
            "华高新村第二居民区",
            "高行镇",
            "1224",
            "3048",
            "1535",
            "3095",
            "约8000",
            "48.5%",
            "40%",
            "35%",
            "2006",
            "1999",
            "1935.7",
            "仅给出所属小区“东力新村”的数字",
            "向“绿”而行共建“和美”东力",
            "践行生态文明理念共建共享绿色中金",
        ] {
            assert!(compact.contains(s), "01-浦东新区.pdf lacks {s}:\n{pudong}");
        }
        // Every fact's page appears in the provenance appendix next to its value.
        assert!(compact.contains("户数1224p008"), "{compact}");
        let city = tool("pdftotext", &[], &dir.join("00-全市概览.pdf"));
        for d in ["浦东新区", "黄浦区", "崇明区", "各区比较"] {
            assert!(city.contains(d), "{d}");
        }
    }

    #[test]
    fn a_report_font_that_is_not_truetype_is_a_missing_dependency() {
        let t = tmp();
        std::fs::write(t.path().join("GreenbookSansSC-Regular.ttf"), b"ttcf....").unwrap();
        std::fs::write(t.path().join("GreenbookSansSC-Bold.ttf"), b"ttcf....").unwrap();
        let r = bin()
            .args(["report", "-q", "--data"])
            .arg(output())
            .arg("-o")
            .arg(t.path().join("d"))
            .arg("--font-dir")
            .arg(t.path())
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(5));
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains("GreenbookSansSC-Regular.ttf") && err.contains(".ttc"),
            "{err}"
        );
    }
}

/// The bad-input corpus (generated at test time): every bad page gets a one-line message naming its
/// file, a row with its error in pages.parquet, exit code 3, and the rest of the run completes.
mod bad_input {
    use super::*;
    use greenbook::store::Dataset;

    fn png(img: &image::GrayImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn load(label: &str) -> image::GrayImage {
        image::open(scans().join(format!("{label}.png")))
            .unwrap()
            .to_luma8()
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    /// A one-page PDF whose page is the JPEG of `img` (what a scanner writes).
    fn scanned_pdf(img: &image::GrayImage) -> Vec<u8> {
        use lopdf::{Document, Object, Stream, dictionary};
        let mut jpeg = std::io::Cursor::new(Vec::new());
        img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let image_id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => img.width() as i64, "Height" => img.height() as i64,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg.into_inner(),
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn every_bad_page_is_named_recorded_and_the_run_completes() {
        let t = tmp();
        let dir = t.path().join("in");
        std::fs::create_dir_all(&dir).unwrap();
        let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        let p002 = std::fs::read(scans().join("p002.png")).unwrap();
        w("01-good.png", &p002);
        w("02-empty.png", b"");
        w(
            "03-truncated.png",
            &std::fs::read(scans().join("p005.png")).unwrap()[..5000],
        );
        w("04-text.png", b"this is a text file, not an image\n");
        w("05-tiny.png", &png(&image::GrayImage::new(1, 1)));
        // A PNG header claiming 20000 x 20000 pixels: refused before any pixel is decoded.
        let mut huge = png(&image::GrayImage::new(40, 40));
        huge[16..20].copy_from_slice(&20000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&20000u32.to_be_bytes());
        let crc = crc32(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        w("06-huge.png", &huge);
        w(
            "07-blank.png",
            &png(&image::GrayImage::from_pixel(
                1240,
                1683,
                image::Luma([246]),
            )),
        );
        w(
            "08-rot90.png",
            &png(&image::imageops::rotate90(&load("p005"))),
        );
        w(
            "09-rot180.png",
            &png(&image::imageops::rotate180(&load("p008"))),
        );
        let fonts = scan::render::FontSet::load(Path::new(scan::render::DEFAULT_FONT_DIR)).unwrap();
        let (english, _) = scan::render::text_page(
            &fonts,
            &[
                "This page was printed in English by mistake. It describes the green community programme of the city, with its households, its population and the share of green space in every district.",
                "Archivists expect a batch tool to name such a page and to go on with the rest of the book, as OCRmyPDF does for pages it cannot read.",
                "The quick brown fox jumps over the lazy dog while the committee counts the trees planted in spring and the volunteers who water them every week.",
            ],
            7,
        )
        .unwrap();
        w("10-english.png", &english);
        w("11-duplicate.png", &p002);
        w("12-scan.pdf", &scanned_pdf(&load("p008")));
        w("13-encrypted.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R/Encrypt<</Filter/Standard/V 2>>>>\n%%EOF\n");
        let mut textonly = scanned_pdf(&load("p008"));
        let at = textonly.windows(6).position(|x| x == b"/Im0 D").unwrap();
        textonly[at..at + 4].copy_from_slice(b"/Zz0");
        let at = textonly
            .windows(9)
            .position(|x| x == b"/XObject<")
            .unwrap_or(0);
        assert!(at > 0, "test PDF layout");
        textonly[at..at + 8].copy_from_slice(b"/Xbjects");
        w("14-no-image.pdf", &textonly);
        w("15-unreadable.png", &p002[..100]);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("15-unreadable.png"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        let root_reads_anyway = std::fs::read(dir.join("15-unreadable.png")).is_ok();

        let out = t.path().join("out");
        let r = bin()
            .args(["run", "-q", "--date", "2026-11-29", "-o"])
            .arg(&out)
            .arg("--cache-dir")
            .arg(pipeline::shared_cache())
            .arg(&dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(3), "{err}");
        let ds = Dataset::read(&out).unwrap();
        assert_eq!(ds.pages.len(), 15, "{err}");
        let page = |stem: &str| ds.pages.iter().find(|p| p.label == stem).unwrap();
        let expect_error = |stem: &str, words: &[&str]| {
            let p = page(stem);
            let e = p
                .error
                .as_deref()
                .unwrap_or_else(|| panic!("{stem}: no error"));
            assert!(
                e.contains(stem),
                "{stem}: error does not name the file: {e}"
            );
            for w in words {
                assert!(e.contains(w), "{stem}: {e}");
            }
            // One line on stderr names it too.
            assert!(
                err.lines().filter(|l| l.contains(stem)).count() >= 1,
                "{stem} not named on stderr:\n{err}"
            );
        };
        expect_error("02-empty", &["empty"]);
        expect_error("03-truncated", &["not a readable image"]);
        expect_error("04-text", &["not an image"]);
        expect_error("05-tiny", &["too small"]);
        expect_error("06-huge", &["20000×20000", "limit"]);
        expect_error("07-blank", &["blank"]);
        expect_error("10-english", &["Latin"]);
        expect_error("11-duplicate", &["duplicate of page 01-good"]);
        expect_error("13-encrypted", &["encrypted PDF"]);
        expect_error("14-no-image", &["no embedded image", "pdftoppm"]);
        if !root_reads_anyway {
            expect_error("15-unreadable", &["cannot read"]);
        } else {
            // Running as root: permissions do not stop reading, so the file is the truncated PNG it is.
            expect_error("15-unreadable", &["not a readable image"]);
        }
        // The good, rotated and PDF pages are read.
        for stem in ["01-good", "08-rot90", "09-rot180", "12-scan"] {
            let p = page(stem);
            assert!(p.error.is_none(), "{stem}: {:?}", p.error);
            assert!(p.mean_conf.unwrap() > 80.0, "{stem}: {:?}", p.mean_conf);
        }
        assert_eq!(page("08-rot90").rotation, 270);
        assert_eq!(page("09-rot180").rotation, 180);
        assert!(
            page("08-rot90").text.contains("华高新村"),
            "{}",
            page("08-rot90").text
        );
        assert!(page("12-scan").text.contains("东力"));
        // The rest of the run completed: cases, facts and digests.
        assert!(ds.cases.iter().any(|c| c.households == Some(3048)));
        assert!(ds.cases.iter().any(|c| c.households == Some(1535)));
        assert!(out.join("digests").read_dir().unwrap().count() >= 2);
    }

    #[test]
    fn empty_folder_is_an_input_error() {
        let t = tmp();
        let r = bin()
            .args(["run", "-q", "-o"])
            .arg(t.path().join("out"))
            .arg(t.path())
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(4));
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains(&t.path().display().to_string()) && err.contains("no page images"),
            "{err}"
        );
    }

    #[test]
    fn unwritable_output_is_its_own_exit_code() {
        let t = tmp();
        let file = t.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let r = bin()
            .args(["run", "-q", "scans/p001.png", "-o"])
            .arg(file.join("out"))
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(6));
        assert!(String::from_utf8_lossy(&r.stderr).contains("a-file"));
    }

    #[test]
    fn bad_flags_are_a_usage_error() {
        let r = bin().args(["run", "--jobs", "0"]).output().unwrap();
        assert_eq!(r.status.code(), Some(2));
        let r = bin()
            .args(["report", "--date", "29.11.2026"])
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(2));
        let r = bin().arg("--version").output().unwrap();
        assert!(String::from_utf8_lossy(&r.stdout).starts_with("greenbook "));
    }
}

/// Killing a run at any moment leaves the previous outputs intact; a rerun resumes from the cache;
/// Ctrl-C stops cleanly with exit code 130.
mod faults {
    use super::*;
    use greenbook::store::Dataset;
    use std::time::{Duration, Instant};

    fn cached_pages(cache: &Path) -> usize {
        let Ok(rd) = std::fs::read_dir(cache) else {
            return 0;
        };
        rd.filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_dir(e.path()).ok())
            .flatten()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
            })
            .count()
    }

    fn snapshot(out: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = greenbook::store::FILES
            .iter()
            .chain(["pages.jsonl", "digests/01-浦东新区.pdf"].iter())
            .map(|n| (n.to_string(), std::fs::read(out.join(n)).unwrap()))
            .collect();
        v.sort();
        v
    }

    /// A finished run into `out` from a copy of the first pipeline run, so there is something to lose.
    fn previous_output(t: &Path) -> PathBuf {
        let out = t.join("out");
        std::fs::create_dir_all(out.join("digests")).unwrap();
        let src = pipeline::output();
        for n in greenbook::store::FILES
            .iter()
            .chain(["pages.jsonl", "digests/01-浦东新区.pdf"].iter())
        {
            std::fs::copy(src.join(n), out.join(n)).unwrap();
        }
        out
    }

    fn start(out: &Path, cache: &Path) -> std::process::Child {
        bin()
            .args([
                "run",
                "scans",
                "-q",
                "--jobs",
                "2",
                "--date",
                "2026-11-29",
                "-o",
            ])
            .arg(out)
            .arg("--cache-dir")
            .arg(cache)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn wait_for_cache(cache: &Path, n: usize, child: &mut std::process::Child) {
        let t0 = Instant::now();
        while cached_pages(cache) < n {
            assert!(
                child.try_wait().unwrap().is_none(),
                "run ended before the kill"
            );
            assert!(t0.elapsed() < Duration::from_secs(120), "no progress");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn killed_run_keeps_outputs_and_rerun_resumes_from_cache() {
        let t = tmp();
        let out = previous_output(t.path());
        let before = snapshot(&out);
        let cache = t.path().join("cache");
        let mut child = start(&out, &cache);
        wait_for_cache(&cache, 3, &mut child);
        child.kill().unwrap();
        child.wait().unwrap();
        let done = cached_pages(&cache);
        assert!((3..15).contains(&done), "{done} pages cached at the kill");
        // Nothing of the previous run was lost or half-written.
        assert!(snapshot(&out) == before, "outputs changed by a killed run");
        Dataset::read(&out).unwrap();
        // The rerun takes the finished pages from the cache and completes.
        let r = bin()
            .args(["run", "scans", "--date", "2026-11-29", "-o"])
            .arg(&out)
            .arg("--cache-dir")
            .arg(&cache)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(0), "{err}");
        let line = err.lines().find(|l| l.starts_with("pages: ")).unwrap();
        let from_cache: usize = line
            .split(", ")
            .find_map(|p| p.strip_suffix(" from cache"))
            .unwrap()
            .parse()
            .unwrap();
        assert!(from_cache >= done, "{line} (cached before: {done})");
        assert_eq!(cached_pages(&cache), 15);
        assert_eq!(Dataset::read(&out).unwrap().cases.len(), 3);
    }

    #[test]
    fn ctrl_c_stops_workers_and_exits_130() {
        let t = tmp();
        let out = previous_output(t.path());
        let before = snapshot(&out);
        let cache = t.path().join("cache");
        let mut child = start(&out, &cache);
        wait_for_cache(&cache, 1, &mut child);
        let sent = Instant::now();
        let ok = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = child.wait().unwrap();
        let mut err = String::new();
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(130), "{err}");
        assert!(err.contains("interrupted"), "{err}");
        // Workers finish the page they are on (a few seconds) and take no new one.
        assert!(sent.elapsed() < Duration::from_secs(30));
        assert!(cached_pages(&cache) < 15);
        assert!(
            snapshot(&out) == before,
            "outputs changed by an interrupted run"
        );
    }
}

/// Sharded OCR under a batch scheduler, then merge: same dataset as one process.
mod scale_out {
    use super::*;
    use greenbook::store::Dataset;

    #[test]
    fn three_shards_merge_to_the_single_process_result_and_a_missing_part_is_named() {
        let t = tmp();
        let parts = t.path().join("parts");
        let cache = t.path().join("cache");
        let shard = |how: &str| {
            let mut c = bin();
            c.args(["ocr", "scans", "-q", "--jobs", "1", "--parts-dir"])
                .arg(&parts)
                .arg("--cache-dir")
                .arg(&cache)
                .env_remove("JOB_COMPLETION_INDEX")
                .env_remove("SLURM_ARRAY_TASK_ID");
            match how {
                // The three ways a shard learns its index: flag, Kubernetes, Slurm.
                "flag" => {
                    c.args(["--shard", "0/3"]);
                }
                "k8s" => {
                    c.env("JOB_COMPLETION_INDEX", "1").args(["--shards", "3"]);
                }
                _ => {
                    c.env("SLURM_ARRAY_TASK_ID", "3")
                        .env("SLURM_ARRAY_TASK_MIN", "1")
                        .env("SLURM_ARRAY_TASK_COUNT", "3");
                }
            }
            c.stderr(std::process::Stdio::piped()).spawn().unwrap()
        };
        let children: Vec<_> = ["flag", "k8s", "slurm"].into_iter().map(shard).collect();
        for c in children {
            let r = c.wait_with_output().unwrap();
            assert_eq!(
                r.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&r.stderr)
            );
        }
        let mut names: Vec<String> = std::fs::read_dir(&parts)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "part-0000-of-0003.jsonl",
                "part-0001-of-0003.jsonl",
                "part-0002-of-0003.jsonl"
            ]
        );
        let merged = t.path().join("merged");
        let r = bin()
            .args([
                "merge",
                "scans",
                "-q",
                "--date",
                "2026-11-29",
                "--parts-dir",
            ])
            .arg(&parts)
            .arg("-o")
            .arg(&merged)
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        // Identical to the single-process run (OCR times aside, which are wall-clock).
        let single = pipeline::output();
        for name in ["contents.parquet", "cases.parquet", "facts.parquet"] {
            assert!(
                std::fs::read(single.join(name)).unwrap()
                    == std::fs::read(merged.join(name)).unwrap(),
                "{name} differs between sharded and single-process runs"
            );
        }
        let (mut a, mut b) = (
            Dataset::read(single).unwrap(),
            Dataset::read(&merged).unwrap(),
        );
        for p in a.pages.iter_mut().chain(b.pages.iter_mut()) {
            p.ocr_ms = 0;
        }
        assert_eq!(a, b);
        assert!(
            std::fs::read(single.join("digests/01-浦东新区.pdf")).unwrap()
                == std::fs::read(merged.join("digests/01-浦东新区.pdf")).unwrap()
        );

        // Without part 1, merge names the missing pages and fails with exit code 4.
        std::fs::remove_file(parts.join("part-0001-of-0003.jsonl")).unwrap();
        let r = bin()
            .args(["merge", "scans", "-q", "--parts-dir"])
            .arg(&parts)
            .arg("-o")
            .arg(t.path().join("bad"))
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(4));
        let err = String::from_utf8_lossy(&r.stderr);
        // Shard 1 of 3 had pages 1, 4, 7, 10, 13 in book order: f02, f05, p001, p004, p007.
        for label in ["f02", "f05", "p001", "p004", "p007"] {
            assert!(err.contains(label), "{label} not named: {err}");
        }
        assert!(err.contains("5 page(s) missing"), "{err}");
        assert!(!t.path().join("bad/cases.parquet").exists());
    }

    #[test]
    fn shard_flags_and_scheduler_environment() {
        use greenbook::app::Shard;
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err());
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "4")]), Some(5)),
            Ok(Some(Shard { index: 4, count: 5 }))
        );
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "4")]), None).is_err());
        assert_eq!(
            Shard::from_env(
                env(&[
                    ("SLURM_ARRAY_TASK_ID", "7"),
                    ("SLURM_ARRAY_TASK_COUNT", "8")
                ]),
                None
            ),
            Ok(Some(Shard { index: 7, count: 8 }))
        );
        assert_eq!(Shard::from_env(env(&[]), None), Ok(None));
        let owned: Vec<usize> = (0..10)
            .filter(|i| Shard { index: 1, count: 3 }.owns(*i))
            .collect();
        assert_eq!(owned, [1, 4, 7]);
        let r = bin().args(["ocr", "--shard", "5/2"]).output().unwrap();
        assert_eq!(r.status.code(), Some(2));
    }
}
