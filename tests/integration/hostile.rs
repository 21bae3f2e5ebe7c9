//! Hostile and careless inputs, as a user or an attacker meets them: manifest labels that are paths,
//! FIFOs, PDF pages too large to render, unbounded corrections, two runs into one folder, terminal
//! escapes and forged lines. Nothing outside the output folder may change.

use crate::util::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Every file under `dir` (except under `skip`) with the sha256 of its contents.
fn snapshot(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.starts_with(skip) {
                continue;
            }
            let t = e.file_type().unwrap();
            if t.is_dir() {
                todo.push(p);
            } else if t.is_file() {
                let sha = greenbook::io::sha256_hex(&std::fs::read(&p).unwrap());
                out.insert(p, sha);
            } else {
                out.insert(p, String::new());
            }
        }
    }
    out
}

/// `greenbook run` on `inputs` into `out` with the tests' model-free `fake` engine and the shared
/// cache: these tests are about what greenbook does with hostile files, not about what it reads.
fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    run_command(inputs, out, extra).output().unwrap()
}

/// The command [`run`] runs.
fn run_command(inputs: &[&Path], out: &Path, extra: &[&str]) -> Command {
    let mut c = bin();
    c.args([
        "run",
        "-q",
        "--engine",
        "fake",
        "--date",
        "2026-11-29",
        "--jobs",
        "2",
        "-o",
    ])
    .arg(out)
    .arg("--cache-dir")
    .arg(pipeline::shared_cache())
    .args(extra)
    .args(inputs);
    c
}

fn copy_scan(label: &str, to: &Path) {
    std::fs::copy(scans().join(format!("{label}.png")), to).unwrap();
}

#[test]
fn manifest_labels_that_are_paths_are_refused_and_nothing_outside_changes() {
    let t = tmp();
    let victim = t.path().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("notes.txt"), "a user's notes").unwrap();
    std::fs::write(victim.join("notes.xml"), "<notes/>").unwrap();
    let scans_dir = t.path().join("in");
    std::fs::create_dir_all(&scans_dir).unwrap();
    copy_scan("p002", &scans_dir.join("good.png"));
    std::fs::write(scans_dir.join("bad.png"), b"").unwrap();
    let out = t.path().join("out");
    let notes = victim.join("notes");
    let long = "长".repeat(101);
    let cases: Vec<(String, &str)> = vec![
        ("../../escape,good.png".into(), "not a path"),
        ("/abs/path/name,good.png".into(), "not a path"),
        (format!("{},bad.png", notes.display()), "not a path"),
        ("a/b,good.png".into(), "not a path"),
        ("..,good.png".into(), "names a folder"),
        (",good.png".into(), "empty"),
        (
            "\"x\u{1b}]0;pwned\u{7}\",good.png".into(),
            "control character",
        ),
        (format!("{long},good.png"), "characters"),
        ("p1,good.png\np1,bad.png".into(), "used twice (line 2 too)"),
    ];
    for (lines, why) in cases {
        std::fs::write(
            scans_dir.join("manifest.csv"),
            format!("page,file\n{lines}\n"),
        )
        .unwrap();
        let before = snapshot(t.path(), &out);
        let r = run(&[&scans_dir], &out, &[]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(4), "{lines}: {err}");
        assert!(
            err.contains("manifest.csv") && err.contains("line"),
            "{err}"
        );
        assert!(err.contains(why), "{lines}: {err}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{7}'),
            "raw escape: {err:?}"
        );
        assert_eq!(
            snapshot(t.path(), &out),
            before,
            "{lines}: the tree outside changed"
        );
    }
    // A label with spaces and Han characters is a name: its files are written inside the folder.
    std::fs::write(
        scans_dir.join("manifest.csv"),
        "page,file\n第 2 页,good.png\np-bad,bad.png\n",
    )
    .unwrap();
    let before = snapshot(t.path(), &out);
    let r = run(&[&scans_dir], &out, &[]);
    assert_exit(&r, 3);
    assert!(out.join("text/第 2 页.txt").is_file());
    assert!(out.join("alto/第 2 页.xml").is_file());
    assert_eq!(snapshot(t.path(), &out), before, "the tree outside changed");
}

