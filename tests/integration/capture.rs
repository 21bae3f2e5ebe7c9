//! Pages as people capture them, built from the committed scans: tilted, two pages in one image, a
//! phone photo. Each must read about as well as the flat page it was made from.

use crate::util::*;
use greenbook_synth::capture;
use greenbook_synth::degrade::Rng;

fn clean(label: &str) -> image::GrayImage {
    image::open(scans().join(format!("{label}.png")))
        .unwrap()
        .to_luma8()
}

fn truth(label: &str) -> String {
    std::fs::read_to_string(scans().join(format!("truth/{label}.txt"))).unwrap()
}

/// Reads the images in `dir` with the default engine; the pages' texts by label.
fn read(dir: &Path, out: &Path) -> Vec<ocr::PageOcr> {
    let r = bin()
        .args(["ocr", "-q", "--jobs", "2", "-o"])
        .arg(out)
        .arg("--cache-dir")
        .arg(pipeline::shared_cache())
        .arg(dir)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    greenbook::pipeline::ocr_stage::read_pages_json(&out.join("pages.jsonl")).unwrap()
}

fn cer(truth: &str, text: &str) -> f64 {
    100.0 * greenbook::text::cer(truth, text)
}

#[test]
fn tilted_spread_and_photographed_pages_read_as_well_as_flat_ones() {
    let t = tmp();
    let dir = in_dir(&t);
    let (p005, p006, p008) = (clean("p005"), clean("p006"), clean("p008"));
    for n in ["5", "6", "8"] {
        std::fs::copy(
            scans().join(format!("p00{n}.png")),
            dir.join(format!("a-flat-{n}.png")),
        )
        .unwrap();
    }
    let mut rng = Rng::new(7);
    // Turned by 2.5° (the committed scan is already off level by up to 1°).
    capture::turned(&p008, 2.5)
        .save(dir.join("b-tilted.png"))
        .unwrap();
    capture::spread(&p005, &p006, &mut rng)
        .save(dir.join("c-spread.png"))
        .unwrap();
    std::fs::write(
        dir.join("d-photo.jpg"),
        capture::jpeg_bytes(capture::photo(&p008, &mut rng), 90).unwrap(),
    )
    .unwrap();
    let pages = read(&dir, &t.path().join("out"));
    let labels: Vec<&str> = pages.iter().map(|p| p.reading.label.as_str()).collect();
    // The spread's two pages are labelled from the folios printed on them.
    assert_eq!(
        labels,
        [
            "a-flat-5", "a-flat-6", "a-flat-8", "b-tilted", "p005", "p006", "d-photo"
        ]
    );
    let text = |l: &str| {
        &pages
            .iter()
            .find(|p| p.reading.label == l)
            .unwrap()
            .reading
            .text
    };
    let flat = cer(&truth("p008"), text("a-flat-8"));
    let tilted = pages
        .iter()
        .find(|p| p.reading.label == "b-tilted")
        .unwrap();
    assert!(
        tilted
            .reading
            .deskew_deg
            .is_some_and(|a| (1.0..=3.0).contains(&a.abs())),
        "{:?}",
        tilted.reading.deskew_deg
    );
    let spread = format!("{}\n{}", text("p005"), text("p006"));
    let both = format!("{}{}", truth("p005"), truth("p006"));
    let flat_both = cer(
        &both,
        &format!("{}\n{}", text("a-flat-5"), text("a-flat-6")),
    );
    let photo = pages.iter().find(|p| p.reading.label == "d-photo").unwrap();
    assert!(photo.photo.is_some(), "the page is found in the photo");
    assert!(photo.reading.capture_note.is_none());
    for (what, got, want) in [
        ("tilted", cer(&truth("p008"), &tilted.reading.text), flat),
        ("spread", cer(&both, &spread), flat_both),
        ("photo", cer(&truth("p008"), &photo.reading.text), flat),
    ] {
        assert!(
            got <= want + 0.5,
            "{what}: CER {got:.2} % against the flat page's {want:.2} %"
        );
    }
    // Each half of the spread is its own page: its words on it, its side recorded.
    let l = pages.iter().find(|p| p.reading.label == "p005").unwrap();
    assert_eq!(l.half.map(|h| h.side), Some(input::spread::Side::Left));
    assert!(l.width.unwrap() < p005.width() + 200);
}

