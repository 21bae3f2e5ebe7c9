//! Scanned PDFs, whatever wrote them: each page is rendered by poppler (`pdftoppm`, Debian
//! `poppler-utils`) at the resolution of the largest image on it (`pdfimages -list`), so a page that
//! is one scanned image comes back at its own pixels whatever its encoding (Flate with predictors,
//! DCT, JPX, CCITT G4, JBIG2, image masks, indirect parameters), and pages with several images, a text
//! layer or vector content are rendered whole. Encrypted PDFs are refused with a message that says
//! what to do instead.

use std::path::Path;
use std::process::Command;

use image::GrayImage;

use super::{InputError, check_size, decode_err};

/// The resolution a page without any image is rendered at.
const DEFAULT_DPI: f32 = 300.0;

/// Whether `bytes` look like a PDF.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

fn encrypted(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

/// Runs a poppler tool and returns its standard output, or a message naming the tool and page.
fn poppler(path: &Path, tool: &str, args: &[String]) -> Result<Vec<u8>, InputError> {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .output()
        .map_err(|e| {
            decode_err(
                path,
                format!("cannot run {tool} (install poppler-utils: ./scripts/setup.sh): {e}"),
            )
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("failed");
        return Err(decode_err(
            path,
            format!("not a readable PDF ({tool}: {first})"),
        ));
    }
    Ok(out.stdout)
}

/// Number of pages (1 when the file cannot be read: that page then carries the error).
pub fn page_count(path: &Path) -> u32 {
    poppler(path, "pdfinfo", &[])
        .ok()
        .and_then(|out| {
            String::from_utf8_lossy(&out)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse::<u32>()))
                .and_then(Result::ok)
        })
        .unwrap_or(1)
        .max(1)
}

/// The resolution of the largest image on page `page` (1-based), from `pdfimages -list`: its columns
/// are page, num, type, width, height, color, comp, bpc, enc, interp, object, ID, x-ppi, y-ppi, ….
fn page_dpi(path: &Path, page: u32) -> Result<Option<f32>, InputError> {
    let n = page.to_string();
    let list = poppler(
        path,
        "pdfimages",
        &["-list".into(), "-f".into(), n.clone(), "-l".into(), n],
    )?;
    let best = String::from_utf8_lossy(&list)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            (c.len() >= 14 && c[2] == "image").then_some(())?;
            let area = c[3].parse::<u64>().ok()? * c[4].parse::<u64>().ok()?;
            let ppi = c[12].parse::<f32>().ok()?.max(c[13].parse::<f32>().ok()?);
            Some((area, ppi))
        })
        .max_by_key(|(area, _)| *area)
        .map(|(_, ppi)| ppi);
    Ok(best.filter(|p| p.is_finite() && *p >= 50.0 && *p <= 1200.0))
}

/// A binary PGM (P5, 8-bit) as `pdftoppm -gray` writes it.
fn parse_pgm(data: &[u8]) -> Option<GrayImage> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while i < data.len() && data[i].is_ascii_whitespace() {
            i += 1;
        }
        if data.get(i) == Some(&b'#') {
            while i < data.len() && data[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < data.len() && !data[i].is_ascii_whitespace() {
            i += 1;
        }
        if start == i {
            return None;
        }
        fields.push(std::str::from_utf8(&data[start..i]).ok()?);
    }
    let (w, h, max): (u32, u32, u32) = (
        fields[1].parse().ok()?,
        fields[2].parse().ok()?,
        fields[3].parse().ok()?,
    );
    let px = data.get(i + 1..)?;
    (fields[0] == "P5" && max == 255 && px.len() >= (w as usize) * (h as usize))
        .then(|| GrayImage::from_raw(w, h, px[..(w as usize) * (h as usize)].to_vec()))
        .flatten()
}

/// The image of page `frame` (0-based), rendered in grey at the resolution of its largest image.
pub fn page_image(path: &Path, bytes: &[u8], frame: u32) -> Result<GrayImage, InputError> {
    if encrypted(bytes) {
        return Err(decode_err(
            path,
            "encrypted PDF: decrypt it first (e.g. qpdf --decrypt)",
        ));
    }
    let page = frame + 1;
    let dpi = page_dpi(path, page)?.unwrap_or(DEFAULT_DPI);
    let n = page.to_string();
    let pgm = poppler(
        path,
        "pdftoppm",
        &[
            "-f".into(),
            n.clone(),
            "-l".into(),
            n,
            "-r".into(),
            format!("{dpi}"),
            "-gray".into(),
            "-singlefile".into(),
        ],
    )?;
    let img = parse_pgm(&pgm)
        .ok_or_else(|| decode_err(path, format!("PDF page {page}: pdftoppm gave no image")))?;
    check_size(path, img.width(), img.height())?;
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgm_with_comment_is_parsed() {
        let mut data = b"P5\n# poppler\n3 2\n255\n".to_vec();
        data.extend([0, 1, 2, 3, 4, 5]);
        let img = parse_pgm(&data).unwrap();
        assert_eq!((img.width(), img.height()), (3, 2));
        assert_eq!(img.get_pixel(2, 1).0, [5]);
        assert!(parse_pgm(b"P6\n1 1\n255\nabc").is_none());
        assert!(parse_pgm(b"P5\n4 4\n255\nab").is_none());
    }
}
