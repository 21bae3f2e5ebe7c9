//! Typesetting a [`Digest`] with Typst, embedded as a library: the layout is the template
//! `templates/digest.typ` (built in, or `--template-dir DIR` for an office's own copy), filled with
//! the digest's blocks as `data.json` and its charts as raw RGB bitmaps. Typst breaks Chinese lines,
//! repeats table headers, subsets the fonts and writes the PDF; nothing is downloaded (the world
//! knows no packages) and the output is byte-reproducible (fixed identifier and date).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::ReportFonts;
use super::{Block, Cell, Digest, ReportError};

/// The template's file name, in the built-in set and in `--template-dir`.
pub const TEMPLATE: &str = "digest.typ";
static BUILT_IN: &str = include_str!("../../../templates/digest.typ");

/// Text the running header and footer print besides the title, included in the font subset.
pub const FOOTER_SAMPLE: &str = "第页共/0123456789 ";

/// What every digest of a run shares: the template, the fonts and Typst's standard library.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    family: String,
    template: Template,
}

/// The template's source and where its other files (a logo, an included file) come from.
struct Template {
    /// Shown in error messages: the built-in name or the file read.
    path: PathBuf,
    /// Parsed once for every digest (it is the main file of each compilation).
    source: Source,
    dir: Option<PathBuf>,
}

impl Typesetter {
    /// The typesetter for `fonts` and the template in `template_dir` (None: the built-in one).
    pub fn new(
        fonts: &ReportFonts,
        template_dir: Option<&Path>,
    ) -> Result<Typesetter, ReportError> {
        let template = match template_dir {
            None => Template {
                path: PathBuf::from("templates").join(TEMPLATE),
                source: Source::new(main_id(), BUILT_IN.to_string()),
                dir: None,
            },
            Some(dir) => {
                let path = dir.join(TEMPLATE);
                let source = std::fs::read_to_string(&path).map_err(|e| ReportError::Template {
                    path: path.clone(),
                    message: format!("cannot read the digest template: {e}"),
                })?;
                Template {
                    path,
                    source: Source::new(main_id(), source),
                    dir: Some(dir.to_path_buf()),
                }
            }
        };
        let mut faces = Vec::new();
        for (face, file) in [
            (&fonts.regular, super::fonts::REGULAR_FILE),
            (&fonts.bold, super::fonts::BOLD_FILE),
        ] {
            let font =
                Font::new(Bytes::new(face.to_vec()), 0).ok_or_else(|| ReportError::Font {
                    path: PathBuf::from(file),
                    message: "Typst cannot read this font".into(),
                })?;
            faces.push(font);
        }
        let family = faces[0].info().family.clone();
        Ok(Typesetter {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&faces)),
            fonts: faces,
            family,
            template,
        })
    }

    /// Typesets `d` and returns the PDF bytes and the page count. `path` names the digest in errors.
    pub fn render(
        &self,
        d: &Digest,
        date: Option<super::Date>,
        path: &Path,
    ) -> Result<(Vec<u8>, usize), ReportError> {
        let missing = fonts_missing(&self.fonts, &d.all_text());
        if !missing.is_empty() {
            return Err(ReportError::MissingGlyphs {
                path: path.to_path_buf(),
                chars: missing.iter().collect(),
            });
        }
        let world = DigestWorld::new(self, d)?;
        let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
        let doc = compiled
            .output
            .map_err(|errors| self.failed(&world, path, &errors))?;
        let options = typst_pdf::PdfOptions {
            // The identifier and date are fixed so that the same data gives the same bytes.
            ident: Smart::Custom(d.name.clone()),
            creator: Smart::Custom(Some("greenbook".into())),
            timestamp: date.and_then(timestamp),
            ..Default::default()
        };
        let bytes =
            typst_pdf::pdf(&doc, &options).map_err(|errors| self.failed(&world, path, &errors))?;
        Ok((bytes, doc.pages().len()))
    }

    /// Typst's diagnostics as one message, each with the template line it points at.
    fn failed(&self, world: &DigestWorld, path: &Path, errors: &[SourceDiagnostic]) -> ReportError {
        let mut message = String::new();
        for e in errors {
            if !message.is_empty() {
                message.push_str("; ");
            }
            let at = world.line_of(e.span);
            match at {
                Some((file, line)) => message.push_str(&format!("{file}:{line}: {}", e.message)),
                None => message.push_str(&e.message),
            }
        }
        let (path, message) = (
            path.to_path_buf(),
            format!(
                "typesetting with {} failed: {message}",
                self.template.path.display()
            ),
        );
        // The built-in template failing is greenbook's fault; a template of the user's, theirs.
        match self.template.dir {
            Some(_) => ReportError::Template { path, message },
            None => ReportError::Render { path, message },
        }
    }
}

/// Characters of `text` one of the faces cannot print (whitespace and controls aside): Typst would
/// print them as empty boxes, so the digest is refused instead.
fn fonts_missing(fonts: &[Font], text: &str) -> std::collections::BTreeSet<char> {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .filter(|&c| fonts.iter().any(|f| !f.info().coverage.contains(c as u32)))
        .collect()
}

