//! Stage 1: find and load page images.
//!
//! Pages come from a folder (its `manifest.csv` gives order and labels when present, else file names in
//! natural order) or from a list of files. PNG, JPEG and TIFF (every frame of a multi-page TIFF) and the
//! page images of scanned PDFs are read.

pub mod pdf;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{GrayImage, ImageReader};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Pages larger than this many pixels are refused rather than decoded (a 600-DPI A3 page is ~70 Mpx).
pub const MAX_PIXELS: u64 = 120_000_000;
/// Pages smaller than this on either side cannot hold a line of text.
pub const MIN_SIDE: u32 = 32;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: no page images found (looked for .png, .jpg, .jpeg, .tif, .tiff, .pdf)")]
    NoPages { path: PathBuf },
    #[error("{path}: not a readable image: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("{path}: image is {width}×{height} pixels, above the limit of {MAX_PIXELS} pixels")]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: image is {width}×{height} pixels, too small to hold text")]
    TooSmall {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: bad manifest line {line}: {reason}")]
    Manifest {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// What a page is in the book, as a manifest states it (`kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    Cover,
    Front,
    Contents,
    Chapter,
    Case,
}

crate::text::edge_strings!(PageKind {
    Cover => "cover",
    Front => "front",
    Contents => "contents",
    Chapter => "chapter",
    Case => "case",
});

/// One page to OCR: where its pixels are and what the manifest says of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageSource {
    pub label: String,
    pub path: PathBuf,
    /// Frame inside a multi-page file (0 for single images).
    pub frame: u32,
    pub kind: Option<PageKind>,
    pub district: Option<String>,
    pub contents_title: Option<String>,
}

/// A decoded page: 8-bit grey pixels and the sha256 of its source bytes (plus frame).
pub struct PageImage {
    pub image: GrayImage,
    pub sha256: String,
}

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

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
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
    let frames = if ext == "tif" || ext == "tiff" {
        tiff_frames(path)
    } else if ext == "pdf" {
        pdf::page_count(path)
    } else {
        1
    };
    (0..frames)
        .map(|frame| PageSource {
            label: if frames > 1 {
                format!("{}-{:03}", stem(path), frame + 1)
            } else {
                stem(path)
            },
            path: path.to_path_buf(),
            frame,
            kind: None,
            district: None,
            contents_title: None,
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

/// Reads `manifest.csv` (page,file,sha256,kind,district,contents_title).
pub fn read_manifest(path: &Path) -> Result<Vec<PageSource>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Io {
        path: path.into(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 2 {
            let reason = "expected page,file,…".into();
            return Err(InputError::Manifest {
                path: path.into(),
                line: i + 1,
                reason,
            });
        }
        let file = inside(dir, f[1]).map_err(|reason| InputError::Manifest {
            path: path.into(),
            line: i + 1,
            reason,
        })?;
        let opt = |k: usize| f.get(k).filter(|s| !s.is_empty()).map(|s| s.to_string());
        let kind = match opt(3) {
            None => None,
            Some(k) => Some(PageKind::parse(&k).ok_or_else(|| InputError::Manifest {
                path: path.into(),
                line: i + 1,
                reason: format!(
                    "unknown page kind '{k}' (expected one of {})",
                    PageKind::ALL.map(PageKind::as_str).join(", ")
                ),
            })?),
        };
        out.push(PageSource {
            label: f[0].to_string(),
            path: file,
            frame: 0,
            kind,
            district: opt(4),
            contents_title: opt(5),
        });
    }
    Ok(out)
}

/// Finds the pages under the given inputs: folders (manifest or natural order) and files, in order given.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PageSource>, InputError> {
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
    if out.is_empty() {
        let path = inputs.first().cloned().unwrap_or_default();
        return Err(InputError::NoPages { path });
    }
    Ok(out)
}

fn decode_err(path: &Path, e: impl std::fmt::Display) -> InputError {
    InputError::Decode {
        path: path.into(),
        reason: e.to_string(),
    }
}

fn check_size(path: &Path, width: u32, height: u32) -> Result<(), InputError> {
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(InputError::TooLarge {
            path: path.into(),
            width,
            height,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(InputError::TooSmall {
            path: path.into(),
            width,
            height,
        });
    }
    Ok(())
}

fn tiff_frame(path: &Path, bytes: &[u8], frame: u32) -> Result<GrayImage, InputError> {
    use tiff::decoder::{Decoder, DecodingResult};
    let mut d = Decoder::new(Cursor::new(bytes)).map_err(|e| decode_err(path, e))?;
    for _ in 0..frame {
        d.next_image().map_err(|e| decode_err(path, e))?;
    }
    let (w, h) = d.dimensions().map_err(|e| decode_err(path, e))?;
    check_size(path, w, h)?;
    let color = d.colortype().map_err(|e| decode_err(path, e))?;
    let DecodingResult::U8(data) = d.read_image().map_err(|e| decode_err(path, e))? else {
        return Err(decode_err(path, "only 8-bit TIFF pages are supported"));
    };
    let channels = data.len() / (w as usize * h as usize).max(1);
    let grey: Vec<u8> = match (channels, color) {
        (1, _) => data,
        (c, _) if c >= 3 => data
            .chunks(c)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect(),
        _ => {
            return Err(decode_err(
                path,
                format!("unsupported TIFF colour type {color:?}"),
            ));
        }
    };
    GrayImage::from_raw(w, h, grey)
        .ok_or_else(|| decode_err(path, "TIFF data shorter than its size"))
}

/// A page file's bytes and their sha256 (with the frame number for multi-page files).
pub struct RawPage {
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// Reads a page's bytes and hashes them (cheap: no decoding), so cached pages are never decoded.
pub fn read(src: &PageSource) -> Result<RawPage, InputError> {
    let path = &src.path;
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.clone(),
        source,
    })?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    if src.frame > 0 {
        hasher.update(src.frame.to_le_bytes());
    }
    let sha256 = crate::io::hex(&hasher.finalize());
    Ok(RawPage { bytes, sha256 })
}

/// Decodes a page to grey pixels, refusing images too large to decode safely or too small to hold text.
pub fn decode(src: &PageSource, bytes: &[u8]) -> Result<GrayImage, InputError> {
    let path = &src.path;
    if bytes.is_empty() {
        return Err(decode_err(path, "file is empty (0 bytes)"));
    }
    if pdf::is_pdf(bytes) {
        return pdf::page_image(path, bytes, src.frame);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| decode_err(path, e))?;
    let format = reader
        .format()
        .ok_or_else(|| decode_err(path, "not an image (unknown format)"))?;
    if format == image::ImageFormat::Tiff {
        return tiff_frame(path, bytes, src.frame);
    }
    let (w, h) = reader.into_dimensions().map_err(|e| decode_err(path, e))?;
    check_size(path, w, h)?;
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| decode_err(path, e))?;
    reader.no_limits();
    Ok(reader
        .decode()
        .map_err(|e| decode_err(path, e))?
        .into_luma8())
}