#[test]
fn a_manifest_is_csv_with_a_header_and_says_which_file_is_wrong() {
    let t = tmp();
    let dir = in_dir(&t);
    copy_scan("p002", &dir.join("a b.png"));
    let out = t.path().join("out");
    // Quotes, a byte-order mark and CRLF, as a spreadsheet writes them; columns by name.
    std::fs::write(
        dir.join("manifest.csv"),
        "\u{feff}file,page,kind\r\n\"a b.png\",\"p002\",case\r\n",
    )
    .unwrap();
    let r = run(&[&dir], &out, &[]);
    assert_exit(&r, 0);
    assert!(out.join("text/p002.txt").is_file());
    // No header: the first page is not silently dropped, the file is named. A header and no page:
    // named as the manifest, not the folder.
    for (manifest, why) in [("p002,a b.png\n", "header"), ("page,file\n", "no page")] {
        std::fs::write(dir.join("manifest.csv"), manifest).unwrap();
        let r = run(&[&dir], &out, &[]);
        assert_exit(&r, 4);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("manifest.csv") && err.contains(why), "{err}");
    }
}

/// Waits for a child for at most `limit`; kills it and fails if it takes longer.
fn wait_for(mut child: std::process::Child, limit: Duration, what: &str) -> std::process::Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_fifo_is_that_pages_error_and_the_run_goes_on() {
    let t = tmp();
    let dir = in_dir(&t);
    copy_scan("p002", &dir.join("good.png"));
    let fifo = dir.join("pipe.png");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo"
    );
    std::fs::write(
        dir.join("manifest.csv"),
        "page,file\ngood,good.png\npipe,pipe.png\n",
    )
    .unwrap();
    let out = t.path().join("out");
    let child = run_command(&[&dir], &out, &[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let r = wait_for(child, Duration::from_secs(300), "a run with a FIFO page");
    assert_exit(&r, 3);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("pipe.png") && err.contains("FIFO"), "{err}");
    assert!(out.join("text/good.txt").is_file());
}

/// A folder on PATH whose `tool` logs each call to `log` and then runs the real one.
fn logging_tool(dir: &Path, tool: &str, log: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let script = dir.join(tool);
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\n{body}exec {} \"$@\"\n",
            log.display(),
            real.trim()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A PDF of one empty page of `w`×`h` points.
fn empty_pdf(w: u32, h: u32) -> Vec<u8> {
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] >>"),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).bytes());
    for o in offsets {
        pdf.extend(format!("{o:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .bytes(),
    );
    pdf
}

#[test]
fn a_pdf_page_too_large_is_refused_before_rendering_and_pages_render_once() {
    let t = tmp();
    let dir = in_dir(&t);
    // 150 × 150 inches, nothing drawn: 45,000 pixels a side at 300 DPI.
    let huge = empty_pdf(150 * 72, 150 * 72);
    assert!(huge.len() < 600);
    std::fs::write(dir.join("01-huge.pdf"), &huge).unwrap();
    // Two pages of the book as one scanned PDF.
    let pdf = dir.join("02-scan.pdf");
    let r = Command::new("python3")
        .args(["-c", "import img2pdf,sys; open(sys.argv[1],'wb').write(img2pdf.convert(sys.argv[2:], layout_fun=img2pdf.get_fixed_dpi_layout_fun((300,300))))"])
        .arg(&pdf)
        .arg(scans().join("p002.png"))
        .arg(scans().join("p005.png"))
        .output()
        .unwrap();
    assert_exit(&r, 0);
    let tools = t.path().join("bin");
    std::fs::create_dir_all(&tools).unwrap();
    let log = t.path().join("pdftoppm.log");
    logging_tool(&tools, "pdftoppm", &log, "");
    let out = t.path().join("out");
    let mut c = bin();
    c.env("PATH", path_with(&tools))
        .args([
            "run",
            "-q",
            "--engine",
            "fake",
            "--no-cache",
            "--date",
            "2026-11-29",
            "-o",
        ])
        .arg(&out)
        .arg(&dir);
    let r = c.output().unwrap();
    assert_exit(&r, 3);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("01-huge.pdf p. 1")
            && err.contains("150.0×150.0 inches")
            && err.contains("refused before rendering"),
        "{err}"
    );
    // OCR, book.pdf and the review page all need the scan's pages: each is rendered once.
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(calls.lines().count(), 2, "pdftoppm calls:\n{calls}");
    assert!(!calls.contains("01-huge"), "{calls}");
    let pages = Command::new("pdfinfo")
        .arg(out.join("book.pdf"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pages.stdout).contains("Pages:           2"));
    // Nothing of the run's scratch is left behind.
    assert!(
        std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().starts_with(".rendered")),
    );
}

