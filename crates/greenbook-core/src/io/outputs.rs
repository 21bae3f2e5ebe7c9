//! What a run may write, and what it did write.
//!
//! - [`confine`] is the one way a name that came from outside (a manifest label, a file name, a case
//!   id, a district read from the page) becomes a path: it must be one plain name inside its folder.
//! - [`Ledger`] lists every file written under an output folder, with its sha256, in
//!   `<output>/run.json`. A whole run prunes what the previous run wrote and this one did not
//!   rewrite, and touches nothing else.
//! - [`Lock`] keeps a second run out of an output folder while one is writing it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The longest label a manifest may give a page (characters).
pub const MAX_LABEL: usize = 100;

/// The most bytes of UTF-8 a label may take (a file name is at most 255 bytes on Linux, and a label
/// is one with an extension and suffix after it).
pub const MAX_LABEL_BYTES: usize = 200;

/// Why `name` cannot be a page label, or None when it can: a plain name (see [`plain_problem`]) of at
/// most [`MAX_LABEL`] characters and [`MAX_LABEL_BYTES`] bytes.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(why) = plain_problem(name) {
        return Some(why);
    }
    let n = name.chars().count();
    if n > MAX_LABEL || name.len() > MAX_LABEL_BYTES {
        return Some(format!(
            "it has {n} characters ({} bytes), more than {MAX_LABEL} ({MAX_LABEL_BYTES})",
            name.len()
        ));
    }
    None
}

/// Why `name` cannot be a file name of its own, or None when it can: non-empty, not `.` or `..`, no
/// `/`, `\`, NUL or control character.
pub fn plain_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("it is empty".into());
    }
    if name == "." || name == ".." {
        return Some(format!("'{name}' names a folder, not a page"));
    }
    if let Some(c) = name.chars().find(|&c| matches!(c, '/' | '\\')) {
        return Some(format!(
            "'{}' holds '{c}': a label is a name, not a path",
            crate::text::printable(name)
        ));
    }
    name.chars().any(char::is_control).then(|| {
        format!(
            "'{}' holds a control character",
            crate::text::printable(name)
        )
    })
}

/// `name` made into a label: the characters [`plain_problem`] refuses become `_`, and it is cut to
/// [`MAX_LABEL`] characters and [`MAX_LABEL_BYTES`] bytes; `page` when nothing is left.
pub fn safe_name(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().take(MAX_LABEL) {
        let c = if matches!(c, '/' | '\\') || c.is_control() {
            '_'
        } else {
            c
        };
        if s.len() + c.len_utf8() > MAX_LABEL_BYTES {
            break;
        }
        s.push(c);
    }
    if s.trim().is_empty() || s == "." || s == ".." {
        s = "page".into();
    }
    s
}

/// `dir/<name><ext>`, refusing any name that would leave `dir` or is not a plain name (see
/// [`name_problem`]). Every output path built from a label, case id, district or file name goes
/// through here.
pub fn confine(dir: &Path, name: &str, ext: &str) -> std::io::Result<PathBuf> {
    let long = (name.len() + ext.len() > 255).then(|| "the name is over 255 bytes".to_string());
    if let Some(why) = plain_problem(name).or(long) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "refusing to write a file named after '{}': {why}",
                crate::text::printable(name)
            ),
        ));
    }
    let file = format!("{name}{ext}");
    let mut parts = Path::new(&file).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Ok(dir.join(file)),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "refusing to write '{}' outside {}",
                crate::text::printable(&file),
                dir.display()
            ),
        )),
    }
}

/// The run manifest, `<output>/run.json`: every file the last whole run (and the stage commands
/// since) wrote under the output folder, by path relative to it, with its sha256.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RunManifest {
    pub greenbook: String,
    pub files: BTreeMap<String, String>,
}

/// The name of the run manifest in an output folder.
pub const RUN_MANIFEST: &str = "run.json";

/// The files written under output folders while a ledger is open on them. A process-wide list, so
/// that [`super::write_atomic`], the one function that writes outputs, records every file whatever
/// stage wrote it; each open ledger has its own folder.
static OPEN: Mutex<Vec<(PathBuf, BTreeMap<String, String>)>> = Mutex::new(Vec::new());

