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
    fn rerendering_a_page_gives_identical_bytes() {
        let out = tmp();
        let status = bin()
            .args(["render-scans", "--only", "p008", "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert!(status.success());
        let again = std::fs::read(out.path().join("p008.png")).unwrap();
        assert!(
            again == std::fs::read(scans().join("p008.png")).unwrap(),
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
            b.contents.len() >= 72,
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
