use crate::util::*;
use greenbook::dataset::{Dataset, Table};
use std::sync::OnceLock;

/// This test process's own folder for the pipeline's output: unique, so two test runs at once do not
/// share it.
pub(crate) fn work() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("pipeline-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
    })
    .path()
}

pub(crate) fn shared_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ocr-cache")
}

/// `input` read in two shards (`ocr --shard I/2`, with `ocr_flags`) into `work/parts`, then merged
/// into `work/merged` (returned).
pub(crate) fn shard_and_merge(input: &Path, work: &Path, ocr_flags: &[&str]) -> PathBuf {
    let parts = work.join("parts");
    for i in 0..2 {
        let r = bin()
            .args(["ocr", "-q", "--shard", &format!("{i}/2")])
            .args(ocr_flags)
            .arg("--parts-dir")
            .arg(&parts)
            .arg("-o")
            .arg(work.join("shard-out"))
            .arg("--cache-dir")
            .arg(shared_cache())
            .arg(input)
            .output()
            .unwrap();
        assert_exit(&r, 0);
    }
    let merged = work.join("merged");
    let r = bin()
        .args(["merge", "-q", "--date", "2026-11-29", "--parts-dir"])
        .arg(&parts)
        .arg("-o")
        .arg(&merged)
        .arg(input)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    merged
}

/// `greenbook run scans -o <work>/output`, once.
pub(crate) fn output() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = work().join("output");
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
        ("error_kind", "String"),
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
    assert_eq!(dongli.values.int(extract::Field::Households), Some(1224));
    assert_eq!(dongli.values.int(extract::Field::Population), Some(3095));
    assert_eq!(dongli.values.int(extract::Field::FoundedYear), Some(2006));
    assert_eq!(dongli.values.get(extract::Field::ElderlyShare), Some(40.0));
    assert_eq!(dongli.values.get(extract::Field::MigrantShare), Some(35.0));
    assert_eq!(dongli.values.get(extract::Field::GreenRate), None);
    let huagao = ds.cases.iter().find(|c| c.case_id == "c005").unwrap();
    assert_eq!(
        (
            huagao.values.int(extract::Field::Households),
            huagao.values.int(extract::Field::Population)
        ),
        (Some(1535), None)
    );
    let lvdi = ds.cases.iter().find(|c| c.case_id == "c002").unwrap();
    assert_eq!(lvdi.values.get(extract::Field::GreenRate), Some(48.5));
    // Provenance: every fact names a real page whose text holds the sentence's number.
    assert!(!ds.facts.is_empty());
    for f in &ds.facts {
        let page = ds
            .pages
            .iter()
            .find(|p| p.reading.label == f.figure.page)
            .unwrap();
        assert_eq!(
            page.case_id.as_deref(),
            Some(f.figure.case_id.as_str()),
            "{f:?}"
        );
        let span: String = f
            .figure
            .sentence
            .chars()
            .skip(f.figure.span.0)
            .take(f.figure.span.1 - f.figure.span.0)
            .collect();
        assert!(span.chars().any(|c| c.is_ascii_digit()), "{f:?}");
        assert!(f.figure.page_conf.is_some_and(|c| c > 50.0), "{f:?}");
    }
    let pop = ds
        .facts
        .iter()
        .find(|f| f.figure.case_id == "c002" && f.figure.field == extract::Field::Population)
        .unwrap();
    assert_eq!(
        (pop.figure.value, pop.figure.qualifier),
        (8000.0, Qualifier::Approx)
    );
    assert!(ds.facts.iter().any(|f| f.figure.case_id == "c008"
        && f.figure.scope == extract::Scope::SubEstate("东力新村".into())));
    // Pages: no errors, districts for case pages, confidence.
    for p in &ds.pages {
        assert!(
            p.reading.error.is_none() && p.reading.mean_conf.is_some(),
            "{p:?}"
        );
    }
    let p008 = ds.pages.iter().find(|p| p.reading.label == "p008").unwrap();
    assert_eq!(p008.district.as_deref(), Some("浦东新区"));
    // Key-value metadata.
    for name in greenbook::dataset::FILES {
        let md = Table::metadata(&out.join(name)).unwrap();
        let get = |k: &str| md.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("greenbook.schema_version").as_deref(),
            Some(greenbook::dataset::SCHEMA_VERSION)
        );
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
    assert_exit(&r, 0);
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

