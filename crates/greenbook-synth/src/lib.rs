//! **Synthetic** page scans for greenbook's tests and benchmarks — a developer tool, not part of the
//! product: the book's text typeset into page images ([`render`]) with scanner degradation
//! ([`degrade`]), and a generated full edition with gold facts ([`synth`]). Nothing here describes a
//! real scan; everything it writes says so in its name or README.

pub mod capture;
pub mod degrade;
pub mod excerpt;
pub mod render;
pub mod synth;
mod typefaces;

use std::path::{Path, PathBuf};

use greenbook::io::{FileError, sha256_hex, write_atomic};

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A file that cannot be read or written.
    #[error(transparent)]
    File(#[from] FileError),
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
    let text = std::fs::read_to_string(excerpt).map_err(FileError::read(excerpt))?;
    Ok((excerpt::parse(&text), render::FontSet::load(font_dir)?))
}

/// Writes rendered pages: `<label>.png`, `truth/<label>.txt`, and (when `manifest`) `manifest.csv`.
fn write_rendered(
    pages: &[render::RenderedPage],
    out: &Path,
    manifest_too: bool,
) -> Result<RenderSummary, SynthError> {
    let truth_dir = out.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(FileError::write(&truth_dir))?;
    let mut manifest = String::from("page,file,sha256,kind,district,contents_title\n");
    let mut bytes = 0;
    for p in pages {
        let ext = if p.png.starts_with(&[0xFF, 0xD8]) {
            "jpg"
        } else {
            "png"
        };
        let file = format!("{}.{ext}", p.label);
        let png_path = out.join(&file);
        write_atomic(&png_path, &p.png)?;
        let truth_path = truth_dir.join(format!("{}.txt", p.label));
        write_atomic(&truth_path, p.truth.as_bytes())?;
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
        write_atomic(&mpath, manifest.as_bytes())?;
    }
    Ok(RenderSummary {
        pages: pages.len(),
        bytes,
    })
}

/// Trims filler paragraphs until every case fits the pages its contents entry gives it.
fn fit_cases(doc: &mut excerpt::Document, fonts: &render::FontSet, seed: u64) {
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
            let pages = render::plan(&one, fonts, seed).len() as u32;
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
}

/// A book typeface for the body of evaluation pages, from Debian's font packages (the committed
/// scans use Noto Serif; printed Chinese books set their body in a Song/Ming or Kai face).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFace {
    /// AR PL UMing CN (Debian `fonts-arphic-uming`).
    Ming,
    /// AR PL UKai CN (Debian `fonts-arphic-ukai`).
    Kai,
}

impl BookFace {
    pub fn parse(s: &str) -> Option<BookFace> {
        match s {
            "ming" => Some(BookFace::Ming),
            "kai" => Some(BookFace::Kai),
            _ => None,
        }
    }

    /// The collection file and the index of its Simplified Chinese (CN) face.
    pub fn file(self) -> (&'static str, u32) {
        match self {
            BookFace::Ming => ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
            BookFace::Kai => ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BookFace::Ming => "ming",
            BookFace::Kai => "kai",
        }
    }
}

/// What an evaluation set is made of.
#[derive(Debug, Clone)]
pub struct EvalSet {
    pub face: BookFace,
    /// Chooses the cases, their invented facts and the scan degradation.
    pub seed: u64,
    /// At least this many case pages (whole cases are rendered).
    pub pages: usize,
    /// Scanning resolution: pages are typeset at 300 DPI and resampled to this (`worn` is always
    /// 200 DPI; a photo is a 12-megapixel frame).
    pub dpi: u32,
    /// How the pages are captured.
    pub capture: capture::Capture,
}