#[test]
fn sigterm_ends_a_run_within_seconds_even_when_a_worker_is_stuck() {
    let t = tmp();
    let dir = in_dir(&t);
    std::fs::write(dir.join("scan.pdf"), empty_pdf(595, 842)).unwrap();
    // A PDF tool that hangs (a stuck network share, a runaway renderer) holds the worker.
    let tools = t.path().join("bin");
    std::fs::create_dir_all(&tools).unwrap();
    logging_tool(&tools, "pdfimages", &t.path().join("log"), "sleep 120\n");
    let child = bin()
        .env("PATH", path_with(&tools))
        .args(["run", "-q", "--engine", "fake", "--no-cache", "-o"])
        .arg(t.path().join("out"))
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until the worker is stuck in the tool, then ask the run to stop.
    let start = Instant::now();
    while !t.path().join("log").exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        t.path().join("log").exists(),
        "the run never reached the PDF"
    );
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let r = wait_for(child, Duration::from_secs(60), "a run after SIGTERM");
    assert_exit(&r, 130);
}

#[test]
fn corrections_are_bounded_and_named_by_line() {
    let t = tmp();
    let head = "case,field,value,note,reviewer,date\n";
    let check = |body: String, want: &str| {
        let f = t.path().join("corrections.csv");
        std::fs::write(&f, body).unwrap();
        let r = bin()
            .args([
                "run",
                "-q",
                "--engine",
                "fake",
                "scans/p002.png",
                "--corrections",
            ])
            .arg(&f)
            .arg("-o")
            .arg(t.path().join("out"))
            .output()
            .unwrap();
        assert_exit_naming(&r, 4, &["corrections.csv", want]);
        assert!(!t.path().join("out/run.json").exists());
    };
    check(
        format!("{head}c008,households,1224,{},王,\n", "注".repeat(2001)),
        "line 2: the note has 2001 characters",
    );
    check(
        format!("{head}c008,households,1224,,{},\n", "王".repeat(101)),
        "line 2: the reviewer has 101 characters",
    );
    let mut big = head.to_string();
    while big.len() <= 10_000_000 {
        big.push_str(&format!(
            "c{},households,1,{},,\n",
            big.len(),
            "x".repeat(1000)
        ));
    }
    check(big, "more than a corrections file may have");
}

#[test]
fn the_duplicate_check_of_many_corrections_is_linear() {
    let t = tmp();
    let f = t.path().join("corrections.csv");
    let mut body = String::from("case,field,value,note,reviewer,date\n");
    for i in 0..200_000 {
        body.push_str(&format!("c{i},households,{i},,,\n"));
    }
    body.push_str("c7,households,1,,,\n");
    std::fs::write(&f, body).unwrap();
    // Read in well under the test's patience (200,000² comparisons would take hours).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(greenbook::dataset::corrections::read(&f).map(|_| ())));
    let got = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("200,000 corrections read in time");
    let e = got.unwrap_err().to_string();
    assert!(e.contains("line 200002") && e.contains("line 9 too"), "{e}");
}