/// `jpeg` with an EXIF block naming the camera ("Phone") and saying how to turn it (`orientation`,
/// 1–8) inserted after its start.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // Header, then an IFD at 8 of two entries (Make: 6 ASCII bytes at offset 38; Orientation).
    let mut tiff = b"MM\0*\0\0\0\x08\0\x02".to_vec();
    tiff.extend([0x01, 0x0F, 0x00, 0x02, 0, 0, 0, 6, 0, 0, 0, 38]);
    tiff.extend([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0, 0, 0, 0, 0]);
    tiff.extend(b"Phone\0");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

#[test]
fn a_photo_taken_sideways_is_turned_by_its_exif_orientation() {
    let t = tmp();
    let dir = in_dir(&t);
    // Stored turned a quarter anticlockwise, tagged "turn 90° clockwise to show" (6).
    let stored = image::imageops::rotate270(&clean("p008"));
    let jpeg = capture::jpeg_bytes(stored, 92).unwrap();
    std::fs::write(dir.join("sideways.jpg"), with_exif_orientation(&jpeg, 6)).unwrap();
    let pages = read(&dir, &t.path().join("out"));
    let p = &pages[0];
    assert_eq!(
        p.reading.rotation, 0,
        "upright from its EXIF data, no turning guessed"
    );
    let (w, h) = (p.width.unwrap(), p.height.unwrap());
    assert!(h > w, "{w}×{h}");
    let got = cer(&truth("p008"), &p.reading.text);
    assert!(got < 1.0, "CER {got:.2} %");
    // The page fills the photo: no page edge is found, it is read as it is, and says so.
    assert!(p.photo.is_none());
    assert_eq!(
        p.reading.capture_note.as_deref(),
        Some(input::PHOTO_NOT_FOUND)
    );
    // book.pdf shows it the same way up.
    let r = bin()
        .args(["run", "-q", "--date", "2026-11-29", "-o"])
        .arg(t.path().join("out"))
        .arg("--cache-dir")
        .arg(pipeline::shared_cache())
        .arg(&dir)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    let info = Command::new("pdfinfo")
        .arg(t.path().join("out/book.pdf"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or("");
    let dims: Vec<f64> = size
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    assert!(dims.len() >= 2 && dims[1] > dims[0], "{size}");
}

/// A sharded run splits a spread as a single run does, and `merge` puts both pages back in place.
#[test]
fn a_spread_in_a_sharded_run_merges_as_two_pages() {
    let t = tmp();
    let dir = in_dir(&t);
    std::fs::copy(scans().join("p002.png"), dir.join("a.png")).unwrap();
    capture::spread(&clean("p005"), &clean("p008"), &mut Rng::new(11))
        .save(dir.join("b.png"))
        .unwrap();
    capture::spread(&clean("p005"), &clean("p006"), &mut Rng::new(12))
        .save(dir.join("c.png"))
        .unwrap();
    let merged = pipeline::shard_and_merge(&dir, t.path(), &["--balance", "round-robin"]);
    let ds = greenbook::dataset::Dataset::read(&merged).unwrap();
    let pages: Vec<(&str, Option<&str>)> = ds
        .pages
        .iter()
        .map(|p| (p.reading.label.as_str(), p.spread_side.as_deref()))
        .collect();
    // b's folios (005, 008) are not consecutive: its pages keep their sides; c's are labelled from
    // theirs.
    assert_eq!(
        pages,
        [
            ("a", None),
            ("b-L", Some("L")),
            ("b-R", Some("R")),
            ("p005", Some("L")),
            ("p006", Some("R"))
        ]
    );
    assert!(merged.join("text/b-R.txt").is_file() && merged.join("alto/b-L.xml").is_file());
}
