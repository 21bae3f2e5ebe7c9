use crate::util::*;
use greenbook::dataset::Dataset;

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
    use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let (catalog, tree, page, image, content) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.parent(tree)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .contents(content);
    p.resources().x_objects().pair(Name(b"Im0"), image);
    p.finish();
    let mut x = pdf.image_xobject(image, &jpeg);
    x.width(img.width() as i32)
        .height(img.height() as i32)
        .bits_per_component(8);
    x.filter(Filter::DctDecode);
    x.color_space().device_gray();
    x.finish();
    pdf.stream(content, b"q 595 0 0 842 0 0 cm /Im0 Do Q");
    pdf.finish()
}

#[test]
fn every_bad_page_is_named_recorded_and_the_run_completes() {
    let t = tmp();
    let dir = in_dir(&t);
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
    let fonts = greenbook_synth::render::FontSet::load(Path::new(
        greenbook_synth::render::DEFAULT_FONT_DIR,
    ))
    .unwrap();
    let (english, _) = greenbook_synth::render::text_page(
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
    // The resources' /XObject dictionary (not the image's /Type /XObject), renamed.
    let at = (0..textonly.len())
        .find(|&i| {
            textonly[i..].starts_with(b"/XObject")
                && textonly[i + 8..].trim_ascii_start().starts_with(b"<<")
        })
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
    let err = assert_exit(&r, 3);
    let ds = Dataset::read(&out).unwrap();
    assert_eq!(ds.pages.len(), 15, "{err}");
    let page = |stem: &str| ds.pages.iter().find(|p| p.reading.label == stem).unwrap();
    let expect_error = |stem: &str, kind: ocr::PageErrorKind, words: &[&str]| {
        let p = page(stem);
        let e = p
            .reading
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{stem}: no error"));
        assert_eq!(e.kind, kind, "{stem}: {}", e.message);
        let e = e.message.as_str();
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
    expect_error("02-empty", ocr::PageErrorKind::Unreadable, &["empty"]);
    expect_error(
        "03-truncated",
        ocr::PageErrorKind::Unreadable,
        &["not a readable image"],
    );
    expect_error("04-text", ocr::PageErrorKind::Unreadable, &["not an image"]);
    expect_error("05-tiny", ocr::PageErrorKind::Unreadable, &["too small"]);
    expect_error(
        "06-huge",
        ocr::PageErrorKind::Unreadable,
        &["20000×20000", "limit"],
    );
    expect_error("07-blank", ocr::PageErrorKind::Blank, &["blank"]);
    expect_error("10-english", ocr::PageErrorKind::ForeignScript, &["Latin"]);
    expect_error(
        "11-duplicate",
        ocr::PageErrorKind::Duplicate,
        &["duplicate of page 01-good"],
    );
    expect_error(
        "13-encrypted",
        ocr::PageErrorKind::Unreadable,
        &["encrypted PDF"],
    );
    // A PDF page with nothing drawn on it is rendered, and found blank.
    expect_error("14-no-image", ocr::PageErrorKind::Blank, &["blank"]);
    if !root_reads_anyway {
        expect_error(
            "15-unreadable",
            ocr::PageErrorKind::Unreadable,
            &["cannot read"],
        );
    } else {
        // Running as root: permissions do not stop reading, so the file is the truncated PNG it is.
        expect_error(
            "15-unreadable",
            ocr::PageErrorKind::Unreadable,
            &["not a readable image"],
        );
    }
    // The good, rotated and PDF pages are read.
    for stem in ["01-good", "08-rot90", "09-rot180", "12-scan"] {
        let p = page(stem);
        assert!(p.reading.error.is_none(), "{stem}: {:?}", p.reading.error);
        assert!(
            p.reading.mean_conf.unwrap() > 80.0,
            "{stem}: {:?}",
            p.reading.mean_conf
        );
    }
    assert_eq!(page("08-rot90").reading.rotation, 270);
    assert_eq!(page("09-rot180").reading.rotation, 180);
    assert!(
        page("08-rot90").reading.text.contains("华高新村"),
        "{}",
        page("08-rot90").reading.text
    );
    assert!(page("12-scan").reading.text.contains("东力"));
    // The rest of the run completed: cases, facts and digests.
    assert!(
        ds.cases
            .iter()
            .any(|c| c.values.int(extract::Field::Households) == Some(3048))
    );
    assert!(
        ds.cases
            .iter()
            .any(|c| c.values.int(extract::Field::Households) == Some(1535))
    );
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
    assert_exit(&r, 4);
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
    assert_exit(&r, 6);
    assert!(String::from_utf8_lossy(&r.stderr).contains("a-file"));
}

#[test]
fn bad_flags_are_a_usage_error() {
    let r = bin().args(["run", "--jobs", "0"]).output().unwrap();
    assert_exit(&r, 2);
    // Not a date, and dates that do not exist (2026-13-45 was written into the PDF's CreationDate).
    for date in ["29.11.2026", "2026-13-45", "2026-02-29"] {
        let r = bin().args(["report", "--date", date]).output().unwrap();
        assert_eq!(r.status.code(), Some(2), "{date}");
        assert!(String::from_utf8_lossy(&r.stderr).contains(date));
    }
    let r = bin().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&r.stdout).starts_with("greenbook "));
}