/// Typst's date for the PDF's metadata (midnight UTC of the run's date).
fn timestamp(d: super::Date) -> Option<typst_pdf::Timestamp> {
    let dt = Datetime::from_ymd_hms(i32::from(d.year), d.month, d.day, 0, 0, 0)?;
    Some(typst_pdf::Timestamp::new_utc(dt))
}

/// The files one digest's compilation sees.
struct DigestWorld<'a> {
    set: &'a Typesetter,
    main: FileId,
    files: HashMap<FileId, Bytes>,
}

/// The id of one of the files greenbook gives a compilation (its own names, always valid paths).
fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("greenbook's own virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The template's id: the main file of every compilation.
fn main_id() -> FileId {
    file_id(&format!("/{TEMPLATE}"))
}

impl<'a> DigestWorld<'a> {
    fn new(set: &'a Typesetter, d: &Digest) -> Result<DigestWorld<'a>, ReportError> {
        let main = set.template.source.id();
        let mut files = HashMap::new();
        let mut charts = 0;
        let blocks: Vec<BlockData> = d
            .blocks
            .iter()
            .map(|b| BlockData::of(b, &mut files, &mut charts))
            .collect();
        let data = DigestData {
            title: &d.title,
            font: &set.family,
            blocks,
        };
        let json = serde_json::to_string(&data).map_err(|e| ReportError::Render {
            path: PathBuf::from(&d.name),
            message: e.to_string(),
        })?;
        files.insert(file_id("/data.json"), Bytes::from_string(json));
        Ok(DigestWorld { set, main, files })
    }

    /// The file and 1-based line a diagnostic points at.
    fn line_of(&self, span: typst::syntax::DiagSpan) -> Option<(String, usize)> {
        use typst::WorldExt;
        let id = span.id()?;
        let source = self.source(id).ok()?;
        let range = self.range(span)?;
        let line = source.lines().byte_to_line(range.start)? + 1;
        let file = if id == self.main {
            self.set.template.path.display().to_string()
        } else {
            format!("{:?}", id.vpath())
        };
        Some((file, line))
    }
}

impl World for DigestWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.set.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.set.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            return Ok(self.set.template.source.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(
                self.set.template.source.text().to_string(),
            ));
        }
        if let Some(b) = self.files.get(&id) {
            return Ok(b.clone());
        }
        // Anything else the template reads comes from its own folder (a built-in template has
        // none). Typst's virtual paths are rooted and normalised, so they stay inside it.
        let (Some(dir), VirtualRoot::Project) = (&self.set.template.dir, id.root()) else {
            return Err(FileError::AccessDenied);
        };
        let path = dir.join(id.vpath().get_without_slash());
        std::fs::read(&path)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.set.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The template prints the run's date from data.json; the clock would break reproducibility.
        None
    }
}

/// The digest as the template reads it (`data.json`).
#[derive(Serialize)]
struct DigestData<'a> {
    title: &'a str,
    /// The family name of the report font, for `text(font: ...)`.
    font: &'a str,
    blocks: Vec<BlockData>,
}

#[derive(Serialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case"
)]
enum BlockData {
    Title {
        text: String,
    },
    Heading {
        text: String,
    },
    Para {
        text: String,
    },
    Note {
        text: String,
    },
    Table {
        /// Relative column widths.
        weights: Vec<usize>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        /// Per column: a column of figures, set right-aligned.
        right: Vec<bool>,
    },
    Chart {
        caption: String,
        /// A file of raw RGB pixels (3 bytes each, row by row): `image(read(file, encoding: none),
        /// format: (encoding: "rgb8", width: pixel-width, height: pixel-height))`.
        file: String,
        pixel_width: u32,
        pixel_height: u32,
        /// The width to print it at, in millimetres (the bitmaps are drawn at 200 DPI).
        width_mm: f64,
    },
    PageBreak,
}

impl BlockData {
    fn of(b: &Block, files: &mut HashMap<FileId, Bytes>, charts: &mut usize) -> BlockData {
        match b {
            Block::Title(t) => BlockData::Title { text: t.clone() },
            Block::Heading(t) => BlockData::Heading { text: t.clone() },
            Block::Para(t) => BlockData::Para { text: t.clone() },
            Block::Note(t) => BlockData::Note { text: t.clone() },
            Block::Table {
                weights,
                header,
                rows,
            } => BlockData::Table {
                weights: weights.clone(),
                header: header.clone(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text().to_string()).collect())
                    .collect(),
                right: figure_columns(header.len(), rows),
            },
            Block::Chart(c) => {
                *charts += 1;
                let file = format!("chart-{charts}.rgb");
                files.insert(file_id(&format!("/{file}")), Bytes::new(c.rgb.clone()));
                BlockData::Chart {
                    caption: c.caption.clone(),
                    file,
                    pixel_width: c.width,
                    pixel_height: c.height,
                    width_mm: f64::from(c.width) / super::charts::DPI * 25.4,
                }
            }
            Block::PageBreak => BlockData::PageBreak,
        }
    }
}

