//! **Synthetic** page scans for greenbook's tests and benchmarks — a developer tool, not part of the
//! product: the book's text typeset into page images ([`render`]) with scanner degradation
//! ([`degrade`]), and a generated full edition with gold facts ([`synth`]). Nothing here describes a
//! real scan; everything it writes says so in its name or README.

pub mod degrade;
pub mod excerpt;
pub mod render;
pub mod synth;

use std::path::{Path, PathBuf};

use greenbook::io::{sha256_hex, write_atomic};

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: font: {reason}")]
    Font { path: PathBuf, reason: String },
    #[error("{path}: cannot encode: {reason}")]
    Encode { path: PathBuf, reason: String },
}

/// What `render-scans` wrote.
pub struct RenderSummary {
    pub pages: usize,
    pub bytes: u64,
}

/// Renders the excerpt into `out`: `<label>.png`, `truth/<label>.txt`, `manifest.csv`.
pub fn render_scans(
    excerpt: &Path,
    font_dir: &Path,
    out: &Path,
    seed: u64,
    clean: bool,
    only: Option<&str>,
) -> Result<RenderSummary, SynthError> {
    let (doc, fonts) = load_source(excerpt, font_dir)?;
    let pages = render::render(&doc, &fonts, seed, clean, only)?;
    write_rendered(&pages, out, only.is_none())
}

/// The book's text parsed into sections, and the typefaces to render it with.
fn load_source(
    excerpt: &Path,
    font_dir: &Path,
) -> Result<(excerpt::Document, render::FontSet), SynthError> {
    let text = std::fs::read_to_string(excerpt).map_err(|source| SynthError::Io {
        path: excerpt.into(),
        source,
    })?;
    Ok((excerpt::parse(&text), render::FontSet::load(font_dir)?))
}

/// Writes rendered pages: `<label>.png`, `truth/<label>.txt`, and (when `manifest`) `manifest.csv`.
fn write_rendered(
    pages: &[render::RenderedPage],
    out: &Path,
    manifest_too: bool,
) -> Result<RenderSummary, SynthError> {
    let io_err = |path: PathBuf| move |source| SynthError::Io { path, source };
    let truth_dir = out.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(io_err(truth_dir.clone()))?;
    let mut manifest = String::from("page,file,sha256,kind,district,contents_title\n");
    let mut bytes = 0;
    for p in pages {
        let file = format!("{}.png", p.label);
        let png_path = out.join(&file);
        write_atomic(&png_path, &p.png).map_err(io_err(png_path.clone()))?;
        let truth_path = truth_dir.join(format!("{}.txt", p.label));
        write_atomic(&truth_path, p.truth.as_bytes()).map_err(io_err(truth_path.clone()))?;
        bytes += p.png.len() as u64;
        manifest.push_str(&format!(
            "{},{},{},{},{},{}\n",
            p.label,
            file,
            sha256_hex(&p.png),
            p.kind.as_str(),
            p.district.as_deref().unwrap_or(""),
            p.contents_title.as_deref().unwrap_or("").replace(',', "，"),
        ));
    }
    if manifest_too {
        let mpath = out.join("manifest.csv");
        write_atomic(&mpath, manifest.as_bytes()).map_err(io_err(mpath.clone()))?;
    }
    Ok(RenderSummary {
        pages: pages.len(),
        bytes,
    })
}

/// `greenbook synth-book`: renders the **synthetic** full edition (see [`synth`]) into `out`, with
/// truth, manifest, `gold.jsonl` and a README saying what it is.
pub fn write_synth_book(
    excerpt: &Path,
    font_dir: &Path,
    out: &Path,
    seed: u64,
    clean: bool,
) -> Result<RenderSummary, SynthError> {
    let (real, fonts) = load_source(excerpt, font_dir)?;
    let (mut doc, gold) = synth::document(&real, seed);
    // Trim filler until every case fits the pages its contents entry gives it.
    for s in doc
        .sections
        .iter_mut()
        .filter(|s| s.kind == excerpt::PageKind::Case)
    {
        loop {
            let one = excerpt::Document {
                sections: vec![s.clone()],
                contents: Vec::new(),
            };
            let pages = render::plan(&one, &fonts, seed).len() as u32;
            let last_filler = s
                .blocks
                .iter()
                .rposition(|b| matches!(b, excerpt::Block::Para { .. }))
                .filter(|&i| i > 3);
            match last_filler {
                Some(i) if pages > s.max_pages => {
                    s.blocks.remove(i);
                }
                _ => break,
            }
        }
    }
    let summary = write_rendered(&render::render(&doc, &fonts, seed, clean, None)?, out, true)?;
    let mut lines = String::new();
    for g in &gold {
        lines.push_str(&g.to_string());
        lines.push('\n');
    }
    let io_err = |path: PathBuf| move |source| SynthError::Io { path, source };
    let gpath = out.join("gold.jsonl");
    write_atomic(&gpath, lines.as_bytes()).map_err(io_err(gpath.clone()))?;
    let readme = format!(
        "# SYNTHETIC book — not the real edition\n\nGenerated by `greenbook synth-book --seed {seed}`: the real \
         front matter and table of contents of the book, a chapter divider per district, and for every \
         contents entry a generated case (up to 5 pages, as many as its contents entry leaves it, starting at its printed page) whose profile states \
         invented facts in varied phrasing. The facts are in `gold.jsonl`; `truth/` holds each page's \
         text; `manifest.csv` lists the pages. Nothing here describes a real community.\n"
    );
    let rpath = out.join("README.md");
    write_atomic(&rpath, readme.as_bytes()).map_err(io_err(rpath.clone()))?;
    Ok(summary)
}
