//! The review page and corrections (issue #18): the page opened from disk in headless Chromium
//! (tests/browser/review.py, Selenium + Debian's chromium-driver), one edit exported as
//! corrections.csv, and runs that apply it — Parquet read back, the digest parsed back with poppler —
//! through cache hits, `--force` and a sharded run; bad corrections and manifests refused with exit 4.

use crate::pipeline::{output, shared_cache};
use crate::util::*;
use greenbook::dataset::{Dataset, Source};
use greenbook::extract::Field;

fn python(args: &[&str]) -> String {
    let r = Command::new("python3")
        .arg(root().join("tests/browser/review.py"))
        .args(args)
        .output()
        .expect("python3 with selenium (scripts/setup.sh)");
    assert!(
        r.status.success(),
        "review.py {args:?}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    String::from_utf8_lossy(&r.stdout).into_owned()
}

fn run_with(out: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .args(["run", "-q", "--date", "2026-11-29", "-o"])
        .arg(out)
        .arg("--cache-dir")
        .arg(shared_cache())
        .args(extra)
        .output()
        .unwrap()
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dir_size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

#[test]
fn the_review_page_is_static_small_and_strict() {
    let review = output().join("review");
    let html = std::fs::read_to_string(review.join("index.html")).unwrap();
    // A strict policy: nothing remote, no inline code but the page's own (by hash).
    let csp = regex::Regex::new(r#"Content-Security-Policy" content="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .expect("a CSP meta tag")[1]
        .to_string();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe") && !csp.contains("http"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!html.contains("http://") && !html.contains("https://"));
    // Every crop it shows is there; crops, not pages: the folder is under 10 % of the scans.
    let srcs: Vec<String> = regex::Regex::new(r#"src="(crops/[^"]+)""#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].to_string())
        .collect();
    assert!(srcs.len() >= 10, "{} crops", srcs.len());
    for s in &srcs {
        assert!(review.join(s).is_file(), "{s}");
    }
    let scans_size: u64 = std::fs::read_dir(scans())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    let size = dir_size(&review);
    assert!(
        size * 10 <= scans_size,
        "review {size} B, scans {scans_size} B"
    );
    // Doubtful items come first: the first case's first flagged or missing item precedes any sure one.
    let first_sure = html.find("<div class=\"item\" ").unwrap();
    assert!(html[..first_sure].contains("item doubtful"));
}

#[test]
fn an_edit_in_the_browser_reaches_parquet_and_the_digest_and_survives_reruns() {
    let t = tmp();
    let downloads = t.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let shot = t.path().join("review.png");
    let out = python(&[
        "edit",
        output().join("review/index.html").to_str().unwrap(),
        downloads.to_str().unwrap(),
        shot.to_str().unwrap(),
        "c008",
        "households",
        "1225",
        "=HYPERLINK(\"x\") 核对原书",
    ]);
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["cases"], 3, "{out}");
    assert!(report["boxes"].as_u64().unwrap() >= 10, "{out}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    // The export: Excel's BOM, the documented header, the formula-like note written as text.
    let csv = std::fs::read_to_string(downloads.join("corrections.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("\u{feff}case,field,value,note,reviewer,date")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("c008,households,1225,\"'=HYPERLINK(\"\"x\"\") 核对原书\",审校员,"),
        "{row}"
    );
    // A run with it: the corrected value everywhere, the OCR value kept.
    let corrected = t.path().join("out");
    let csv_path = downloads.join("corrections.csv");
    let r = run_with(&corrected, &["--corrections", csv_path.to_str().unwrap()]);
    assert_exit(&r, 0);
    let check = |dir: &Path| {
        let ds = Dataset::read(dir).unwrap();
        let case = ds.cases.iter().find(|c| c.case_id == "c008").unwrap();
        assert_eq!(case.values.int(Field::Households), Some(1225));
        assert_eq!(
            case.corrected,
            [greenbook::dataset::corrections::Target::Fact(
                Field::Households
            )]
        );
        let fact = ds
            .facts_of("c008")
            .find(|f| f.figure.field == Field::Households)
            .unwrap();
        assert_eq!((fact.figure.value, fact.ocr_value), (1225.0, Some(1224.0)));
        assert_eq!(fact.source, Source::Corrected);
        assert_eq!(fact.note.as_deref(), Some("=HYPERLINK(\"x\") 核对原书"));
        assert_eq!(fact.reviewer.as_deref(), Some("审校员"));
        let others = ds
            .facts
            .iter()
            .filter(|f| f.source == Source::Corrected)
            .count();
        assert_eq!(others, 1);
    };
    check(&corrected);
    let digest = Command::new("pdftotext")
        .arg(corrected.join("digests/01-浦东新区.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&digest.stdout).replace(char::is_whitespace, "");
    assert!(text.contains("1,225（校）"), "{text}");
    assert!(text.contains("经人工校对为1,225（OCR读作1,224"), "{text}");
    // The workbook has the correction, and its formula-like note is text with Excel's quote prefix.
    let xlsx = Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1])["facts"]
head = [c.value for c in ws[1]]
for row in ws.iter_rows(min_row=2):
    r = dict(zip(head, row))
    if r["source"].value == "corrected":
        note = r["note"]
        assert note.data_type == "s" and note.quotePrefix, (note.data_type, note.quotePrefix)
        print(r["value"].value, r["ocr_value"].value, note.value)
"#,
        )
        .arg(corrected.join("greenbook.xlsx"))
        .output()
        .unwrap();
    assert!(
        xlsx.status.success(),
        "{}",
        String::from_utf8_lossy(&xlsx.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&xlsx.stdout).trim(),
        "1225 1224 =HYPERLINK(\"x\") 核对原书"
    );
    // Reruns keep it: a cache hit, and --force (every page read again).
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["--corrections", csv_path.to_str().unwrap()];
        args.extend(extra);
        assert_exit(&run_with(&corrected, &args), 0);
        check(&corrected);
    }
}

#[test]
fn corrections_beside_the_scans_apply_to_a_sharded_run_and_names_are_escaped() {
    let t = tmp();
    let scans_copy = t.path().join("scans");
    std::fs::create_dir(&scans_copy).unwrap();
    for e in std::fs::read_dir(scans()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), scans_copy.join(e.file_name())).unwrap();
        }
    }
    let name = "<img src=x onerror=\"window.__xss=true\">东力";
    std::fs::write(
        scans_copy.join("corrections.csv"),
        format!(
            "case,field,value,note,reviewer,date\nc008,community,\"{}\",据封面校,李,2026-12-03\nc005,green_rate,35,补录,王,2026-12-02\n",
            name.replace('"', "\"\"")
        ),
    )
    .unwrap();
    let merged = pipeline::shard_and_merge(&scans_copy, t.path(), &[]);
    let ds = Dataset::read(&merged).unwrap();
    let c008 = ds.cases.iter().find(|c| c.case_id == "c008").unwrap();
    assert_eq!(c008.community.as_deref(), Some(name));
    // The name's correction keeps its note, reviewer and date, and the name OCR read.
    let fix = c008
        .community_fix
        .as_ref()
        .expect("the correction is stored");
    assert_eq!(
        (
            fix.note.as_deref(),
            fix.reviewer.as_deref(),
            fix.reviewed_on.as_deref()
        ),
        (Some("据封面校"), Some("李"), Some("2026-12-03"))
    );
    assert!(
        fix.ocr.as_deref().is_some_and(|n| n.contains("东力")),
        "{fix:?}"
    );
    // A fact OCR did not find, added by the reviewer: no page, no sentence, the note kept.
    let added = ds
        .facts_of("c005")
        .find(|f| f.figure.field == Field::GreenRate)
        .unwrap();
    assert_eq!((added.figure.value, added.ocr_value), (35.0, None));
    assert_eq!(added.source, Source::Corrected);
    let c005 = ds.cases.iter().find(|c| c.case_id == "c005").unwrap();
    assert_eq!(c005.values.get(Field::GreenRate), Some(35.0));
    // The name is shown as text on the review page, and nothing in it runs.
    let html = std::fs::read_to_string(merged.join("review/index.html")).unwrap();
    assert!(!html.contains("<img src=x"), "unescaped name");
    python(&[
        "show",
        merged.join("review/index.html").to_str().unwrap(),
        name,
    ]);
}

