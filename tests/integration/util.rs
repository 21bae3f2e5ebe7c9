//! What the topic files share: paths, the binary, temp folders, OCR options, manifest pages.

pub use std::path::{Path, PathBuf};
pub use std::process::Command;

pub use greenbook::input;
pub use greenbook::io::progress::Quiet;
pub use greenbook::ocr::{self, OcrOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scans() -> PathBuf {
    root().join("scans")
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_greenbook"));
    c.current_dir(root());
    c
}

/// A temp folder that is removed when the test ends.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// An empty folder `in/` inside `t`, for a test's input pages.
pub fn in_dir(t: &tempfile::TempDir) -> PathBuf {
    let dir = t.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `tesseract` engine's options, with the cache in `cache`.
pub fn opts(cache: &Path) -> OcrOptions {
    let mut o = OcrOptions::with_args(None, "chi_sim", &["--engine", "tesseract"])
        .expect("chi_sim model installed by scripts/setup.sh");
    o.cache_dir = Some(cache.to_path_buf());
    o
}

pub fn page(label: &str) -> input::PageSource {
    input::read_manifest(&scans().join("manifest.csv"))
        .expect("manifest")
        .into_iter()
        .find(|p| p.label == label)
        .unwrap_or_else(|| panic!("{label} in manifest"))
}

pub(crate) use crate::pipeline;
pub use greenbook::extract;
pub use greenbook::text::numerals::Qualifier;

/// Asserts a command's exit code, showing its stderr when it differs; returns the stderr, for the
/// message's checks.
pub fn assert_exit(out: &std::process::Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    stderr
}

/// Asserts a command's exit code and that its message names each of `words` (a file, a line, a
/// flag); returns the stderr.
pub fn assert_exit_naming(out: &std::process::Output, code: i32, words: &[&str]) -> String {
    let stderr = assert_exit(out, code);
    for w in words {
        assert!(
            stderr.contains(w),
            "the message does not name {w:?}: {stderr}"
        );
    }
    stderr
}
