//! The archive's outputs (issue #17), read back with the tools an archive uses: ALTO validated
//! against the official ALTO 4.4 schema offline (xmllint), `book.pdf` read with poppler (pdftotext,
//! pdftoppm, pdfinfo) and qpdf (page labels, outline, PDF/A metadata), `book.txt`; and scanned PDFs from real
//! producers (img2pdf, Ghostscript, OCRmyPDF, a bitonal CCITT G4 scan) read as well as their source
//! images.

use crate::pipeline::output;
use crate::util::*;

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn labels() -> Vec<String> {
    input::read_manifest(&scans().join("manifest.csv"))
        .unwrap()
        .into_iter()
        .map(|p| p.label)
        .collect()
}

fn page_text(label: &str) -> String {
    std::fs::read_to_string(output().join("text").join(format!("{label}.txt"))).unwrap()
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn xmllint(files: &[PathBuf]) -> std::process::Output {
    let data = root().join("tests/data/alto");
    Command::new("xmllint")
        .env("XML_CATALOG_FILES", data.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(data.join("alto-4-4.xsd"))
        .args(files)
        .output()
        .expect("xmllint (libxml2-utils, installed by scripts/setup.sh)")
}

#[test]
fn alto_validates_against_the_alto_4_schema_and_carries_the_page_text() {
    let alto = output().join("alto");
    let files: Vec<PathBuf> = labels()
        .iter()
        .map(|l| alto.join(format!("{l}.xml")))
        .collect();
    assert_eq!(files.len(), 15);
    let r = xmllint(&files);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    // The validation is real: a word confidence above 1 is refused.
    let dir = tmp();
    let bad = dir.path().join("bad.xml");
    let p002 = std::fs::read_to_string(&files[8]).unwrap();
    let at = p002.find(" WC=\"").unwrap();
    std::fs::write(&bad, format!("{} WC=\"1.5{}", &p002[..at], &p002[at + 9..])).unwrap();
    assert!(!xmllint(&[bad]).status.success(), "an invalid WC passed");

    let strings = regex::Regex::new(r#"<String ID="[^"]+" HPOS="(\d+)" VPOS="(\d+)" WIDTH="(\d+)" HEIGHT="(\d+)" CONTENT="([^"]*)"(?: WC="([0-9.]+)")?"#).unwrap();
    for (label, file) in labels().iter().zip(&files) {
        let xml = std::fs::read_to_string(file).unwrap();
        assert!(xml.contains("<MeasurementUnit>pixel</MeasurementUnit>"));
        assert!(xml.contains(&format!("<fileName>{label}.png</fileName>")));
        assert!(xml.contains("<softwareName>greenbook</softwareName>"));
        assert!(xml.contains("WIDTH=\"2480\" HEIGHT=\"3366\""), "{label}");
        let mut text = String::new();
        for c in strings.captures_iter(&xml) {
            let (x, w): (u32, u32) = (c[1].parse().unwrap(), c[3].parse().unwrap());
            assert!(x + w <= 2480, "{label}: a word outside the page");
            if let Some(wc) = c.get(6) {
                let wc: f32 = wc.as_str().parse().unwrap();
                assert!((0.0..=1.0).contains(&wc));
            }
            text.push_str(&xml_unescape(&c[5]));
        }
        assert_eq!(squeeze(&text), squeeze(&page_text(label)), "{label}");
    }
    // PP-OCR (the default engine) knows each character's confidence: CC has one digit per character.
    let cc = regex::Regex::new(r#"CONTENT="([^"]*)" WC="[0-9.]+" CC="([0-9 ]+)""#).unwrap();
    let xml = std::fs::read_to_string(&files[8]).unwrap();
    let mut n = 0;
    for c in cc.captures_iter(&xml) {
        assert_eq!(
            xml_unescape(&c[1]).chars().count(),
            c[2].split(' ').count(),
            "{}",
            &c[0]
        );
        n += 1;
    }
    assert!(n > 20, "{n} strings with CC");
}

#[test]
fn book_txt_is_every_page_in_order_with_a_marker_line() {
    let book = std::fs::read_to_string(output().join("book.txt")).unwrap();
    let mut at = 0;
    for label in labels() {
        let marker = format!("=== page {label} ({label}.png) ===\n");
        let i = book[at..]
            .find(&marker)
            .unwrap_or_else(|| panic!("{marker} after byte {at}"))
            + at;
        let body_start = i + marker.len();
        let end = book[body_start..]
            .find("\n=== page ")
            .map_or(book.len(), |k| body_start + k + 1);
        assert_eq!(
            book[body_start..end].trim_end(),
            page_text(&label).trim_end()
        );
        at = end;
    }
}

fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let r = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
    assert!(
        r.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    String::from_utf8_lossy(&r.stdout).into_owned()
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

#[test]
fn book_pdf_text_layer_is_the_ocr_text_without_spaces_between_cjk() {
    let pdf = output().join("book.pdf");
    // In the order the content stream gives (the OCR reading order); without -raw, poppler re-orders
    // captions side by side by its own rules.
    let text = poppler("pdftotext", &["-raw", "-enc", "UTF-8"], &pdf);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    assert!(pages.len() >= 15, "{} pages", pages.len());
    for (label, got) in labels().iter().zip(&pages) {
        assert_eq!(squeeze(got), squeeze(&page_text(label)), "{label}");
    }
    // What a reader copies (poppler's default layout analysis): no space between CJK characters nor
    // before full-width punctuation.
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &pdf);
    let chars: Vec<char> = text.chars().collect();
    let mut checked = 0;
    for w in chars.windows(3) {
        if is_han(w[0]) && (is_han(w[2]) || "，。、；：）”".contains(w[2])) {
            checked += 1;
            assert!(w[1] != ' ', "a space in {:?}", w.iter().collect::<String>());
        }
    }
    assert!(checked > 1000, "{checked} CJK pairs");
}

#[test]
fn book_pdf_words_sit_on_their_ocr_boxes() {
    let out = output();
    let pages: Vec<ocr::PageOcr> = std::fs::read_to_string(out.join("pages.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let html = poppler(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8"],
        &out.join("book.pdf"),
    );
    // Three words of p008 (index 14): the community name, a figure and the section heading.
    let p = &pages[14];
    assert_eq!(p.reading.label, "p008");
    let page_html = html
        .split("<page ")
        .nth(15)
        .expect("page 15 in the bbox output");
    let word = regex::Regex::new(
        r#"<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>"#,
    )
    .unwrap();
    let boxes: Vec<(f32, f32, f32, f32, String)> = word
        .captures_iter(page_html)
        .map(|c| {
            (
                c[1].parse().unwrap(),
                c[2].parse().unwrap(),
                c[3].parse().unwrap(),
                c[4].parse().unwrap(),
                c[5].to_string(),
            )
        })
        .collect();
    let k = 72.0 / 300.0;
    let mut checked = 0;
    for want in ["东力", "社区概况", "1224"] {
        let w = p
            .words
            .iter()
            .find(|w| w.text.contains(want))
            .unwrap_or_else(|| panic!("{want} in p008's words"));
        // The PDF word holding it lies on the OCR word's box (in points; poppler's boxes reach from
        // the font's descent to its ascent, and to the next word of the line).
        let (x0, y0, x1, y1) = (
            w.x as f32 * k,
            w.y as f32 * k,
            (w.x + w.w) as f32 * k,
            (w.y + w.h) as f32 * k,
        );
        let hit = boxes
            .iter()
            .find(|b| b.4.contains(want) && b.0 <= x1 && b.2 >= x0 && b.1 <= y1 && b.3 >= y0)
            .unwrap_or_else(|| panic!("{want} at {x0},{y0}–{x1},{y1} not in {boxes:?}"));
        let overlap =
            (hit.2.min(x1) - hit.0.max(x0)).max(0.0) * (hit.3.min(y1) - hit.1.max(y0)).max(0.0);
        assert!(
            overlap >= 0.5 * (x1 - x0) * (y1 - y0),
            "{want}: PDF box {hit:?} vs OCR box {x0},{y0}–{x1},{y1}"
        );
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// The whole of `pdf` as qpdf's JSON (version 2): its objects, page labels and outline, decoded.
fn qpdf_json(pdf: &Path) -> serde_json::Value {
    let r = Command::new("qpdf")
        .args(["--json=2", "--json-key=pagelabels", "--json-key=outlines"])
        .args(["--json-key=pages", "--json-key=qpdf"])
        .arg(pdf)
        .output()
        .expect("qpdf (scripts/setup.sh installs it)");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    serde_json::from_slice(&r.stdout).unwrap()
}

/// The value of object `id` ("12 0 R") in qpdf's JSON: a dictionary, or a stream's dictionary.
fn qpdf_object<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let obj = &json["qpdf"][1][format!("obj:{id}")];
    if obj["value"].is_null() {
        &obj["stream"]["dict"]
    } else {
        &obj["value"]
    }
}

#[test]
fn book_pdf_has_folios_an_outline_metadata_and_stays_compact() {
    let pdf = output().join("book.pdf");
    let json = qpdf_json(&pdf);
    let root = json["qpdf"][1]["trailer"]["value"]["/Root"]
        .as_str()
        .unwrap();
    let catalog = qpdf_object(&json, root);
    // Page labels: front matter in roman numerals, then the printed folios. A viewer shows style
    // "r" as roman numerals, "D" as decimal.
    let printed: Vec<String> = json["pagelabels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let label = &l["label"];
            let style = label["/S"].as_str().unwrap_or("/?").trim_start_matches('/');
            format!("{style}{}", label["/St"].as_i64().unwrap_or(1))
        })
        .collect();
    let n_pages = json["pages"].as_array().unwrap().len();
    // The committed scans: seven front-matter pages (i–vii), then the printed folios 1–8, in two
    // ranges that start on pages 0 and 7.
    assert_eq!(labels().len(), n_pages);
    assert_eq!(n_pages, 15);
    assert_eq!(printed, ["r1", "D1"]);
    let starts: Vec<i64> = json["pagelabels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["index"].as_i64().unwrap())
        .collect();
    assert_eq!(starts, [0, 7]);
    // Outline: the district, then its cases under it.
    let outline = json["outlines"].as_array().unwrap();
    assert_eq!(outline.len(), 1, "{outline:?}");
    assert_eq!(outline[0]["title"], "浦东新区");
    let titles: Vec<&str> = outline[0]["kids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[2].contains("东力"), "{titles:?}");
    // PDF/A-2b: XMP with its identification, an output intent with an ICC profile, the text font
    // embedded, the language and title.
    assert!(catalog["/Metadata"].is_string(), "{catalog}");
    let xmp = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(xmp.contains("新时代绿色社区创建"));
    let deref = |v: &serde_json::Value| -> serde_json::Value {
        match v.as_str() {
            Some(id) if id.ends_with(" R") => qpdf_object(&json, id).clone(),
            _ => v.clone(),
        }
    };
    let intents = deref(&catalog["/OutputIntents"]);
    let intent = deref(&intents[0]);
    assert_eq!(intent["/S"], "/GTS_PDFA1");
    let icc = deref(&intent["/DestOutputProfile"]);
    assert_eq!(icc["/N"], 3);
    assert_eq!(catalog["/Lang"], "u:zh-CN");
    let fonts = poppler("pdffonts", &[], &pdf.clone()).replace("-\n", "");
    assert!(fonts.contains("GlyphLessFont"), "{fonts}");
    let row = fonts.lines().find(|l| l.contains("GlyphLessFont")).unwrap();
    assert!(row.contains("yes"), "font not embedded: {row}");
    let info = poppler("pdfinfo", &[], &pdf).replace("-\n", "");
    assert!(
        info.contains("Title:") && info.contains("新时代绿色社区创建"),
        "{info}"
    );
    assert!(info.contains("东华大学"), "{info}");
    // Compact: the page images within 1.2× of the scans.
    let scans_size: u64 = labels()
        .iter()
        .map(|l| {
            std::fs::metadata(scans().join(format!("{l}.png")))
                .unwrap()
                .len()
        })
        .sum();
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(
        size as f64 <= 1.2 * scans_size as f64,
        "{size} vs {scans_size}"
    );
}

#[test]
fn a_book_pdf_page_renders_as_its_scan() {
    let dir = tmp();
    let r = Command::new("pdftoppm")
        .args([
            "-f",
            "15",
            "-l",
            "15",
            "-r",
            "300",
            "-gray",
            "-png",
            "-singlefile",
        ])
        .arg(output().join("book.pdf"))
        .arg(dir.path().join("p008"))
        .output()
        .unwrap();
    assert!(r.status.success());
    let shown = image::open(dir.path().join("p008.png"))
        .unwrap()
        .into_luma8();
    let scan = image::open(scans().join("p008.png")).unwrap().into_luma8();
    assert_eq!(shown.dimensions(), scan.dimensions());
    let diff: u64 = shown
        .pixels()
        .zip(scan.pixels())
        .map(|(a, b)| u64::from(a.0[0].abs_diff(b.0[0])))
        .sum();
    let mean = diff as f64 / f64::from(scan.width() * scan.height());
    assert!(mean < 1.0, "mean difference {mean} grey levels");
}

/// Runs a command, failing with its stderr.
fn run(cmd: &mut Command) {
    let r = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (installed by scripts/setup.sh)"));
    assert!(
        r.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn scanned_pdfs_from_real_producers_read_as_their_source_images() {
    let dir = tmp();
    let d = dir.path();
    let src = scans().join("p008.png");
    let python = |code: &str| run(Command::new("python3").arg("-c").arg(code).current_dir(d));
    // Sources: the scan, its JPEG, and a bitonal version (as a 1-bit PNG and as a CCITT G4 TIFF).
    python(&format!(
        "from PIL import Image\nim = Image.open({src:?})\nim.save('src-jpeg.jpg', quality=90)\nbw = im.point(lambda v: 255 if v > 160 else 0).convert('1')\nbw.save('src-g4.png')\nbw.save('g4.tif', compression='group4', dpi=(300, 300))"
    ));
    std::fs::copy(&src, d.join("src-png.png")).unwrap();
    let img2pdf = |input: &str, out: &str| {
        run(Command::new("python3")
            .args(["-m", "img2pdf"])
            .arg(input)
            .arg("-o")
            .arg(out)
            .current_dir(d))
    };
    img2pdf("src-png.png", "img2pdf-png.pdf");
    img2pdf("src-jpeg.jpg", "img2pdf-jpeg.pdf");
    img2pdf("g4.tif", "img2pdf-g4.pdf");
    // Ghostscript rewrites the PDF (its own objects, streams and image encoding, kept lossless).
    run(Command::new("gs")
        .args([
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            "-dAutoFilterGrayImages=false",
            "-dGrayImageFilter=/FlateEncode",
            "-dDownsampleGrayImages=false",
            "-sOutputFile=gs-png.pdf",
            "img2pdf-png.pdf",
        ])
        .current_dir(d));
    // OCRmyPDF's output: the page image plus its own invisible text layer.
    run(Command::new("python3")
        .args([
            "-m",
            "ocrmypdf",
            "-q",
            "-l",
            "chi_sim",
            "--output-type",
            "pdf",
            "--optimize",
            "0",
            "img2pdf-png.pdf",
            "ocrmypdf-png.pdf",
        ])
        .env("OMP_THREAD_LIMIT", "1")
        .current_dir(d));
    let inputs = d.join("in");
    std::fs::create_dir(&inputs).unwrap();
    for f in [
        "src-png.png",
        "src-jpeg.jpg",
        "src-g4.png",
        "img2pdf-png.pdf",
        "img2pdf-jpeg.pdf",
        "img2pdf-g4.pdf",
        "gs-png.pdf",
        "ocrmypdf-png.pdf",
    ] {
        std::fs::rename(d.join(f), inputs.join(f)).unwrap();
    }
    let text = d.join("text");
    let r = bin()
        .args(["ocr", "-q", "--no-cache", "-o"])
        .arg(d.join("out"))
        .arg("--text-dir")
        .arg(&text)
        .arg(&inputs)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    let truth = std::fs::read_to_string(scans().join("truth/p008.txt")).unwrap();
    let cer = |label: &str| {
        let hyp = std::fs::read_to_string(text.join(format!("{label}.txt")))
            .unwrap_or_else(|_| panic!("{label} read"));
        let (edits, n) = greenbook::text::edit_counts(&truth, &hyp);
        100.0 * edits as f64 / n as f64
    };
    for (pdf, source) in [
        ("img2pdf-png", "src-png"),
        ("img2pdf-jpeg", "src-jpeg"),
        ("img2pdf-g4", "src-g4"),
        ("gs-png", "src-png"),
        ("ocrmypdf-png", "src-png"),
    ] {
        let (a, b) = (cer(pdf), cer(source));
        assert!(
            (a - b).abs() <= 0.3,
            "{pdf}: CER {a:.2} % against {b:.2} % for its source image"
        );
    }
    assert!(cer("src-png") < 2.0);
}
