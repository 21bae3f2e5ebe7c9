//! Which pages to read: the image files of folders in natural order, or a folder's `manifest.csv`,
//! each file confined to its folder, every label unique.

use std::path::{Path, PathBuf};

use crate::{InputError, PageKind, PageSource, pdf};

const EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "tif", "tiff", "pdf"];

fn is_page_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Natural order: "p2" before "p10".
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(u64::MAX)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

/// A file's stem as a page label: a plain name (see [`crate::io::outputs::safe_name`]).
fn stem(p: &Path) -> String {
    crate::io::outputs::safe_name(
        &p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

fn tiff_frames(path: &Path) -> u32 {
    let Ok(f) = std::fs::File::open(path) else {
        return 1;
    };
    let Ok(mut d) = tiff::decoder::Decoder::new(std::io::BufReader::new(f)) else {
        return 1;
    };
    let mut n = 1;
    while d.more_images() && d.next_image().is_ok() {
        n += 1;
    }
    n
}

fn sources_for_file(path: &Path) -> Vec<PageSource> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Only a regular file is looked into: a FIFO would block the look.
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let frames = if !regular {
        1
    } else if ext == "tif" || ext == "tiff" {
        tiff_frames(path)
    } else if ext == "pdf" {
        pdf::page_count(path)
    } else {
        1
    };
    (0..frames)
        .map(|frame| {
            let label = if frames > 1 {
                format!("{}-{:03}", stem(path), frame + 1)
            } else {
                stem(path)
            };
            PageSource::frame(label, path, frame)
        })
        .collect()
}

/// `name` (a manifest's file column) as a path inside `dir`, or why not: a manifest may only name files
/// in its own folder or below — no absolute path, no `..`, no symbolic link that leads out.
fn inside(dir: &Path, name: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    let rel = Path::new(name);
    if name.trim().is_empty() {
        return Err("empty file name".into());
    }
    if !rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "'{name}' is outside the manifest's folder: name files inside it (no absolute path, no ..)"
        ));
    }
    let path = dir.join(rel);
    if let (Ok(real), Ok(base)) = (path.canonicalize(), dir.canonicalize())
        && !real.starts_with(&base)
    {
        return Err(format!(
            "'{name}' leads outside the manifest's folder (to {}): refusing to read it",
            real.display()
        ));
    }
    Ok(path)
}

/// The columns a manifest names in its header line; `page` and `file` are required, the rest may be
/// left out.
pub const MANIFEST_COLUMNS: [&str; 6] = [
    "page",
    "file",
    "sha256",
    "kind",
    "district",
    "contents_title",
];

/// The largest manifest read (a line per page: far beyond any book).
const MAX_MANIFEST_BYTES: u64 = 10_000_000;

