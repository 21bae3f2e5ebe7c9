use crate::util::*;

#[test]
fn real_ocr_text_confidence_no_spaces_and_cache() {
    let cache = tmp();
    let sources = vec![page("p008"), page("f01")];
    let first = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
    assert_eq!(first.len(), 2);
    let p8 = &first[0];
    assert_eq!(p8.reading.label, "p008");
    assert!(p8.reading.error.is_none(), "{:?}", p8.reading.error);
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
            p8.reading.text.contains(needle),
            "p008 text lacks {needle}:\n{}",
            p8.reading.text
        );
    }
    let conf = p8.reading.mean_conf.unwrap();
    assert!((80.0..=100.0).contains(&conf), "mean confidence {conf}");
    assert!(p8.words.len() > 50 && p8.words.iter().all(|w| (0.0..=100.0).contains(&w.conf)));
    // No space wedged between two CJK characters anywhere.
    for line in p8.reading.text.lines() {
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
        p8.reading.sha256.as_deref(),
        Some(greenbook::io::sha256_hex(&std::fs::read(scans().join("p008.png")).unwrap()).as_str())
    );
    assert!(p8.reading.skew_deg.is_some_and(|s| s.abs() <= 1.5));
    assert!(first[1].reading.text.contains("新时代绿色社区创建"));

    // Second run: every page from the cache, same text.
    let second = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
    assert!(second.iter().all(|p| p.cached));
    assert_eq!(second[0].reading.text, p8.reading.text);
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
    let first = ocr::run(&input::discover(&[copy], None).unwrap(), &o, &Quiet).unwrap();
    assert_eq!(
        (first[0].reading.label.as_str(), first[0].reading.kind),
        ("loose-copy", None)
    );
    let again = ocr::run(&[page("p001")], &o, &Quiet).unwrap();
    assert!(again[0].cached);
    assert_eq!(again[0].reading.label, "p001");
    assert_eq!(again[0].reading.kind, Some(input::PageKind::Chapter));
    assert_eq!(again[0].district.as_deref(), Some("浦东新区"));
    assert_eq!(again[0].reading.text, first[0].reading.text);
}

#[test]
fn bad_page_is_recorded_and_the_rest_is_processed() {
    let dir = tmp();
    std::fs::copy(scans().join("p001.png"), dir.path().join("a1.png")).unwrap();
    std::fs::write(dir.path().join("a2.png"), b"this is not an image").unwrap();
    std::fs::write(dir.path().join("a3.png"), b"").unwrap();
    let blank = image::GrayImage::from_pixel(800, 1000, image::Luma([235]));
    blank.save(dir.path().join("a4.png")).unwrap();
    let sources = input::discover(&[dir.path().to_path_buf()], None).unwrap();
    assert_eq!(
        sources.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        ["a1", "a2", "a3", "a4"]
    );
    let cache = tmp();
    let pages = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
    assert!(pages[0].reading.error.is_none() && pages[0].reading.text.contains("浦东新区"));
    let err = |i: usize| {
        pages[i]
            .reading
            .error
            .clone()
            .map(|e| e.message)
            .unwrap_or_default()
    };
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
    assert_exit(&status, 3);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("p999.png"), "{stderr}");
    let txt = std::fs::read_to_string(o.join("text/p001.txt")).unwrap();
    assert!(txt.contains("浦东新区"));
    let hocr = std::fs::read_to_string(o.join("hocr/p001.hocr")).unwrap();
    assert!(hocr.contains("ocrx_word") && hocr.contains("x_wconf"));
    let jsonl = std::fs::read_to_string(o.join("pages.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 2);
    let failed: serde_json::Value = serde_json::from_str(jsonl.lines().nth(1).unwrap()).unwrap();
    assert_eq!(failed["error"]["kind"], "unreadable", "{failed}");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("p999.png")
    );
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
    assert_exit(&out, 5);
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
