//! Atomic output: every file is written to a temporary sibling, synced, then renamed over the target,
//! so a killed run leaves either the old file or the new one, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Which way a file failed: an input that could not be read, or an output that could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A file or folder that could not be read or written, named by its path: every stage's error for
/// it, which the CLI maps to an exit code by its [`Access`].
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FileError {
    pub path: PathBuf,
    pub access: Access,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    /// For `map_err`: the input at `path` could not be read.
    pub fn read(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + use<> {
        FileError::at(path, Access::Read)
    }

    /// For `map_err`: the output at `path` could not be written.
    pub fn write(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + use<> {
        FileError::at(path, Access::Write)
    }

    fn at(path: &Path, access: Access) -> impl FnOnce(std::io::Error) -> FileError + use<> {
        let path = path.to_path_buf();
        move |source| FileError {
            path,
            access,
            source,
        }
    }
}

/// A name part unique to this process and this call: two writers of one folder or path (shards sharing
/// a cache, two workers on byte-identical pages) never share a temp or probe file.
pub fn unique() -> String {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}.{n}", std::process::id())
}

/// Why an input file was not read by [`read_bounded`].
#[derive(Debug)]
pub enum BoundedRead {
    /// It could not be read.
    Io(std::io::Error),
    /// It has this many bytes, more than the bound.
    TooLarge(u64),
}

/// The bytes of the input file at `path` (a manifest, a corrections file), unless it has more than
/// `max` bytes: such a file is refused before it is read.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, BoundedRead> {
    let size = std::fs::metadata(path).map_err(BoundedRead::Io)?.len();
    if size > max {
        return Err(BoundedRead::TooLarge(size));
    }
    std::fs::read(path).map_err(BoundedRead::Io)
}

/// Writes an output file: atomically (see [`write_file`]), and recorded in the run manifest of the
/// output folder it is in, when a run keeps one (see [`outputs::Ledger`]). A failure names the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_file(path, bytes).map_err(FileError::write(path))?;
    outputs::record(path, bytes);
    Ok(())
}

/// Writes `bytes` to `path` atomically (temp file in the same directory + fsync + rename), without
/// recording it as an output: for caches, which outlive runs.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", unique()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub mod outputs;
pub mod progress;

/// The last component of a path as given (`scans/p008.png` → `p008.png`), for messages and
/// outputs that name a page's file; the path itself when it has none.
pub fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A CSV file's records still to read, and its header line's cells (trimmed).
pub type OpenCsv<'a> = (csv::Reader<&'a [u8]>, Vec<String>);

/// A spreadsheet's CSV export opened for reading: a byte-order mark skipped, UTF-8 checked, its header
/// line read. An error gives the line (1-based) and why.
pub fn open_csv(bytes: &[u8], flexible: bool) -> Result<OpenCsv<'_>, (usize, String)> {
    // Excel's "CSV UTF-8" starts with a byte-order mark: accepted.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let why = "not UTF-8 text (a spreadsheet saved it in another encoding, e.g. GBK): save it \
                   as \"CSV UTF-8\"";
        return Err((line, why.into()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(flexible)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| (1, format!("not CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    Ok((reader, header))
}

/// Reads a JSON Lines file, one `T` per non-empty line; an error names the file and the line.
pub fn read_json_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Vec<T>, JsonLinesError> {
    let text = std::fs::read_to_string(path).map_err(|source| JsonLinesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| JsonLinesError::Parse {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// A JSON Lines file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JsonLinesError {
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {source}")]
    Parse {
        path: std::path::PathBuf,
        line: usize,
        source: serde_json::Error,
    },
}