/// Reads `manifest.csv`: a CSV file (quotes, a byte-order mark and CRLF line ends as spreadsheets
/// write them) whose header names its columns (see [`MANIFEST_COLUMNS`]). Every label is checked to
/// be a plain name (see [`crate::io::outputs::name_problem`]) and unique, and every file to be inside
/// the manifest's folder; the first bad line is an error naming it.
pub fn read_manifest(path: &Path) -> Result<Vec<PageSource>, InputError> {
    let bad = |line: usize, reason: String| InputError::Manifest {
        path: path.into(),
        line,
        reason,
    };
    let bytes = crate::io::read_bounded(path, MAX_MANIFEST_BYTES).map_err(|e| match e {
        crate::io::BoundedRead::Io(source) => InputError::Io {
            path: path.into(),
            source,
        },
        crate::io::BoundedRead::TooLarge(size) => InputError::Refused {
            path: path.into(),
            reason: format!("{size} bytes, more than a manifest may have ({MAX_MANIFEST_BYTES})"),
        },
    })?;
    let (mut reader, header) = crate::io::open_csv(&bytes, true).map_err(|(l, why)| bad(l, why))?;
    let header: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    if !(header.iter().any(|h| h == "page") && header.iter().any(|h| h == "file")) {
        return Err(bad(
            1,
            format!(
                "the first line must be a header naming the columns {} (page and file required); it is '{}'",
                MANIFEST_COLUMNS.join(","),
                crate::text::printable(&header.join(","))
            ),
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            bad(line, format!("not CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<&str> = record.iter().collect();
        let row = ManifestRow {
            header: &header,
            cells: &cells,
        };
        let page = row
            .page(dir, &mut seen, line)
            .map_err(|why| bad(line, why))?;
        out.push(page);
    }
    if out.is_empty() {
        return Err(InputError::NoPages { path: path.into() });
    }
    Ok(out)
}

/// One line of a manifest, by its header's column names.
struct ManifestRow<'a> {
    header: &'a [String],
    cells: &'a [&'a str],
}

impl ManifestRow<'_> {
    /// The cell of column `name`, trimmed ("" when there is none).
    fn get(&self, name: &str) -> &str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|k| self.cells.get(k).copied())
            .map_or("", str::trim)
    }

    /// The cell of column `name`, unless it is empty.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|s| !s.is_empty())
    }

    /// The page this line names, checked: a plain label not used before (`seen`: label → line), a file
    /// inside `dir`, a known kind.
    fn page(
        &self,
        dir: &Path,
        seen: &mut std::collections::HashMap<String, usize>,
        line: usize,
    ) -> Result<PageSource, String> {
        let label = self.get("page").to_string();
        if let Some(why) = crate::io::outputs::name_problem(&label) {
            return Err(format!("bad page label: {why}"));
        }
        if let Some(first) = seen.insert(label.clone(), line) {
            return Err(format!(
                "page label '{}' is used twice (line {first} too): every page needs its own",
                crate::text::printable(&label)
            ));
        }
        let file = inside(dir, self.get("file"))?;
        let kind = match self.opt("kind") {
            None => None,
            Some(k) => Some(PageKind::parse(&k).ok_or_else(|| {
                format!(
                    "unknown page kind '{}' (expected one of {})",
                    crate::text::printable(&k),
                    PageKind::ALL.map(PageKind::as_str).join(", ")
                )
            })?),
        };
        Ok(PageSource {
            kind,
            district: self.opt("district"),
            contents_title: self.opt("contents_title"),
            ..PageSource::frame(label, file, 0)
        })
    }
}

/// Whether `p` is `dir` or inside it (both as the file system resolves them; a file not there yet by
/// its folder).
fn within(p: &Path, dir: &Path) -> bool {
    let real = p.canonicalize().ok().or_else(|| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty())?;
        Some(parent.canonicalize().ok()?.join(p.file_name()?))
    });
    match (real, dir.canonicalize()) {
        (Some(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// Finds the pages under the given inputs: folders (manifest or natural order) and files, in order
/// given. Files inside `skip` (the output folder, when it sits inside an input) are not pages.
/// Labels taken from file names are made plain names (see [`crate::io::outputs::safe_name`]) and
/// unique (`-2`, `-3` … after a repeat).
pub fn discover(inputs: &[PathBuf], skip: Option<&Path>) -> Result<Vec<PageSource>, InputError> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| InputError::Io {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            let manifest = input.join("manifest.csv");
            if manifest.is_file() {
                out.extend(read_manifest(&manifest)?);
                continue;
            }
            let rd = std::fs::read_dir(input).map_err(|source| InputError::Io {
                path: input.clone(),
                source,
            })?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_page_file(p))
                .collect();
            files
                .sort_by_key(|p| natural_key(&p.file_name().unwrap_or_default().to_string_lossy()));
            if files.is_empty() {
                return Err(InputError::NoPages {
                    path: input.clone(),
                });
            }
            for f in files {
                out.extend(sources_for_file(&f));
            }
        } else {
            out.extend(sources_for_file(input));
        }
    }
    if let Some(skip) = skip {
        out.retain(|p| !within(&p.path, skip));
    }
    if out.is_empty() {
        let path = inputs.first().cloned().unwrap_or_default();
        return Err(InputError::NoPages { path });
    }
    unique_labels(&mut out);
    Ok(out)
}

/// Makes every label distinct: a repeat (two files `a.png` and `a.jpg`) gets `-2`, `-3` …
fn unique_labels(pages: &mut [PageSource]) {
    let mut taken: std::collections::HashSet<String> =
        pages.iter().map(|p| p.label.clone()).collect();
    let mut seen = std::collections::HashSet::new();
    for p in pages.iter_mut() {
        if seen.insert(p.label.clone()) {
            continue;
        }
        let stem = p
            .label
            .chars()
            .take(crate::io::outputs::MAX_LABEL - 6)
            .collect::<String>();
        let label = (2..)
            .map(|n| format!("{stem}-{n}"))
            .find(|l| !taken.contains(l))
            .unwrap_or_default();
        taken.insert(label.clone());
        seen.insert(label.clone());
        p.label = label;
    }
}
