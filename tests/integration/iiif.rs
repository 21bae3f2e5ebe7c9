//! What a library publishes and ingests (issue #35): the IIIF manifest checked against the IIIF
//! Presentation 3 JSON Schema (jsonschema from PyPI, schema in tests/data/iiif/), METS against the
//! official METS 1.12.1 and MODS 3.8 schemas (xmllint, offline, tests/data/mets/), both with negative
//! tests; every file they point at read back and hashed; and the manifest opened in Mirador 4 in
//! headless Chromium (tests/browser/mirador.py).

use crate::pipeline::{output, shared_cache, work};
use crate::util::*;
use greenbook::dataset::Dataset;
use serde_json::Value;
use std::sync::OnceLock;

const BASE: &str = "https://lib.example.org/greenbook/";

/// The committed scans run again (the OCR cache makes it quick) with the flags a library passes.
fn published() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = work().join("published");
        let r = bin()
            .args(["run", "scans", "-q", "--date", "2026-11-29", "-o"])
            .arg(&out)
            .arg("--cache-dir")
            .arg(shared_cache())
            .args(["--iiif-base", BASE])
            .args(["--rights", "http://rightsstatements.org/vocab/InC/1.0/"])
            .args(["--attribution", "示例图书馆 <数字化>"])
            .output()
            .unwrap();
        assert_exit(&r, 0);
        out
    })
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("iiif/manifest.json")).unwrap()).unwrap()
}

/// jsonschema's verdict on `doc`: None when valid, else the first error.
fn json_schema_errors(doc: &Value) -> Option<String> {
    let t = tmp();
    let file = t.path().join("m.json");
    std::fs::write(&file, serde_json::to_vec(doc).unwrap()).unwrap();
    let code = "import json, sys, jsonschema\n\
                schema = json.load(open(sys.argv[1]))\n\
                doc = json.load(open(sys.argv[2]))\n\
                errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)\n\
                print(errors[0].message if errors else '')\n";
    let r = Command::new("python3")
        .args(["-c", code])
        .arg(root().join("tests/data/iiif/iiif_3_0.json"))
        .arg(&file)
        .output()
        .expect("python3 with jsonschema (scripts/setup.sh)");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let msg = String::from_utf8_lossy(&r.stdout).trim().to_string();
    (!msg.is_empty()).then_some(msg)
}