/// `eval-extract --pages` scores the run's own OCR pages: every real case found, every name exact,
/// every stated fact right; a gold record with another figure is counted as wrong.
#[test]
fn eval_extract_scores_the_runs_pages() {
    let gold = root().join("tests/data/gold_real.jsonl");
    let pages = output().join("pages.jsonl");
    let run = |gold: &Path| {
        let r = bin()
            .args(["eval-extract", "--gold"])
            .arg(gold)
            .arg("--pages")
            .arg(&pages)
            .output()
            .unwrap();
        assert_exit(&r, 0);
        String::from_utf8_lossy(&r.stdout).into_owned()
    };
    let s = run(&gold);
    assert!(
        s.contains("cases: 3 in the gold, 3 found, 3 with the community name exact"),
        "{s}"
    );
    let row = |s: &str, f: &str| s.lines().find(|l| l.starts_with(f)).unwrap().to_string();
    assert!(row(&s, "households").ends_with("1.000"), "{s}");
    let t = tmp();
    let wrong = t.path().join("gold.jsonl");
    let text = std::fs::read_to_string(&gold).unwrap();
    std::fs::write(
        &wrong,
        text.replace("\"households\":1224", "\"households\":1225"),
    )
    .unwrap();
    let s = run(&wrong);
    let hh = row(&s, "households");
    let tp_fp_fn: Vec<&str> = hh.split_whitespace().skip(1).take(3).collect();
    assert_eq!(tp_fp_fn, ["2", "1", "1"], "{s}");
}

/// Reruns `store` and `report` from the first run's files: identical bytes.
#[test]
fn outputs_are_reproducible() {
    let out = output();
    let scratch = tempfile::tempdir().unwrap();
    let again = scratch.path().join("again");
    let r = bin()
        .args(["store", "--pages"])
        .arg(out.join("pages.jsonl"))
        .arg("-o")
        .arg(&again)
        .output()
        .unwrap();
    assert_exit(&r, 0);
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
            "-o",
        ])
        .arg(&again)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    for name in ["00-全市概览.pdf", "01-浦东新区.pdf"] {
        assert!(
            std::fs::read(out.join("digests").join(name)).unwrap()
                == std::fs::read(again.join("digests").join(name)).unwrap(),
            "{name} differs between runs"
        );
    }
    assert!(!again.join("digests/02-黄浦区.pdf").exists());
    assert!(
        std::fs::read(out.join("greenbook.xlsx")).unwrap()
            == std::fs::read(again.join("greenbook.xlsx")).unwrap(),
        "greenbook.xlsx differs between runs"
    );
}