/// Reads and decodes a page.
pub fn load(src: &PageSource) -> Result<PageImage, InputError> {
    let raw = read(src)?;
    Ok(PageImage {
        image: decode(src, &raw.bytes)?,
        sha256: raw.sha256,
    })
}

/// `img` turned `rotation` degrees clockwise (0, 90, 180 or 270), as OCR turned it.
fn rotated(img: GrayImage, rotation: u16) -> GrayImage {
    match rotation {
        90 => image::imageops::rotate90(&img),
        180 => image::imageops::rotate180(&img),
        270 => image::imageops::rotate270(&img),
        _ => img,
    }
}

/// The page's pixels as OCR read them (`rotation` applied): the image its word boxes refer to.
pub fn load_as_read(src: &PageSource, rotation: u16) -> Result<GrayImage, InputError> {
    Ok(rotated(load(src)?.image, rotation))
}

/// A page image as a PDF can hold it without decoding: JPEG bytes as they are (DCTDecode), or PNG's
/// compressed rows (FlateDecode with the PNG predictors, 8-bit grey).
#[derive(Debug, Clone)]
pub enum Embeddable {
    Jpeg {
        data: Vec<u8>,
        width: u32,
        height: u32,
        /// 1 (grey) or 3 (RGB) colour components.
        components: u8,
    },
    Flate {
        data: Vec<u8>,
        width: u32,
        height: u32,
    },
}

/// The compressed rows of an 8-bit grey, non-interlaced PNG (its IDAT data), or None for any other
/// PNG.
fn png_grey_rows(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut at = 8;
    let (mut size, mut data) = (None, Vec::new());
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = bytes.get(at + 8..at + 8 + len)?;
        match kind {
            b"IHDR" if body.len() == 13 => {
                let w = u32::from_be_bytes(body[0..4].try_into().ok()?);
                let h = u32::from_be_bytes(body[4..8].try_into().ok()?);
                // bit depth 8, colour type 0 (grey), compression 0, filter 0, interlace 0.
                (body[8..13] == [8, 0, 0, 0, 0]).then_some(())?;
                size = Some((w, h));
            }
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let (w, h) = size?;
    (!data.is_empty()).then_some((data, w, h))
}

/// The page as it was read (`rotation` degrees clockwise applied, as OCR did), ready to embed in a
/// PDF: JPEG and 8-bit grey PNG files pass through untouched when not rotated; anything else is
/// decoded and stored as grey PNG rows.
pub fn embeddable(src: &PageSource, rotation: u16) -> Result<Embeddable, InputError> {
    let raw = read(src)?;
    let path = &src.path;
    if rotation == 0 && src.frame == 0 {
        if let Some((data, width, height)) = png_grey_rows(&raw.bytes) {
            return Ok(Embeddable::Flate {
                data,
                width,
                height,
            });
        }
        if raw.bytes.starts_with(&[0xFF, 0xD8]) {
            use image::ImageDecoder;
            let dec = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&raw.bytes))
                .map_err(|e| decode_err(path, e))?;
            let (width, height) = dec.dimensions();
            let components = match dec.color_type() {
                image::ColorType::L8 => Some(1),
                image::ColorType::Rgb8 => Some(3),
                _ => None,
            };
            if let Some(components) = components {
                return Ok(Embeddable::Jpeg {
                    data: raw.bytes,
                    width,
                    height,
                    components,
                });
            }
        }
    }
    let img = rotated(decode(src, &raw.bytes)?, rotation);
    use image::ImageEncoder;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Default,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::L8,
    )
    .map_err(|e| decode_err(path, e))?;
    let (data, width, height) =
        png_grey_rows(&png).ok_or_else(|| decode_err(path, "PNG re-encoding failed"))?;
    Ok(Embeddable::Flate {
        data,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["p10", "p2", "f01", "p002"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["f01", "p2", "p002", "p10"]);
    }
}
