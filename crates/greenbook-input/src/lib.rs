//! Stage 1: find and load page images.
//!
//! Pages come from a folder (its `manifest.csv` gives order and labels when present, else file names in
//! natural order) or from a list of files. PNG, JPEG and TIFF (every frame of a multi-page TIFF) and the
//! page images of scanned PDFs are read.

// The earlier stages and the shared leaves, by the names the code uses (`crate::text`, …).
use greenbook_core::{io, text};

mod discover;
pub mod pdf;
pub mod photo;
pub mod scale;
pub mod spread;

pub use discover::{MANIFEST_COLUMNS, discover, natural_key, read_manifest};

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
    #[error(
        "{path}: the page is {inches} inches, {width}×{height} pixels at {dpi} DPI, above the limit of {MAX_PIXELS} pixels (refused before rendering)"
    )]
    PdfTooLarge {
        path: PathBuf,
        inches: String,
        dpi: f32,
        width: u64,
        height: u64,
    },
    #[error("{path}: image is {width}×{height} pixels, too small to hold text")]
    TooSmall {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: {reason}")]
    Refused { path: PathBuf, reason: String },
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

impl PageSource {
    /// Frame `frame` of the file at `path`, labelled `label`, with nothing known of its place in the
    /// book (no manifest row).
    pub fn frame(label: impl Into<String>, path: impl Into<PathBuf>, frame: u32) -> PageSource {
        PageSource {
            label: label.into(),
            path: path.into(),
            frame,
            kind: None,
            district: None,
            contents_title: None,
        }
    }

    /// One page of this image when it is a spread: labelled `<label>-L` or `-R`.
    pub fn half(&self, side: spread::Side) -> PageSource {
        PageSource {
            label: format!("{}-{}", self.label, side.suffix()),
            ..self.clone()
        }
    }

    /// The page's file as messages name it: with the page of a PDF (`book.pdf p. 12`) or the frame
    /// of a TIFF (`multi.tif#37`), counted from 1.
    pub fn shown(&self) -> String {
        let ext = self
            .path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "pdf" => format!("{} p. {}", self.path.display(), self.frame + 1),
            "tif" | "tiff" => format!("{}#{}", self.path.display(), self.frame + 1),
            _ => self.path.display().to_string(),
        }
    }
}