/// The workbook read back with openpyxl (a real reader) against the Parquet files read with polars:
/// the same rows and values, typed cells (numbers, integer years, percent cells), a frozen header with
/// an autofilter on every data sheet.
#[test]
fn the_workbook_reads_back_as_the_parquet() {
    let out = output();
    let report = python(
        out,
        r#"
import openpyxl, polars as pl
wb = openpyxl.load_workbook("greenbook.xlsx")
assert wb.sheetnames == ["说明", "cases", "facts", "contents", "pages"], wb.sheetnames
for name in ["cases", "facts", "contents", "pages"]:
    ws = wb[name]
    assert ws.freeze_panes == "A2", (name, ws.freeze_panes)
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
    assert all(ws.column_dimensions[c].width >= 6 for c in ws.column_dimensions), name
def rows(ws):
    it = ws.iter_rows(values_only=False)
    head = [c.value for c in next(it)]
    return [dict(zip(head, r)) for r in it]
cases = pl.read_parquet("cases.parquet").to_dicts()
got = rows(wb["cases"])
assert len(got) == len(cases), (len(got), len(cases))
for want, row in zip(cases, got):
    assert row["case_id"].value == want["case_id"]
    assert row["community"].value == want["community"]
    for f in ["households", "population", "founded_year"]:
        c = row[f]
        assert (c.value if c.value is not None else None) == want[f], (f, c.value, want[f])
        if want[f] is not None:
            assert c.data_type == "n" and isinstance(c.value, int), (f, c.value)
    for f in ["green_rate", "elderly_share", "migrant_share"]:
        c = row[f]
        if want[f] is None:
            assert c.value is None, (f, c.value)
        else:
            assert abs(c.value * 100 - want[f]) < 1e-9 and "%" in c.number_format, (f, c.value, c.number_format)
facts = pl.read_parquet("facts.parquet").to_dicts()
got = rows(wb["facts"])
assert len(got) == len(facts)
for want, row in zip(facts, got):
    assert (row["case_id"].value, row["field"].value, row["page"].value) == (want["case_id"], want["field"], want["page"])
    assert row["sentence"].value == want["sentence"]
    v = row["value"].value * (100 if want["field"] in ("green_rate", "elderly_share", "migrant_share") else 1)
    assert abs(v - want["value"]) < 1e-9, (v, want["value"])
    assert row["source"].value == want["source"]
assert wb["contents"].max_row - 1 == pl.read_parquet("contents.parquet").height
assert wb["pages"].max_row - 1 == pl.read_parquet("pages.parquet").height
print(len(got))
"#,
    );
    assert!(report.trim().parse::<usize>().unwrap() >= 10, "{report}");
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
            // Embedded, subset (a tag before the face's own PostScript name), with a ToUnicode map.
            assert!(r.contains("+NotoSansCJKsc-"), "{n}: {r}");
            assert!(r.contains("yes yes yes"), "{n}: {r}");
        }
        assert!(!compact.contains('\u{FFFD}'), "{n}");
        if n != "00-全市概览.pdf" && n != "01-浦东新区.pdf" {
            assert!(compact.contains("尚未数字化"), "{n}");
            assert_eq!(pages, 2, "{n}");
        }
    }
    // -layout keeps a table row's cells on one line, in the order they are printed.
    let pudong = tool("pdftotext", &["-layout"], &dir.join("01-浦东新区.pdf"));
    let compact: String = pudong.chars().filter(|c| !c.is_whitespace()).collect();
    for s in [
        "浦东新区绿色社区数据摘要",
        "目录收录本区案例10个，已数字化3个。",
        "生成日期：2026-11-29",
        "东力居民区",
        "华高新村第二居民区",
        "高行镇",
        // One number rule: counts grouped by thousands, years never.
        "1,224",
        "3,048",
        "1,535",
        "3,095",
        "约8,000",
        "48.5%",
        "40%",
        "35%",
        "2006",
        "1999",
        "1,935.7",
        // Pages as the book prints them, not as file labels.
        "仅给出所属小区“东力新村”的数字（第8页）",
        "向“绿”而行共建“和美”东力",
        "践行生态文明理念共建共享绿色中金",
    ] {
        assert!(compact.contains(s), "01-浦东新区.pdf lacks {s}:\n{pudong}");
    }
    // Every fact's page appears in the provenance appendix next to its value, then its sentence.
    assert!(
        compact.contains("户数1,2248浦东新区高行镇东力居民区"),
        "{compact}"
    );
    assert!(!compact.contains("p008"), "{compact}");
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
    assert_exit_naming(&r, 5, &["GreenbookSansSC-Regular.ttf", ".ttc"]);
}

/// A district office's own copy of the template changes the digests; a broken copy is an input error
/// naming the template's line, and a copy cannot read files outside its folder.
#[test]
fn a_template_dir_changes_the_layout_and_a_broken_template_is_named() {
    let t = tmp();
    let mine = t.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    let built_in = std::fs::read_to_string(root().join("templates/digest.typ")).unwrap();
    let report = |out: &str| {
        bin()
            .args([
                "report",
                "-q",
                "--only-district",
                "黄浦区",
                "--date",
                "2026-11-29",
                "--data",
            ])
            .arg(output())
            .arg("-o")
            .arg(t.path().join(out))
            .arg("--template-dir")
            .arg(&mine)
            .output()
            .unwrap()
    };
    // A line of its own under the title: "内部资料" on every cover.
    std::fs::write(
        mine.join("digest.typ"),
        built_in.replace(
            "    align(center, text(22pt, weight: \"bold\", b.text))\n",
            "    align(center, text(22pt, weight: \"bold\", b.text))\n    align(center)[内部资料]\n",
        ),
    )
    .unwrap();
    let r = report("a");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let pdf = t.path().join("a/digests/02-黄浦区.pdf");
    let text = tool("pdftotext", &[], &pdf);
    assert!(
        text.contains("内部资料") && text.contains("黄浦区"),
        "{text}"
    );
    // The same data with the built-in template has no such line.
    let plain = tool("pdftotext", &[], &output().join("digests/02-黄浦区.pdf"));
    assert!(!plain.contains("内部资料"));

    std::fs::write(
        mine.join("digest.typ"),
        format!("{built_in}\n#undefined-thing\n"),
    )
    .unwrap();
    let r = report("b");
    assert_exit(&r, 4);
    let err = String::from_utf8_lossy(&r.stderr);
    let line = built_in.lines().count() + 2;
    assert!(
        err.contains(&format!("digest.typ:{line}:")) && err.contains("undefined-thing"),
        "{err}"
    );
    assert!(!t.path().join("b/digests/02-黄浦区.pdf").exists());

    std::fs::write(
        mine.join("digest.typ"),
        "#read(\"../../../../../etc/passwd\")\n",
    )
    .unwrap();
    let r = report("c");
    assert_exit(&r, 4);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("digest.typ:1:") && !err.contains("root:"),
        "{err}"
    );
}

