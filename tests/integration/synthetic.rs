//! The SYNTHETIC sample scans (crates/greenbook-synth): what the manifest and truth say of them, and
//! that they are re-rendered pixel for pixel.

use crate::util::*;

#[test]
fn manifest_lists_every_page_with_its_hash_and_kind() {
    let pages = input::read_manifest(&scans().join("manifest.csv")).unwrap();
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
            greenbook::io::sha256_hex(&std::fs::read(&p.path).unwrap()),
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
        .map(|p| p.kind.map_or("", |k| k.as_str()).to_string())
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
        let truth = std::fs::read_to_string(scans().join(format!("truth/{label}.txt"))).unwrap();
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
    greenbook_synth::render_scans(
        &scans().join("source/excerpt.txt"),
        Path::new(greenbook_synth::render::DEFAULT_FONT_DIR),
        out.path(),
        2023,
        false,
        Some("p008"),
    )
    .expect("renders p008");
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
        let truth = std::fs::read_to_string(scans().join(format!("truth/{label}.txt"))).unwrap();
        let cer = greenbook::text::cer(&truth, &hyp);
        assert!(cer < 0.06, "{label}: CER {cer}");
    }
}