/// Records a file just written (called by [`super::write_atomic`]).
pub(crate) fn record(path: &Path, bytes: &[u8]) {
    let mut open = OPEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if open.is_empty() {
        return;
    }
    let Some(real) = path
        .parent()
        .and_then(|d| d.canonicalize().ok())
        .zip(path.file_name())
        .map(|(d, n)| d.join(n))
    else {
        return;
    };
    for (root, files) in open.iter_mut() {
        if let Ok(rel) = real.strip_prefix(root.as_path())
            && let Some(rel) = rel.to_str()
        {
            files.insert(rel.to_string(), super::sha256_hex(bytes));
        }
    }
}

/// Records what is written under one output folder, from [`Ledger::open`] to [`Ledger::close`].
pub struct Ledger {
    root: PathBuf,
    manifest: PathBuf,
}

impl Ledger {
    /// Starts recording the files written under `dir` (which must exist).
    pub fn open(dir: &Path) -> std::io::Result<Ledger> {
        let root = dir.canonicalize()?;
        OPEN.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((root.clone(), BTreeMap::new()));
        Ok(Ledger {
            manifest: dir.join(RUN_MANIFEST),
            root,
        })
    }

    fn take(&self) -> BTreeMap<String, String> {
        let mut open = OPEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match open.iter().position(|(r, _)| *r == self.root) {
            Some(i) => open.remove(i).1,
            None => BTreeMap::new(),
        }
    }

    /// Stops recording and writes `run.json`. With `prune` (a whole run: `run`, `merge`), the files
    /// the previous manifest lists that this run did not write are removed, if they are still as
    /// that run wrote them (a file someone changed since is left, and named in the result); the
    /// manifest then lists this run's files alone. Without it (a stage command), this run's files
    /// are added to the previous list. Returns the paths removed and the paths left.
    pub fn close(self, prune: bool) -> Result<Pruned, super::FileError> {
        let written = self.take();
        let previous: RunManifest = std::fs::read(&self.manifest)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut pruned = Pruned::default();
        let mut files = written.clone();
        for (rel, sha) in previous.files {
            if written.contains_key(&rel) {
                continue;
            }
            if !prune {
                files.insert(rel, sha);
                continue;
            }
            let Some(path) = self.inside(&rel) else {
                continue;
            };
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => {}
                _ => continue,
            }
            let same = std::fs::read(&path).is_ok_and(|b| super::sha256_hex(&b) == sha);
            if same && std::fs::remove_file(&path).is_ok() {
                pruned.removed.push(rel);
            } else {
                pruned.kept.push(rel);
            }
        }
        let manifest = RunManifest {
            greenbook: env!("CARGO_PKG_VERSION").into(),
            files,
        };
        let mut json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| super::FileError::write(&self.manifest)(std::io::Error::other(e)))?;
        json.push(b'\n');
        super::write_atomic(&self.manifest, &json)?;
        Ok(pruned)
    }

    /// `rel` (a manifest entry, untrusted) as a path under the root, or None if it would leave it.
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let p = Path::new(rel);
        p.components()
            .all(|c| matches!(c, Component::Normal(_)))
            .then(|| self.root.join(p))
            .filter(|p| {
                p.parent()
                    .and_then(|d| d.canonicalize().ok())
                    .is_some_and(|d| d.starts_with(&self.root))
            })
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        // A ledger dropped without close (an error on the way) stops recording.
        let _ = self.take();
    }
}

/// What [`Ledger::close`] removed, and what it left because it had changed since it was written.
#[derive(Debug, Default)]
pub struct Pruned {
    pub removed: Vec<String>,
    pub kept: Vec<String>,
}

/// An exclusive lock on an output folder (`<output>/.greenbook.lock`, `flock`), held until dropped;
/// the kernel releases it when the process ends, however it ends.
pub struct Lock {
    _file: std::fs::File,
}

/// The lock file's name.
pub const LOCK_FILE: &str = ".greenbook.lock";