/// `greenbook-synth eval-set`: **synthetic** case pages of the synthetic book with their body in a book
/// typeface, degraded like a scan, at a scanning resolution; with truth, manifest, the cases' gold facts
/// and names (`gold.jsonl`) and a README saying what it is. Cases are drawn by the seed, so two seeds
/// give two sets to tune on and to report on.
pub fn write_eval_set(
    excerpt: &Path,
    font_dir: &Path,
    out: &Path,
    set: &EvalSet,
) -> Result<RenderSummary, SynthError> {
    let (real, fonts) = load_source(excerpt, font_dir)?;
    let (file, index) = set.face.file();
    let fonts = fonts.with_body(Path::new(file), index)?;
    let (mut doc, gold) = synth::document(&real, set.seed);
    fit_cases(&mut doc, &fonts, set.seed);
    let chosen = choose_cases(doc, gold, &fonts, set);
    let (sections, gold): (Vec<_>, Vec<_>) = chosen.into_iter().unzip();
    let doc = excerpt::Document {
        sections,
        contents: Vec::new(),
    };
    let flat = set.capture == capture::Capture::Flat;
    let mut rendered = render::render(&doc, &fonts, set.seed, !flat, None)?;
    let mut gold = gold;
    if !flat {
        let (pages, renamed) = captured(rendered, set)?;
        rendered = pages;
        for g in &mut gold {
            if let Some(page) = g.get("page").and_then(|p| p.as_str())
                && let Some(to) = renamed.get(page)
            {
                g["page"] = serde_json::Value::String(to.clone());
            }
        }
    }
    if set.dpi != 300 && matches!(set.capture, capture::Capture::Flat | capture::Capture::Tilt) {
        for p in &mut rendered {
            p.png = resample_png(&p.png, set.dpi as f32 / 300.0).map_err(encode_err(&p.label))?;
        }
    }
    let summary = write_rendered(&rendered, out, true)?;
    write_gold_and_readme(out, &gold, set, file, summary.pages)?;
    Ok(summary)
}