/// A decoded page: 8-bit grey pixels and the sha256 of its source bytes (plus frame).
pub struct PageImage {
    pub image: GrayImage,
    pub sha256: String,
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
/// Only a regular file is read: a FIFO, socket or device named as a page is that page's error (it is
/// opened without blocking, and its type checked on the open file).
pub fn read(src: &PageSource) -> Result<RawPage, InputError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let path = &src.path;
    let io = |source| InputError::Io {
        path: path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(decode_err(
            path,
            format!(
                "not a regular file ({}): only image and PDF files are read",
                kind_of(&meta)
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).map_err(io)?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    if src.frame > 0 {
        hasher.update(src.frame.to_le_bytes());
    }
    let sha256 = crate::io::hex(&hasher.finalize());
    Ok(RawPage { bytes, sha256 })
}

/// What kind of file system object `meta` describes, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

/// Where a PDF page rendered once in a run is kept for the rest of it (OCR, `book.pdf`, the review
/// page's crops): `dir/<sha256>.png`, by the page's hash.
pub fn rendered_png(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(format!("{sha256}.png"))
}

/// Decodes a page to grey pixels, refusing images too large to decode safely or too small to hold
/// text. A PDF page is rendered, or read from `keep` (see [`rendered_png`]) when an earlier stage of
/// the run rendered it there; a page rendered here is kept there.
pub fn decode(
    src: &PageSource,
    bytes: &[u8],
    keep: Option<&Path>,
) -> Result<GrayImage, InputError> {
    let shown = src.shown();
    let path = Path::new(&shown);
    if bytes.is_empty() {
        return Err(decode_err(path, "file is empty (0 bytes)"));
    }
    if pdf::is_pdf(bytes) {
        return pdf::page_image(&src.path, path, bytes, src.frame, keep);
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
    // A phone's photo says in its EXIF data which way up it was taken: honoured.
    let mut decoder = reader.into_decoder().map_err(|e| decode_err(path, e))?;
    use image::ImageDecoder;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| decode_err(path, e))?;
    img.apply_orientation(orientation);
    Ok(img.into_luma8())
}

/// The note a page carries when it is a camera's photo (its EXIF data names the camera) in which no
/// page could be found: it is read as it is, not cut out, made rectangular or evenly lit.
pub const PHOTO_NOT_FOUND: &str = "a camera photo in which no page edge was found: read as it is (not cut out, straightened or evenly lit); photograph the whole page against a darker surface";

/// Whether an image file is a camera's photo: its EXIF data holds the camera's make or model (tag
/// 0x010F or 0x0110, as ASCII), as phones and cameras write and scanners' TIFF and PNG pages do not.
pub fn camera_photo(bytes: &[u8]) -> bool {
    use image::ImageDecoder;
    let Some(exif) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_decoder().ok())
        .and_then(|mut d| d.exif_metadata().ok().flatten())
    else {
        return false;
    };
    // An IFD entry: tag, then type 2 (ASCII), in the file's byte order.
    let (ii, mm) = ([0x0F, 0x01, 0x02, 0x00], [0x01, 0x0F, 0x00, 0x02]);
    let (ii2, mm2) = ([0x10, 0x01, 0x02, 0x00], [0x01, 0x10, 0x00, 0x02]);
    exif.windows(4)
        .any(|w| w == ii || w == mm || w == ii2 || w == mm2)
}

/// Whether an image file's EXIF data asks for it to be turned or flipped.
fn exif_turned(bytes: &[u8]) -> bool {
    use image::ImageDecoder;
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_decoder().ok())
        .and_then(|mut d| d.orientation().ok())
        .is_some_and(|o| o != image::metadata::Orientation::NoTransforms)
}

/// Reads and decodes a page; a PDF page rendered earlier in the run is taken from `rendered` (the
/// folder of [`rendered_png`]).
pub fn load(src: &PageSource, rendered: Option<&Path>) -> Result<PageImage, InputError> {
    let raw = read(src)?;
    let keep = rendered.map(|d| rendered_png(d, &raw.sha256));
    Ok(PageImage {
        image: decode(src, &raw.bytes, keep.as_deref())?,
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

/// How OCR turned a page before reading it: levelled by `deskew_deg` (see [`deskewed`]), then
/// turned `rotation` degrees clockwise. Its word boxes refer to the image so made.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AsRead {
    /// The page found in a photo, rectified and its light flattened.
    pub photo: Option<photo::Quad>,
    /// The page of a spread it is.
    pub half: Option<spread::Half>,
    pub rotation: u16,
    pub deskew_deg: Option<f32>,
}

impl AsRead {
    /// `img` made as OCR read it.
    pub fn apply(self, img: GrayImage) -> GrayImage {
        let img = match &self.photo {
            Some(q) => photo::flatten_light(&photo::rectify(&img, q)),
            None => img,
        };
        let img = match self.half {
            Some(h) => h.crop(&img),
            None => img,
        };
        let level = match self.deskew_deg {
            Some(a) => deskewed(&img, a),
            None => img,
        };
        rotated(level, self.rotation)
    }

    /// Whether the image is read as it is in its file.
    pub fn untouched(self) -> bool {
        self.rotation == 0
            && self.deskew_deg.is_none()
            && self.half.is_none()
            && self.photo.is_none()
    }
}

/// The page's pixels as OCR read them (`how` applied): the image its word boxes refer to.
pub fn load_as_read(
    src: &PageSource,
    how: AsRead,
    rendered: Option<&Path>,
) -> Result<GrayImage, InputError> {
    Ok(how.apply(load(src, rendered)?.image))
}

/// `img` levelled: turned by `skew_deg` counter-clockwise about its centre (a page whose lines
/// descend to the right by that angle comes out level), same size, bilinear, the corners filled
/// with the page's paper shade.
pub fn deskewed(img: &GrayImage, skew_deg: f32) -> GrayImage {
    let (w, h) = (img.width(), img.height());
    if w < 2 || h < 2 {
        return img.clone();
    }
    let paper = {
        let mut v: Vec<u8> = img.as_raw().iter().step_by(97).copied().collect();
        v.sort_unstable();
        v.get(v.len() * 9 / 10).copied().unwrap_or(255)
    };
    let (sin, cos) = skew_deg.to_radians().sin_cos();
    let (cx, cy) = ((w - 1) as f32 / 2.0, (h - 1) as f32 / 2.0);
    let raw = img.as_raw();
    let wi = w as usize;
    let mut out = vec![paper; wi * h as usize];
    for (y, row) in out.chunks_exact_mut(wi).enumerate() {
        let dy = y as f32 - cy;
        for (x, px) in row.iter_mut().enumerate() {
            let dx = x as f32 - cx;
            let sx = cos * dx - sin * dy + cx;
            let sy = sin * dx + cos * dy + cy;
            if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx as usize, sy as usize);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let i = y0 * wi + x0;
            let top = raw[i] as f32 * (1.0 - fx) + raw[i + 1] as f32 * fx;
            let bot = raw[i + wi] as f32 * (1.0 - fx) + raw[i + wi + 1] as f32 * fx;
            *px = (top * (1.0 - fy) + bot * fy).round() as u8;
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_else(|| img.clone())
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

/// The page as it was read (levelled and turned as OCR did, see [`AsRead`]), ready to embed in a
/// PDF: JPEG and 8-bit grey PNG files pass through untouched when read as they are; anything else is
/// decoded and stored as grey PNG rows.
pub fn embeddable(
    src: &PageSource,
    how: AsRead,
    rendered: Option<&Path>,
) -> Result<Embeddable, InputError> {
    let raw = read(src)?;
    let path = &src.path;
    let keep = rendered.map(|d| rendered_png(d, &raw.sha256));
    if how.untouched() && pdf::is_pdf(&raw.bytes) {
        // A page rendered earlier in the run is kept as an 8-bit grey PNG: its rows go in as they are.
        let kept = || {
            let png = std::fs::read(keep.as_deref()?).ok()?;
            let (data, width, height) = png_grey_rows(&png)?;
            Some(Embeddable::Flate {
                data,
                width,
                height,
            })
        };
        if let Some(e) = kept() {
            return Ok(e);
        }
        let img = decode(src, &raw.bytes, keep.as_deref())?;
        return kept().map_or_else(|| flate(path, &img), Ok);
    }
    if how.untouched() && src.frame == 0 && !exif_turned(&raw.bytes) {
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
    let img = how.apply(decode(src, &raw.bytes, keep.as_deref())?);
    flate(path, &img)
}

/// An 8-bit grey PNG of `img`.
pub fn grey_png(
    img: &GrayImage,
    compression: image::codecs::png::CompressionType,
) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        compression,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::L8,
    )
    .map_err(|e| e.to_string())?;
    Ok(png)
}

/// `img` as PNG rows for a PDF.
fn flate(path: &Path, img: &GrayImage) -> Result<Embeddable, InputError> {
    let png = grey_png(img, image::codecs::png::CompressionType::Default)
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
    fn a_levelled_page_is_turned_back_by_its_skew() {
        // A line descending to the right by 2°: after deskewing by 2° its ends are level.
        let mut img = GrayImage::from_pixel(400, 300, image::Luma([250]));
        let t = 2f32.to_radians().tan();
        for x in 50..350u32 {
            let y = (150.0 + (x as f32 - 200.0) * t).round() as u32;
            for dy in 0..3 {
                img.put_pixel(x, y + dy, image::Luma([0]));
            }
        }
        let level = deskewed(&img, 2.0);
        let row_of = |x: u32| {
            (0..300)
                .filter(|&y| level.get_pixel(x, y).0[0] < 128)
                .map(|y| y as f32)
                .sum::<f32>()
                / (0..300)
                    .filter(|&y| level.get_pixel(x, y).0[0] < 128)
                    .count()
                    .max(1) as f32
        };
        assert!(
            (row_of(80) - row_of(320)).abs() < 1.0,
            "{} {}",
            row_of(80),
            row_of(320)
        );
        assert_eq!(level.get_pixel(0, 0).0[0], 250, "corners filled with paper");
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["p10", "p2", "f01", "p002"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["f01", "p2", "p002", "p10"]);
    }
}
