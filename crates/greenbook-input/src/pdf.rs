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

/// The size of page `page` (1-based) in points, from `pdfinfo -box`: the larger of its MediaBox
/// (what `pdftoppm` renders) and CropBox, so that nothing renders larger than this says.
fn page_points(file: &Path, page: u32) -> Result<Option<(f64, f64)>, InputError> {
    let n = page.to_string();
    let info = poppler(
        file,
        "pdfinfo",
        &["-box".into(), "-f".into(), n.clone(), "-l".into(), n],
    )?;
    let mut size: Option<(f64, f64)> = None;
    for l in String::from_utf8_lossy(&info).lines() {
        let Some(rest) = l
            .strip_prefix("Page")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(&page.to_string()))
        else {
            continue;
        };
        let Some(b) = rest
            .trim_start()
            .strip_prefix("MediaBox:")
            .or_else(|| rest.trim_start().strip_prefix("CropBox:"))
        else {
            continue;
        };
        let v: Vec<f64> = b
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if let [x1, y1, x2, y2] = v[..] {
            let (w, h) = ((x2 - x1).abs(), (y2 - y1).abs());
            let (bw, bh) = size.unwrap_or((0.0, 0.0));
            size = Some((w.max(bw), h.max(bh)));
        }
    }
    Ok(size.filter(|(w, h)| w.is_finite() && h.is_finite()))
}

/// Refuses a page that would render above [`super::MAX_PIXELS`] at `dpi`, before it is rendered.
fn check_page_size(file: &Path, shown: &Path, page: u32, dpi: f32) -> Result<(), InputError> {
    let Some((w, h)) = page_points(file, page)? else {
        return Ok(());
    };
    let px = |pt: f64| (pt * dpi as f64 / 72.0).ceil();
    let (pw, ph) = (px(w), px(h));
    if pw * ph > super::MAX_PIXELS as f64 {
        return Err(InputError::PdfTooLarge {
            path: shown.into(),
            inches: format!("{:.1}×{:.1}", w / 72.0, h / 72.0),
            dpi,
            width: pw.min(u64::MAX as f64) as u64,
            height: ph.min(u64::MAX as f64) as u64,
        });
    }
    Ok(())
}

/// The image of page `frame` (0-based) of `file`, rendered in grey at the resolution of its largest
/// image, after its size at that resolution is checked. `shown` names the page in messages. With
/// `keep`, a page already rendered there in this run is read back instead, and a page rendered now
/// is kept there (an 8-bit grey PNG, fast compression), so each page is rendered once per run.
pub fn page_image(
    file: &Path,
    shown: &Path,
    bytes: &[u8],
    frame: u32,
    keep: Option<&Path>,
) -> Result<GrayImage, InputError> {
    if encrypted(bytes) {
        return Err(decode_err(
            shown,
            "encrypted PDF: decrypt it first (e.g. qpdf --decrypt)",
        ));
    }
    if let Some(img) = keep
        .and_then(|k| image::open(k).ok())
        .map(|i| i.into_luma8())
    {
        return Ok(img);
    }
    let page = frame + 1;
    let dpi = page_dpi(file, page)?.unwrap_or(DEFAULT_DPI);
    check_page_size(file, shown, page, dpi)?;
    let n = page.to_string();
    let pgm = poppler(
        file,
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
        .ok_or_else(|| decode_err(shown, format!("PDF page {page}: pdftoppm gave no image")))?;
    check_size(shown, img.width(), img.height())?;
    if let Some(k) = keep
        && let Ok(png) = super::grey_png(&img, image::codecs::png::CompressionType::Fast)
    {
        // A page that cannot be kept is rendered again when next needed: not an error.
        let _ = crate::io::write_file(k, &png);
    }
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