fn xmllint_mets(file: &Path) -> std::process::Output {
    let data = root().join("tests/data/mets");
    Command::new("xmllint")
        .env("XML_CATALOG_FILES", data.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(data.join("mets-mods.xsd"))
        .arg(file)
        .output()
        .expect("xmllint (libxml2-utils, installed by scripts/setup.sh)")
}

fn sha256(path: &Path) -> String {
    greenbook::io::sha256_hex(&std::fs::read(path).unwrap())
}

/// A URL of the manifest or METS as a file of `out`.
fn local(out: &Path, url: &str) -> PathBuf {
    let rel = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"));
    let decoded = percent_decode(rel);
    out.join(decoded)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn texts(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap()
        .values()
        .flat_map(|l| l.as_array().unwrap().iter())
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_manifest_validates_and_shows_every_page_with_its_folio_text_alto_and_place() {
    let out = published();
    let m = manifest(out);
    assert_eq!(json_schema_errors(&m), None);
    assert_eq!(m["id"], format!("{BASE}iiif/manifest.json"));
    assert_eq!(m["rights"], "http://rightsstatements.org/vocab/InC/1.0/");
    assert!(texts(&m["requiredStatement"]["value"]).contains(&"示例图书馆 <数字化>".to_string()));
    assert!(texts(&m["label"]).contains(&"新时代绿色社区创建 上海案例精选".to_string()));
    let meta = serde_json::to_string(&m["metadata"]).unwrap();
    for s in [
        "上海科学技术出版社",
        "2023",
        "zh-CN",
        "东华大学",
        "978-7-5478-6135-6",
    ] {
        assert!(meta.contains(s), "metadata lacks {s}");
    }
    // 15 canvases in book order, labelled with the printed folios, each painted with its page image.
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 15);
    let ds = Dataset::read(out).unwrap();
    let labels: Vec<String> = items
        .iter()
        .map(|c| texts(&c["label"])[0].clone())
        .collect();
    assert_eq!(labels[0], "i", "{labels:?}");
    assert!(labels.contains(&"8".to_string()), "{labels:?}");
    let mut lines = 0;
    let mut all_text = String::new();
    for c in items {
        let (w, h) = (c["width"].as_u64().unwrap(), c["height"].as_u64().unwrap());
        let body = &c["items"][0]["items"][0]["body"];
        assert_eq!(
            (body["width"].as_u64(), body["height"].as_u64()),
            (Some(w), Some(h))
        );
        let image = local(out, body["id"].as_str().unwrap());
        let decoded = image::open(&image).unwrap();
        assert_eq!((decoded.width() as u64, decoded.height() as u64), (w, h));
        // seeAlso: the page's ALTO, whose page size is the canvas's.
        let alto = &c["seeAlso"][0];
        assert_eq!(alto["profile"], "http://www.loc.gov/standards/alto/");
        let xml = std::fs::read_to_string(local(out, alto["id"].as_str().unwrap())).unwrap();
        assert!(xml.contains(&format!("WIDTH=\"{w}\" HEIGHT=\"{h}\"")));
        // Lines on their boxes, inside the canvas.
        for a in c["annotations"][0]["items"].as_array().unwrap() {
            assert_eq!(a["motivation"], "supplementing");
            assert_eq!(a["textGranularity"], "line");
            let target = a["target"].as_str().unwrap();
            let xywh: Vec<u64> = target
                .split("#xywh=")
                .nth(1)
                .unwrap()
                .split(',')
                .map(|n| n.parse().unwrap())
                .collect();
            assert!(xywh[0] + xywh[2] <= w && xywh[1] + xywh[3] <= h, "{target}");
            all_text.push_str(a["body"]["value"].as_str().unwrap());
            lines += 1;
        }
    }
    assert!(lines > 300, "{lines} lines");
    for s in ["东力居民区建成于2006年", "绿化率达48.5%"] {
        assert!(all_text.contains(s), "no line has {s}");
    }
    // Ranges: districts › cases, as book.pdf's outline.
    // The contents pages first, then each district with its chapter page and cases.
    let ranges = m["structures"].as_array().unwrap();
    assert_eq!(texts(&ranges[0]["label"]), ["目录"]);
    assert_eq!(ranges[0]["items"].as_array().unwrap().len(), 2);
    assert_eq!(ranges.len(), 2);
    assert_eq!(texts(&ranges[1]["label"]), ["浦东新区"]);
    let cases: Vec<String> = ranges[1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "Range")
        .map(|r| texts(&r["label"])[0].clone())
        .collect();
    let want: Vec<String> = ds.cases.iter().map(|c| c.title.clone()).collect();
    assert_eq!(cases, want);

    // The schema can fail: a canvas without a size, an id that is not a URL, a line without a target.
    let mut bad = m.clone();
    bad["items"][3].as_object_mut().unwrap().remove("width");
    assert!(json_schema_errors(&bad).is_some());
    let mut bad = m.clone();
    bad["items"][0]["id"] = Value::from("canvas/1");
    assert!(json_schema_errors(&bad).is_some());
    let mut bad = m.clone();
    bad["type"] = Value::from("Book");
    assert!(json_schema_errors(&bad).is_some());
}

#[test]
fn mets_validates_and_every_file_it_names_has_its_checksum() {
    let out = published();
    let mets = out.join("mets.xml");
    let r = xmllint_mets(&mets);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let xml = std::fs::read_to_string(&mets).unwrap();
    let doc_files = regex::Regex::new(
        r#"<mets:file ID="([A-Z]+)_\d+" MIMETYPE="([^"]+)" CHECKSUM="([0-9a-f]{64})" CHECKSUMTYPE="SHA-256">\s*<mets:FLocat LOCTYPE="[A-Z]+"(?: OTHERLOCTYPE="INPUT")? xlink:href="([^"]+)"/>"#,
    )
    .unwrap();
    let mut groups = std::collections::BTreeMap::<String, usize>::new();
    for c in doc_files.captures_iter(&xml) {
        *groups.entry(c[1].to_string()).or_default() += 1;
        let path = match &c[1] {
            // The scans, as the input folder names them.
            "SRC" => scans().join(&c[4]),
            _ => local(out, &c[4]),
        };
        assert_eq!(sha256(&path), c[3], "{}", &c[4]);
    }
    assert_eq!(groups.get("IMG"), Some(&15));
    assert_eq!(groups.get("ALTO"), Some(&15));
    assert_eq!(groups.get("SRC"), Some(&15));
    // The scans' checksums are those pages.parquet records.
    let ds = Dataset::read(out).unwrap();
    for p in &ds.pages {
        assert!(
            xml.contains(p.reading.sha256.as_deref().unwrap()),
            "{}",
            p.reading.label
        );
    }
    // PHYSICAL: pages in order with their folios; LOGICAL: book › districts › cases, linked.
    assert!(xml.contains(r#"<mets:div ID="PHYS_0001" TYPE="page" ORDER="1" ORDERLABEL="i">"#));
    assert!(xml.contains(r#"TYPE="chapter" LABEL="浦东新区""#));
    for c in &ds.cases {
        assert!(
            xml.contains(&format!("TYPE=\"section\" LABEL=\"{}\"", c.title)),
            "{}",
            c.title
        );
    }
    let links = xml.matches("<mets:smLink ").count();
    assert!(links > 15 + 15, "{links} links");
    assert!(xml.contains("<mods:accessCondition type=\"use and reproduction\" xlink:href=\"http://rightsstatements.org/vocab/InC/1.0/\">示例图书馆 &lt;数字化&gt;</mods:accessCondition>"));

    // The schemas can fail: a page without its ORDER's number type, a MODS element MODS lacks.
    let t = tmp();
    let bad = t.path().join("bad.xml");
    std::fs::write(&bad, xml.replacen("ORDER=\"1\"", "ORDER=\"first\"", 1)).unwrap();
    assert!(!xmllint_mets(&bad).status.success(), "a bad ORDER passed");
    std::fs::write(
        &bad,
        xml.replacen(
            "<mods:typeOfResource>",
            "<mods:format>x</mods:format><mods:typeOfResource>",
            1,
        ),
    )
    .unwrap();
    assert!(
        !xmllint_mets(&bad).status.success(),
        "a bad MODS element passed"
    );
}

#[test]
fn without_a_base_every_link_is_relative_and_resolves_in_the_output_folder() {
    let out = output();
    let m = manifest(out);
    assert_eq!(m["id"], "manifest.json");
    let iiif = out.join("iiif");
    for c in m["items"].as_array().unwrap() {
        let img = c["items"][0]["items"][0]["body"]["id"].as_str().unwrap();
        assert!(img.starts_with("pages/"), "{img}");
        assert!(iiif.join(percent_decode(img)).is_file(), "{img}");
        let alto = c["seeAlso"][0]["id"].as_str().unwrap();
        assert!(alto.starts_with("../alto/"), "{alto}");
        assert!(iiif.join(percent_decode(alto)).is_file(), "{alto}");
    }
    let xml = std::fs::read_to_string(out.join("mets.xml")).unwrap();
    assert!(
        xml.contains("xlink:href=\"iiif/pages/"),
        "METS links from the folder's root"
    );
    assert!(!xml.contains("http://lib.example.org"));
    // The same data and date write the same bytes as the run with a base, apart from the links.
    let published = std::fs::read_to_string(published().join("mets.xml")).unwrap();
    assert_eq!(
        published.replace(BASE, "").lines().count(),
        xml.lines().count() + 1,
        "one accessCondition line more"
    );
}

#[test]
fn bad_publication_flags_are_usage_errors() {
    let t = tmp();
    for (flag, value) in [
        ("--iiif-base", "file:///etc/"),
        ("--iiif-base", "https://x.org/\"><script>"),
        ("--rights", "all rights reserved"),
    ] {
        let r = bin()
            .args(["run", "scans", "-q", "-o"])
            .arg(t.path().join("o"))
            .args([flag, value])
            .output()
            .unwrap();
        assert_exit(&r, 2);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(flag), "{err}");
    }
    assert!(!t.path().join("o").exists());
}

/// Mirador 4 (npm, fetched by scripts/setup.sh into .tools/) opens the manifest: 15 canvases with
/// their folios, the contents and the districts with their cases in its table of contents, a page's
/// OCR lines listed. The screenshot is kept in work/ (docs/mirador.png is one).
#[test]
fn mirador_opens_the_volume_with_its_contents_and_text() {
    let out = output();
    let mirador = root().join(".tools/mirador-4.0.0/mirador.min.js");
    assert!(
        mirador.is_file(),
        "Mirador not fetched: run scripts/setup.sh"
    );
    let shot = work().join("mirador.png");
    let r = Command::new("python3")
        .arg(root().join("tests/browser/mirador.py"))
        .arg(out)
        .arg(&mirador)
        .arg(&shot)
        .output()
        .expect("python3 with selenium (scripts/setup.sh)");
    assert!(
        r.status.success(),
        "mirador.py: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let seen: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(seen["canvases"], 15, "{seen}");
    let index = seen["index"].to_string();
    for folio in ["i", "8"] {
        assert!(index.contains(folio), "{index}");
    }
    // The committed scans hold the contents and the Pudong chapter.
    let toc = seen["toc"].to_string();
    assert!(toc.contains("目录") && toc.contains("浦东新区"), "{toc}");
    let expanded = seen["toc_expanded"].to_string();
    assert!(expanded.contains("向“绿”而行共建“和美”东力"), "{expanded}");
    let annotations = seen["annotations"].to_string();
    assert!(annotations.contains("新时代绿色社区创建"), "{annotations}");
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
}