#[test]
fn bad_corrections_are_exit_4_naming_the_line_and_nothing_is_written() {
    let t = tmp();
    let out = t.path().join("out");
    assert_exit(&run_with(&out, &[]), 0);
    let before = std::fs::read(out.join("facts.parquet")).unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "unknown case",
            b"case,field,value,note,reviewer,date\nc008,households,1224,,,\nc999,households,10,,,\n",
            "line 3: no case 'c999' in this run",
        ),
        (
            "bad number",
            b"case,field,value,note,reviewer,date\nc008,population,three thousand,,,\n",
            "line 2: 'three thousand' is not a number",
        ),
        (
            "GBK from a spreadsheet",
            b"case,field,value,note,reviewer,date\nc008,community,\xb6\xab\xc1\xa6,,,\n",
            "line 2: not UTF-8",
        ),
        (
            "unknown field",
            b"\xef\xbb\xbfcase,field,value,note,reviewer,date\nc008,area,12,,,\n",
            "line 2: unknown field 'area'",
        ),
    ];
    for (what, content, message) in cases {
        let csv = t.path().join("c.csv");
        std::fs::write(&csv, content).unwrap();
        let r = run_with(&out, &["--corrections", csv.to_str().unwrap()]);
        assert_exit(&r, 4);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains(message) && err.contains("c.csv"),
            "{what}: {err}"
        );
        assert_eq!(
            std::fs::read(out.join("facts.parquet")).unwrap(),
            before,
            "{what}: facts.parquet changed"
        );
    }
}

#[test]
fn a_manifest_may_not_name_files_outside_its_folder() {
    let t = tmp();
    let inside = t.path().join("book");
    std::fs::create_dir(&inside).unwrap();
    std::fs::copy(scans().join("p008.png"), inside.join("p008.png")).unwrap();
    std::fs::write(t.path().join("secret.png"), b"not for OCR").unwrap();
    std::os::unix::fs::symlink(t.path().join("secret.png"), inside.join("link.png")).unwrap();
    for (file, why) in [
        ("../secret.png", "outside the manifest's folder"),
        ("/etc/hostname", "outside the manifest's folder"),
        ("link.png", "leads outside the manifest's folder"),
    ] {
        std::fs::write(
            inside.join("manifest.csv"),
            format!("page,file,sha256,kind,district,contents_title\np008,p008.png,,case,,\nx,{file},,case,,\n"),
        )
        .unwrap();
        let r = bin()
            .args(["ocr", "-q", "--no-cache", "-o"])
            .arg(t.path().join("out"))
            .arg(&inside)
            .output()
            .unwrap();
        assert_exit(&r, 4);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.contains("manifest.csv: bad manifest line 3") && err.contains(why),
            "{file}: {err}"
        );
    }
}