/// A seeded shuffle of the cases, then whole cases until there are enough pages, back in book order.
fn choose_cases(
    doc: excerpt::Document,
    gold: Vec<serde_json::Value>,
    fonts: &render::FontSet,
    set: &EvalSet,
) -> Vec<(excerpt::Section, serde_json::Value)> {
    let mut cases: Vec<(excerpt::Section, serde_json::Value)> = doc
        .sections
        .into_iter()
        .filter(|s| s.kind == excerpt::PageKind::Case)
        .zip(gold)
        .collect();
    // A seeded shuffle, then whole cases until there are enough pages, back in book order.
    let mut rng = degrade::Rng::new(set.seed ^ 0x5eed);
    for i in (1..cases.len()).rev() {
        cases.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let mut chosen = Vec::new();
    let mut pages = 0;
    for c in cases {
        if pages >= set.pages {
            break;
        }
        let one = excerpt::Document {
            sections: vec![c.0.clone()],
            contents: Vec::new(),
        };
        pages += render::plan(&one, fonts, set.seed).len();
        chosen.push(c);
    }
    chosen.sort_by_key(|(s, _)| s.first_page);
    chosen
}

/// The set's `gold.jsonl` and the README that says what it is, in `out`.
fn write_gold_and_readme(
    out: &Path,
    gold: &[serde_json::Value],
    set: &EvalSet,
    file: &str,
    pages: usize,
) -> Result<(), SynthError> {
    let lines: String = gold.iter().map(|g| format!("{g}\n")).collect();
    let gpath = out.join("gold.jsonl");
    write_atomic(&gpath, lines.as_bytes())?;
    let readme = format!(
        "# SYNTHETIC evaluation pages — not scans of the real edition\n\nGenerated by `greenbook-synth \
         eval-set --face {} --seed {} --pages {} --dpi {} --capture {}`: {} images of case pages of the \
         synthetic book (invented communities and facts, in the book's structure), the body set in {} \
         ({}), headings in Noto Sans, {}. `truth/` holds each image's text (both pages of a spread, left \
         then right), `gold.jsonl` each case's district, community, facts and first image, \
         `manifest.csv` the images. Nothing here describes a real community.\n",
        set.face.name(),
        set.seed,
        set.pages,
        set.dpi,
        set.capture.name(),
        pages,
        set.face.name(),
        file,
        set.capture.describe()
    );
    let rpath = out.join("README.md");
    write_atomic(&rpath, readme.as_bytes())?;
    Ok(())
}

/// Captured pages, with the new label of every page whose image is named otherwise.
type Captured = (
    Vec<render::RenderedPage>,
    std::collections::HashMap<String, String>,
);

/// The error of a page that cannot be encoded, naming it.
pub(crate) fn encode_err(label: &str) -> impl FnOnce(String) -> SynthError + use<> {
    let label = label.to_string();
    move |reason: String| SynthError::Encode {
        path: PathBuf::from(label),
        reason,
    }
}

/// Clean renders captured as `set.capture` says; with the new label of every page whose image is
/// named otherwise (a spread is named `s001`… after its two pages).
fn captured(pages: Vec<render::RenderedPage>, set: &EvalSet) -> Result<Captured, SynthError> {
    use capture::Capture;
    use rayon::prelude::*;
    let grey = |p: &render::RenderedPage| -> Result<image::GrayImage, SynthError> {
        Ok(image::load_from_memory(&p.png)
            .map_err(|e| encode_err(&p.label)(e.to_string()))?
            .into_luma8())
    };
    let seed = |label: &str| set.seed ^ 0xca97_u64 ^ render::fnv(label);
    if set.capture == Capture::Spread {
        return spreads(&pages, &grey, &seed);
    }
    let greys: Vec<image::GrayImage> = pages.iter().map(grey).collect::<Result<_, _>>()?;
    let bytes: Vec<Vec<u8>> = (0..pages.len())
        .into_par_iter()
        .map(|i| {
            let p = &pages[i];
            let mut rng = degrade::Rng::new(seed(&p.label));
            match set.capture {
                Capture::Flat | Capture::Tilt => {
                    degrade::encode_png(&capture::tilt(&greys[i], &mut rng))
                }
                Capture::Worn => {
                    let other = &greys[if i + 1 < greys.len() {
                        i + 1
                    } else {
                        i.saturating_sub(1)
                    }];
                    let img = capture::worn(&greys[i], other, i % 2 == 0, &mut rng);
                    let (w, h) = (img.width() * 2 / 3, img.height() * 2 / 3);
                    let small = image::imageops::resize(
                        &img,
                        w,
                        h,
                        image::imageops::FilterType::CatmullRom,
                    );
                    capture::jpeg_bytes(small, 55)
                }
                Capture::Photo => capture::jpeg_bytes(capture::photo(&greys[i], &mut rng), 88),
                Capture::Spread => unreachable!("spreads are paired above"),
            }
            .map_err(encode_err(&p.label))
        })
        .collect::<Result<_, _>>()?;
    let out = pages
        .into_iter()
        .zip(bytes)
        .map(|(p, png)| render::RenderedPage { png, ..p })
        .collect();
    Ok((out, std::collections::HashMap::new()))
}

/// The pages in pairs, each pair one photographed spread labelled `s001`, `s002`…; with the pages'
/// labels each spread took.
fn spreads(
    pages: &[render::RenderedPage],
    grey: &dyn Fn(&render::RenderedPage) -> Result<image::GrayImage, SynthError>,
    seed: &dyn Fn(&str) -> u64,
) -> Result<Captured, SynthError> {
    let mut renamed = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (k, pair) in pages.chunks(2).enumerate() {
        let label = format!("s{:03}", k + 1);
        let left = grey(&pair[0])?;
        let right = match pair.get(1) {
            Some(p) => grey(p)?,
            None => image::GrayImage::from_pixel(left.width(), left.height(), image::Luma([255])),
        };
        let img = capture::spread(&left, &right, &mut degrade::Rng::new(seed(&label)));
        let mut truth = pair[0].truth.clone();
        for p in pair {
            renamed.insert(p.label.clone(), label.clone());
        }
        if let Some(p) = pair.get(1) {
            truth.push_str(&p.truth);
        }
        out.push(render::RenderedPage {
            label: label.clone(),
            png: degrade::encode_png(&img).map_err(encode_err(&label))?,
            truth,
            ..pair[0].clone()
        });
    }
    Ok((out, renamed))
}

/// A page rescanned at another resolution: decoded, resampled by `factor`, encoded again.
fn resample_png(png: &[u8], factor: f32) -> Result<Vec<u8>, String> {
    let img = image::load_from_memory(png)
        .map_err(|e| e.to_string())?
        .into_luma8();
    let (w, h) = (
        ((img.width() as f32 * factor).round() as u32).max(1),
        ((img.height() as f32 * factor).round() as u32).max(1),
    );
    let resized = image::imageops::resize(&img, w, h, image::imageops::FilterType::CatmullRom);
    degrade::encode_png(&resized)
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
    fit_cases(&mut doc, &fonts, seed);
    let summary = write_rendered(&render::render(&doc, &fonts, seed, clean, None)?, out, true)?;
    let mut lines = String::new();
    for g in &gold {
        lines.push_str(&g.to_string());
        lines.push('\n');
    }
    let gpath = out.join("gold.jsonl");
    write_atomic(&gpath, lines.as_bytes())?;
    let readme = format!(
        "# SYNTHETIC book — not the real edition\n\nGenerated by `greenbook synth-book --seed {seed}`: the real \
         front matter and table of contents of the book, a chapter divider per district, and for every \
         contents entry a generated case (up to 5 pages, as many as its contents entry leaves it, starting at its printed page) whose profile states \
         invented facts in varied phrasing. The facts are in `gold.jsonl`; `truth/` holds each page's \
         text; `manifest.csv` lists the pages. Nothing here describes a real community.\n"
    );
    let rpath = out.join("README.md");
    write_atomic(&rpath, readme.as_bytes())?;
    Ok(summary)
}