impl Lock {
    /// Takes the lock, or says which process holds it.
    pub fn take(dir: &Path) -> Result<Lock, LockError> {
        use std::io::{Read, Seek, Write};
        use std::os::fd::AsRawFd;
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(LockError::Busy {
                dir: dir.to_path_buf(),
                pid: holder.trim().to_string(),
            });
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        Ok(Lock { _file: file })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{dir}: output folder in use by PID {pid} (another greenbook run); wait for it, or choose another -o"
    )]
    Busy { dir: PathBuf, pid: String },
    #[error("{path}: cannot take the output folder's lock: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_confined_to_their_folder() {
        let dir = Path::new("out/text");
        assert_eq!(confine(dir, "p002", ".txt").unwrap(), dir.join("p002.txt"));
        assert_eq!(
            confine(dir, "第 2 页", ".xml").unwrap(),
            dir.join("第 2 页.xml")
        );
        for bad in [
            "../../escape",
            "/abs/path/name",
            "a/b",
            "a\\b",
            "..",
            ".",
            "",
            " ",
            "x\u{1b}[31m",
            "nl\nname",
        ] {
            assert!(confine(dir, bad, ".txt").is_err(), "{bad:?} accepted");
            assert!(name_problem(bad).is_some(), "{bad:?}");
            assert!(plain_problem(bad).is_some(), "{bad:?}");
            let safe = safe_name(bad);
            assert!(name_problem(&safe).is_none(), "{bad:?} -> {safe:?}");
        }
        assert!(name_problem(&"a".repeat(101)).is_some());
        assert!(name_problem(&"长".repeat(66)).is_none());
        assert!(name_problem(&"长".repeat(67)).is_some());
        assert_eq!(safe_name(&"长".repeat(90)), "长".repeat(66));
    }

    #[test]
    fn a_whole_run_prunes_only_what_the_last_one_wrote_and_nobody_changed() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path();
        std::fs::write(out.join("mine.txt"), b"a user's file").unwrap();
        let l = Ledger::open(out).unwrap();
        crate::io::write_atomic(&out.join("a.txt"), b"1").unwrap();
        crate::io::write_atomic(&out.join("sub/b.txt"), b"2").unwrap();
        crate::io::write_atomic(&out.join("sub/c.txt"), b"3").unwrap();
        l.close(true).unwrap();
        // Someone edits c.txt; the next run writes only a.txt.
        std::fs::write(out.join("sub/c.txt"), b"edited").unwrap();
        let l = Ledger::open(out).unwrap();
        crate::io::write_atomic(&out.join("a.txt"), b"1").unwrap();
        let pruned = l.close(true).unwrap();
        assert_eq!(pruned.removed, vec!["sub/b.txt"]);
        assert_eq!(pruned.kept, vec!["sub/c.txt"]);
        assert!(out.join("mine.txt").exists() && out.join("sub/c.txt").exists());
        assert!(!out.join("sub/b.txt").exists());
        let m: RunManifest =
            serde_json::from_slice(&std::fs::read(out.join(RUN_MANIFEST)).unwrap()).unwrap();
        assert_eq!(m.files.keys().collect::<Vec<_>>(), vec!["a.txt"]);
        assert_eq!(m.files["a.txt"], crate::io::sha256_hex(b"1"));
    }

    #[test]
    fn a_manifest_entry_that_leads_out_is_never_removed() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(t.path().join("victim.txt"), b"v").unwrap();
        let sha = crate::io::sha256_hex(b"v");
        let forged = format!(
            "{{\"greenbook\":\"0\",\"files\":{{\"../victim.txt\":\"{sha}\",\"{}\":\"{sha}\"}}}}",
            t.path().join("victim.txt").display()
        );
        std::fs::write(out.join(RUN_MANIFEST), forged).unwrap();
        Ledger::open(&out).unwrap().close(true).unwrap();
        assert!(t.path().join("victim.txt").exists());
    }

    #[test]
    fn a_second_lock_names_the_holder() {
        let t = tempfile::tempdir().unwrap();
        let held = Lock::take(t.path()).unwrap();
        let e = Lock::take(t.path()).err().unwrap().to_string();
        assert!(e.contains(&format!("PID {}", std::process::id())), "{e}");
        drop(held);
        assert!(Lock::take(t.path()).is_ok());
    }
}