/// Without --date, the outputs carry SOURCE_DATE_EPOCH's date: the same data and the same value give
/// the same bytes; a value that is not a number of seconds is a usage error.
#[test]
fn source_date_epoch_dates_the_digests_and_the_workbook() {
    let out = output();
    let t = tmp();
    let report = |dir: &Path, epoch: &str| {
        bin()
            .args(["report", "-q", "--only-district", "浦东新区", "--data"])
            .arg(out)
            .arg("-o")
            .arg(dir)
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap()
    };
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    assert_exit(&report(&a, "1795910400"), 0);
    assert_exit(&report(&b, "1795910400"), 0);
    for name in ["digests/01-浦东新区.pdf", "greenbook.xlsx"] {
        assert!(
            std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
            "{name} differs"
        );
    }
    let cover = tool(
        "pdftotext",
        &["-l", "1"],
        &a.join("digests/01-浦东新区.pdf"),
    );
    assert!(cover.contains("生成日期：2026-11-29"), "{cover}");
    assert!(!cover.contains("--date"), "{cover}");
    let r = report(&t.path().join("c"), "yesterday");
    assert_exit(&r, 2);
    assert!(String::from_utf8_lossy(&r.stderr).contains("SOURCE_DATE_EPOCH=yesterday"));
}

/// The Chinese README gives the same two commands as the English one, the same exit codes, and names
/// only outputs a run writes.
#[test]
fn the_chinese_readme_matches_the_english_one() {
    let en = std::fs::read_to_string(root().join("README.md")).unwrap();
    let zh = std::fs::read_to_string(root().join("README.zh-CN.md")).unwrap();
    assert!(en.lines().take(3).any(|l| l.contains("README.zh-CN.md")));
    assert_eq!(code_blocks(&zh, "sh")[0], code_blocks(&en, "sh")[0]);
    let codes = |s: &str| -> Vec<String> {
        let at = s.find("| 0 |").expect("an exit code table");
        s[at..]
            .lines()
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
            .collect()
    };
    assert_eq!(codes(&zh), codes(&en));
    let out = output();
    for name in [
        "digests/00-全市概览.pdf",
        "digests/01-浦东新区.pdf",
        "greenbook.xlsx",
        "cases.parquet",
        "facts.parquet",
        "review/index.html",
        "book.pdf",
        "book.txt",
        "iiif/manifest.json",
        "mets.xml",
    ] {
        assert!(
            zh.contains(name.rsplit('/').next().unwrap()),
            "{name} not in README.zh-CN.md"
        );
        assert!(out.join(name).exists(), "{name} not written");
    }
}

/// The district digest states its message first: cases digitised of those listed, totals, the green
/// rate against the city, the oldest and newest communities and notable shares, each with its page.
#[test]
fn the_digest_opens_with_its_headline_and_pages() {
    let text = tool(
        "pdftotext",
        &["-f", "2", "-l", "2"],
        &output().join("digests/01-浦东新区.pdf"),
    );
    let text = text.replace('\n', "");
    for want in [
        "要点",
        "目录收录本区案例 10 个，已数字化 3 个：绿地崑廉居民区、华高新村第二居民区、东力居民区。",
        "已数字化的社区合计 5,807 户（第 2、5、8 页）",
        "本区社区平均绿化率 48.5%（第 2 页）",
        "建成最早的是华高新村第二居民区（1999 年，第 5 页）",
        "老年人口占比最高的是东力居民区（40%，第 8 页）",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
}
