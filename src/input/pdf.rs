//! Scanned PDFs: each page's embedded image is taken out as it is (JPEG, or Flate-compressed grey
//! or RGB pixels) — no rasteriser needed. Encrypted PDFs and pages without an image are refused with
//! a message that says what to do instead.

use std::path::Path;

use image::GrayImage;
use lopdf::{Document, Object};

use super::{InputError, check_size, decode_err};

/// Whether `bytes` look like a PDF.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Number of pages (1 when the file cannot be parsed: that page then carries the error).
pub fn page_count(path: &Path) -> u32 {
    let Ok(bytes) = std::fs::read(path) else {
        return 1;
    };
    Document::load_mem(&bytes)
        .map(|d| (d.get_pages().len() as u32).max(1))
        .unwrap_or(1)
}

fn open(path: &Path, bytes: &[u8]) -> Result<Document, InputError> {
    let doc = Document::load_mem(bytes).map_err(|e| {
        if bytes.windows(8).any(|w| w == b"/Encrypt") {
            decode_err(
                path,
                "encrypted PDF: decrypt it first (e.g. qpdf --decrypt)",
            )
        } else {
            decode_err(path, format!("not a readable PDF: {e}"))
        }
    })?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(decode_err(
            path,
            "encrypted PDF: decrypt it first (e.g. qpdf --decrypt)",
        ));
    }
    Ok(doc)
}

/// The image of page `frame` (0-based): the largest image on the page.
pub fn page_image(path: &Path, bytes: &[u8], frame: u32) -> Result<GrayImage, InputError> {
    let doc = open(path, bytes)?;
    let pages = doc.get_pages();
    let Some(&page_id) = pages.get(&(frame + 1)) else {
        return Err(decode_err(path, format!("PDF has no page {}", frame + 1)));
    };
    let no_image = || {
        decode_err(
            path,
            format!(
                "PDF page {} has no embedded image: only scanned PDFs (an image per page) are read; \
                 rasterise other PDFs first (e.g. pdftoppm -r 300 -png)",
                frame + 1
            ),
        )
    };
    let (own, inherited) = doc.get_page_resources(page_id);
    let mut dicts: Vec<&lopdf::Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    let mut best: Option<&lopdf::Stream> = None;
    let area = |s: &lopdf::Stream| {
        let n = |k: &[u8]| s.dict.get(k).and_then(Object::as_i64).unwrap_or(0);
        n(b"Width") * n(b"Height")
    };
    for res in dicts {
        let Ok(xobjects) = res.get(b"XObject") else {
            continue;
        };
        let Ok((_, xobjects)) = doc.dereference(xobjects) else {
            continue;
        };
        let Ok(xobjects) = xobjects.as_dict() else {
            continue;
        };
        for (_, x) in xobjects.iter() {
            let Ok((_, obj)) = doc.dereference(x) else {
                continue;
            };
            let Ok(stream) = obj.as_stream() else {
                continue;
            };
            let is_image =
                matches!(stream.dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Image");
            if is_image && best.is_none_or(|b| area(stream) > area(b)) {
                best = Some(stream);
            }
        }
    }
    let stream = best.ok_or_else(no_image)?;
    let num = |k: &[u8]| stream.dict.get(k).and_then(Object::as_i64).unwrap_or(0);
    let (w, h) = (num(b"Width") as u32, num(b"Height") as u32);
    check_size(path, w, h)?;
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    if filters.iter().any(|f| f == b"DCTDecode") {
        let img = image::load_from_memory_with_format(&stream.content, image::ImageFormat::Jpeg)
            .map_err(|e| decode_err(path, format!("PDF page {}: JPEG image: {e}", frame + 1)))?;
        return Ok(img.to_luma8());
    }
    if let Some(f) = filters.iter().find(|f| f.as_slice() != b"FlateDecode") {
        return Err(decode_err(
            path,
            format!(
                "PDF page {}: image encoding {} is not supported (JPEG and Flate are)",
                frame + 1,
                String::from_utf8_lossy(f)
            ),
        ));
    }
    let data = if filters.is_empty() {
        stream.content.clone()
    } else {
        stream
            .decompressed_content()
            .map_err(|e| decode_err(path, format!("PDF page {}: {e}", frame + 1)))?
    };
    if num(b"BitsPerComponent") != 8 {
        return Err(decode_err(
            path,
            format!("PDF page {}: only 8-bit images are supported", frame + 1),
        ));
    }
    let px = w as usize * h as usize;
    let grey: Vec<u8> = if data.len() >= px * 3 {
        data.chunks(3)
            .take(px)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect()
    } else if data.len() >= px {
        data[..px].to_vec()
    } else {
        return Err(decode_err(
            path,
            format!("PDF page {}: image data shorter than its size", frame + 1),
        ));
    };
    GrayImage::from_raw(w, h, grey).ok_or_else(|| decode_err(path, "bad image size"))
}