/// Columns whose cells are all figures or missing, with at least one figure: set right-aligned.
pub(crate) fn figure_columns(n: usize, rows: &[Vec<Cell>]) -> Vec<bool> {
    (0..n)
        .map(|i| {
            let cells = || rows.iter().filter_map(|r| r.get(i));
            cells().any(|c| matches!(c, Cell::Figure(_)))
                && cells().all(|c| matches!(c, Cell::Figure(_) | Cell::Missing))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typesetter() -> Typesetter {
        Typesetter::new(&ReportFonts::load(None).unwrap(), None).unwrap()
    }

    #[test]
    fn a_column_of_figures_and_missing_values_is_set_right() {
        let fig = |s: &str| Cell::Figure(s.into());
        let rows = vec![
            vec![
                Cell::Text("高行镇".into()),
                fig("约8000"),
                Cell::Missing,
                Cell::Missing,
            ],
            vec![
                Cell::Text("—".into()),
                fig("1225（校）"),
                Cell::Missing,
                fig("p008"),
            ],
            vec![
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Text("f01".into()),
            ],
        ];
        assert_eq!(figure_columns(4, &rows), [false, true, false, false]);
    }

    #[test]
    fn a_character_missing_from_the_font_fails_loudly() {
        let t = typesetter();
        // 崑 (in the first case's name) is covered; 𪚥 (outside GBK) is not.
        assert!(fonts_missing(&t.fonts, "绿地崑廉居民区 1224户 48.5%").is_empty());
        let d = Digest {
            name: "x".into(),
            title: "测试".into(),
            blocks: vec![Block::Para("社区名𪚥".into())],
        };
        let e = t.render(&d, None, Path::new("x.pdf")).unwrap_err();
        assert!(matches!(e, ReportError::MissingGlyphs { .. }), "{e}");
        assert!(e.to_string().contains('𪚥') && e.to_string().contains("x.pdf"));
    }

    #[test]
    fn a_broken_template_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(TEMPLATE),
            "#let data = json(\"data.json\")\n#data.title\n#no-such-function()\n",
        )
        .unwrap();
        let t = Typesetter::new(&ReportFonts::load(None).unwrap(), Some(dir.path())).unwrap();
        let d = Digest {
            name: "x".into(),
            title: "测试".into(),
            blocks: vec![],
        };
        let e = t
            .render(&d, None, Path::new("x.pdf"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("digest.typ:3:") && e.contains("no-such-function"),
            "{e}"
        );
        // A template cannot read outside its folder.
        std::fs::write(
            dir.path().join(TEMPLATE),
            "#read(\"../../../../../../etc/hostname\")\n",
        )
        .unwrap();
        let t = Typesetter::new(&ReportFonts::load(None).unwrap(), Some(dir.path())).unwrap();
        let e = t
            .render(&d, None, Path::new("x.pdf"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("digest.typ:1:"), "{e}");
    }

    #[test]
    fn a_table_row_never_splits_across_pages_and_the_header_repeats() {
        // Rows whose last cell wraps onto two to six lines: each starts with A<n> and ends with Z<n>.
        let rows: Vec<Vec<Cell>> = (0..40)
            .map(|i| {
                vec![
                    Cell::Text(format!("东力{i}")),
                    Cell::Text("户数".into()),
                    Cell::Figure("1224".into()),
                    Cell::Figure("8".into()),
                    Cell::Text(format!(
                        "A{i:03}{}绿化率达到35.2%。Z{i:03}",
                        "东力居民区建成于2006年，共有1224户，常住人口约三千人。".repeat(1 + i % 4)
                    )),
                ]
            })
            .collect();
        let d = Digest {
            name: "x".into(),
            title: "测试".into(),
            blocks: vec![
                Block::Para("表格之前的一段话。".into()),
                Block::Table {
                    weights: vec![4, 3, 3, 2, 12],
                    header: ["社区", "指标", "数值", "页码", "原文"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                },
            ],
        };
        let (bytes, pages) = typesetter().render(&d, None, Path::new("x.pdf")).unwrap();
        assert!(pages >= 3, "{pages} pages");
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("x.pdf");
        std::fs::write(&pdf, &bytes).unwrap();
        let page_text = |p: usize| -> String {
            let out = std::process::Command::new("pdftotext")
                .args(["-f", &p.to_string(), "-l", &p.to_string()])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let texts: Vec<String> = (1..=pages).map(page_text).collect();
        let page_of = |token: &str| -> Vec<usize> {
            (1..=pages)
                .filter(|&p| texts[p - 1].contains(token))
                .collect()
        };
        for i in 0..40 {
            let (a, z) = (page_of(&format!("A{i:03}")), page_of(&format!("Z{i:03}")));
            assert_eq!(a.len(), 1, "row {i}: {a:?}");
            assert_eq!(a, z, "row {i} starts on page {a:?} and ends on {z:?}");
        }
        // Every page the table runs onto starts with its header, and is numbered.
        assert!(texts.iter().all(|t| t.contains("原文")), "{texts:?}");
        let compact: String = texts[1].chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains(&format!("第2页/共{pages}页")), "{compact}");
    }
}