#[test]
fn one_run_per_output_folder_and_outputs_that_belong_to_it() {
    let t = tmp();
    let out = t.path().join("out");
    let a = t.path().join("a");
    let b = t.path().join("b");
    for (d, pages) in [(&a, &["p002", "p003"][..]), (&b, &["p005"][..])] {
        std::fs::create_dir_all(d).unwrap();
        for p in pages {
            copy_scan(p, &d.join(format!("{p}.png")));
        }
    }
    assert_exit(&run(&[&a], &out, &[]), 0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let files = manifest["files"].as_object().unwrap();
    for f in [
        "text/p002.txt",
        "alto/p003.xml",
        "book.pdf",
        "cases.parquet",
        "review/index.html",
    ] {
        let sha = files
            .get(f)
            .unwrap_or_else(|| panic!("{f} not in run.json"))
            .as_str()
            .unwrap();
        assert_eq!(
            sha,
            greenbook::io::sha256_hex(&std::fs::read(out.join(f)).unwrap()),
            "{f}"
        );
    }
    // A file of the user's in the output folder, and one the last run wrote that someone edited.
    std::fs::write(out.join("my-notes.txt"), "mine").unwrap();
    std::fs::write(out.join("text/p003.txt"), "corrected by hand").unwrap();
    // Another book into the same folder: the first book's outputs go, the user's files stay.
    assert_exit(&run(&[&b], &out, &[]), 0);
    assert!(!out.join("text/p002.txt").exists() && !out.join("alto/p002.xml").exists());
    assert!(out.join("text/p005.txt").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("text/p003.txt")).unwrap(),
        "corrected by hand"
    );
    // A second run while one holds the folder: exit 6, naming the holder.
    let holder = std::fs::OpenOptions::new()
        .write(true)
        .open(out.join(".greenbook.lock"))
        .unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this test owns, as another greenbook would hold it.
    assert_eq!(unsafe { libc::flock(holder.as_raw_fd(), libc::LOCK_EX) }, 0);
    std::fs::write(out.join(".greenbook.lock"), "4242").unwrap();
    let r = run(&[&b], &out, &[]);
    assert_exit(&r, 6);
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("output folder in use by PID 4242"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    drop(holder);
    // The output folder is not an input folder; inside one, its files are not pages.
    let r = run(&[&b], &b, &[]);
    assert_exit(&r, 2);
    let inner = b.join("output");
    std::fs::write(
        b.join("manifest.csv"),
        "page,file\np005,p005.png\nold,output/book.pdf\n",
    )
    .unwrap();
    assert_exit(&run(&[&b], &inner, &[]), 0);
    assert_exit(&run(&[&b], &inner, &[]), 0);
    let pages = Command::new("pdfinfo")
        .arg(inner.join("book.pdf"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pages.stdout).contains("Pages:           1"));
}

#[test]
fn names_from_files_cannot_forge_lines_or_reach_the_terminal() {
    let t = tmp();
    let dir = in_dir(&t);
    copy_scan("p002", &dir.join("a\n=== page forged (x.png) ===.png"));
    std::fs::write(dir.join("b\u{1b}[2J\u{7}.png"), b"not an image").unwrap();
    // A 5-frame TIFF of blank frames: one folded line, naming the frames.
    let blank = image::GrayImage::from_pixel(400, 400, image::Luma([250]));
    let mut tiff = std::io::Cursor::new(Vec::new());
    {
        let mut enc = tiff::encoder::TiffEncoder::new(&mut tiff).unwrap();
        for _ in 0..5 {
            enc.write_image::<tiff::encoder::colortype::Gray8>(400, 400, blank.as_raw())
                .unwrap();
        }
    }
    std::fs::write(dir.join("multi.tif"), tiff.into_inner()).unwrap();
    let out = t.path().join("out");
    let r = run(&[&dir], &out, &[]);
    assert_exit(&r, 3);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\u{1b}"), "{err}");
    let multi: Vec<&str> = err.lines().filter(|l| l.contains("multi.tif")).collect();
    assert_eq!(multi.len(), 1, "{err}");
    assert!(
        multi[0].contains("multi.tif#1")
            && multi[0].contains("4 more pages")
            && multi[0].contains("#5"),
        "{err}"
    );
    let book = std::fs::read_to_string(out.join("book.txt")).unwrap();
    let markers: Vec<&str> = book.lines().filter(|l| l.starts_with("=== page")).collect();
    assert_eq!(markers.len(), 7, "{book}");
    assert!(
        !book.lines().any(|l| l.starts_with("=== page forged")),
        "{book}"
    );
    // Labels from such names are plain file names inside the output folder.
    assert!(out.join("text/a_=== page forged (x.png) ===.txt").is_file());
}

/// A deterministic property loop over `manifest.csv` and `corrections.csv` (the fuzz target
/// `csv_inputs` runs the same checks on any bytes): no input panics either parser; every label a
/// manifest yields is a plain, unique name, and every file it names is inside its folder; no
/// correction's note or reviewer is over its bound.
#[test]
fn no_manifest_or_corrections_file_breaks_the_parsers() {
    let t = tmp();
    let dir = t.path();
    for n in ["a.png", "b.png"] {
        std::fs::write(dir.join(n), b"x").unwrap();
    }
    // Cells as users and attackers write them, joined into rows under the right header (or a wrong
    // one, now and then).
    let cells: [&[u8]; 20] = [
        b"p1",
        b"p2",
        b"..",
        b".",
        b"a/b",
        b"\x1b[2J",
        "长".as_bytes(),
        b"\"q,\"\"x\"",
        b"",
        b" ",
        b"\0",
        b"a.png",
        b"b.png",
        b"../a.png",
        b"/etc/passwd",
        b"\xff\xfe",
        b"c008",
        b"households",
        b"1,224",
        b"community",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (manifest, corrections) = (dir.join("manifest.csv"), dir.join("corrections.csv"));
    let base = dir.canonicalize().unwrap();
    let (mut parsed, mut refused) = (0, 0);
    for round in 0..2000 {
        let mut data: Vec<u8> = match next() % 8 {
            0 => b"\xEF\xBB\xBF".to_vec(),
            _ => Vec::new(),
        };
        data.extend_from_slice(match (round % 2, next() % 10) {
            (_, 0) => b"file;page\n".as_slice(),
            (0, _) => b"page,file\n",
            _ => b"case,field,value,note,reviewer,date\r\n",
        });
        for _ in 0..(1 + next() % 4) {
            let width = if round % 2 == 0 { 2 } else { 6 };
            for k in 0..width {
                if k > 0 {
                    data.push(b',');
                }
                // A file column of a manifest names one of the files most of the time.
                let cell = match (round % 2, k, next() % 3) {
                    (0, 1, 0 | 1) => [b"a.png".as_slice(), b"b.png"][(next() % 2) as usize],
                    (1, 1, 0 | 1) => b"households",
                    (1, 2, 0 | 1) => b"12",
                    _ => cells[(next() % 20) as usize],
                };
                data.extend_from_slice(cell);
            }
            data.extend_from_slice(if next() % 2 == 0 { b"\n" } else { b"\r\n" });
        }
        std::fs::write(&manifest, &data).unwrap();
        let m = input::read_manifest(&manifest);
        (parsed, refused) = if m.is_ok() {
            (parsed + 1, refused)
        } else {
            (parsed, refused + 1)
        };
        if let Ok(pages) = m {
            let mut seen = std::collections::HashSet::new();
            for p in &pages {
                assert!(
                    greenbook::io::outputs::name_problem(&p.label).is_none(),
                    "{data:?}"
                );
                assert!(seen.insert(p.label.clone()), "{data:?}");
                let real = p.path.canonicalize().unwrap_or(p.path.clone());
                assert!(real.starts_with(&base) || real.starts_with(dir), "{data:?}");
            }
        }
        std::fs::write(&corrections, &data).unwrap();
        let c = greenbook::dataset::corrections::read(&corrections);
        (parsed, refused) = if c.is_ok() {
            (parsed + 1, refused)
        } else {
            (parsed, refused + 1)
        };
        if let Ok(rows) = c {
            for r in rows {
                assert!(r.note.is_none_or(|n| n.chars().count() <= 2000));
                assert!(r.reviewer.is_none_or(|n| n.chars().count() <= 100));
            }
        }
    }
    // Both ways out are taken often: the checks above are not vacuous.
    assert!(
        parsed > 150 && refused > 150,
        "{parsed} parsed, {refused} refused"
    );
}
