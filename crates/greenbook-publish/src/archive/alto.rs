//! ALTO 4.4 XML per page (`--alto-dir`; `run` writes `output/alto/`): the page's text as
//! [`crate::ocr::runs`] places it — TextBlock › TextLine › String with pixel boxes, word confidence WC
//! (0–1) and, where the engine knows them, character confidences CC (0 sure … 9 unsure). Validated
//! against the official schema in `tests/integration/archive.rs`.

use std::fmt::Write;
use std::path::Path;

use crate::ReportError;
use crate::io::FileError;
use crate::io::write_atomic;
use crate::ocr::PageOcr;
use crate::ocr::runs::{Run, page_lines};
use crate::text::escape_xml;

/// ALTO's CC: one digit per character, 0 sure … 9 unsure, from confidences 0–100.
fn cc(confs: &[u8]) -> String {
    let digit = |c: u8| (u32::from(100 - c.min(100)) * 9).div_ceil(100).to_string();
    confs
        .iter()
        .map(|&c| digit(c))
        .collect::<Vec<_>>()
        .join(" ")
}

fn boxed(x: u32, y: u32, w: u32, h: u32) -> String {
    format!("HPOS=\"{x}\" VPOS=\"{y}\" WIDTH=\"{w}\" HEIGHT=\"{h}\"")
}

fn string(out: &mut String, id: &str, r: &Run) {
    let _ = write!(
        out,
        "          <String ID=\"{id}\" {} CONTENT=\"{}\"",
        boxed(r.x, r.y, r.w, r.h),
        escape_xml(&r.text)
    );
    if r.conf >= 0.0 {
        let _ = write!(out, " WC=\"{:.2}\"", (r.conf / 100.0).clamp(0.0, 1.0));
    }
    if !r.char_conf.is_empty() && r.char_conf.len() == r.text.chars().count() {
        let _ = write!(out, " CC=\"{}\"", cc(&r.char_conf));
    }
    out.push_str("/>\n");
}

/// The ALTO document of one page. `index` is the page's place in the book (PHYSICAL_IMG_NR, from 1).
pub fn page_alto(p: &PageOcr, index: usize) -> String {
    let (width, height) = (p.width.unwrap_or(0), p.height.unwrap_or(0));
    let file = crate::io::file_name(&p.reading.file);
    let mut out = String::new();
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\" \
         xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-4.xsd\">\n",
    );
    let _ = write!(
        out,
        "  <Description>\n    <MeasurementUnit>pixel</MeasurementUnit>\n    <sourceImageInformation>\n      <fileName>{}</fileName>\n    </sourceImageInformation>\n",
        escape_xml(&file)
    );
    let _ = write!(
        out,
        "    <OCRProcessing ID=\"OCR_0\">\n      <ocrProcessingStep>\n        <processingStepSettings>{}; rotation {}; frame {}</processingStepSettings>\n        <processingSoftware>\n          <softwareName>greenbook</softwareName>\n          <softwareVersion>{}</softwareVersion>\n          <applicationDescription>OCR of scanned book pages; engine and settings above</applicationDescription>\n        </processingSoftware>\n      </ocrProcessingStep>\n    </OCRProcessing>\n  </Description>\n",
        escape_xml(&p.reading.engine),
        p.reading.rotation,
        p.reading.frame,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "  <Layout>\n    <Page ID=\"page_{index}\" PHYSICAL_IMG_NR=\"{index}\" PRINTED_IMG_NR=\"{}\" WIDTH=\"{width}\" HEIGHT=\"{height}\" PROCESSING=\"OCR_0\" LANG=\"zh-CN\">",
        escape_xml(&p.reading.label)
    );
    let _ = writeln!(out, "      <PrintSpace {}>", boxed(0, 0, width, height));
    let lines = page_lines(&p.words);
    let mut i = 0;
    let (mut nb, mut nl, mut ns) = (0, 0, 0);
    while i < lines.len() {
        let block = lines[i].block;
        let end = lines[i..]
            .iter()
            .position(|l| l.block != block)
            .map_or(lines.len(), |k| i + k);
        let ls = &lines[i..end];
        let x0 = ls.iter().map(|l| l.x).min().unwrap_or(0);
        let y0 = ls.iter().map(|l| l.y).min().unwrap_or(0);
        let x1 = ls.iter().map(|l| l.x + l.w).max().unwrap_or(0);
        let y1 = ls.iter().map(|l| l.y + l.h).max().unwrap_or(0);
        nb += 1;
        let _ = writeln!(
            out,
            "      <TextBlock ID=\"block_{nb}\" {}>",
            boxed(x0, y0, x1 - x0, y1 - y0)
        );
        for l in ls {
            nl += 1;
            let _ = writeln!(
                out,
                "        <TextLine ID=\"line_{nl}\" {}>",
                boxed(l.x, l.y, l.w, l.h)
            );
            for (k, r) in l.runs.iter().enumerate() {
                ns += 1;
                string(&mut out, &format!("string_{ns}"), r);
                if r.space_after && k + 1 < l.runs.len() {
                    let next = &l.runs[k + 1];
                    let sx = r.x + r.w;
                    let _ = writeln!(
                        out,
                        "          <SP HPOS=\"{sx}\" VPOS=\"{}\" WIDTH=\"{}\"/>",
                        r.y,
                        next.x.saturating_sub(sx)
                    );
                }
            }
            out.push_str("        </TextLine>\n");
        }
        out.push_str("      </TextBlock>\n");
        i = end;
    }
    out.push_str("      </PrintSpace>\n    </Page>\n  </Layout>\n</alto>\n");
    out
}

/// A page's ALTO file as a link from the output folder's root (`alto/<label>.xml`, encoded), as METS
/// and the IIIF manifest give it.
pub fn href(label: &str) -> String {
    format!("alto/{}", super::iiif::url_segment(&format!("{label}.xml")))
}

/// Writes `<label>.xml` per page that was read into `dir` (a failed page has none; `run` removes one
/// an earlier run wrote, see [`crate::io::outputs::Ledger`]); returns each file with its SHA-256, its
/// path given as `alto/<label>.xml` for METS.
pub fn write_alto_dir(
    pages: &[PageOcr],
    dir: &Path,
) -> Result<Vec<super::mets::AltoFile>, ReportError> {
    std::fs::create_dir_all(dir).map_err(FileError::write(dir))?;
    let mut written = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        if p.reading.error.is_some() || p.width.is_none() {
            continue;
        }
        let path = super::confined(dir, &p.reading.label, ".xml")?;
        let xml = page_alto(p, i + 1);
        write_atomic(&path, xml.as_bytes())?;
        written.push(super::mets::AltoFile {
            label: p.reading.label.clone(),
            path: href(&p.reading.label),
            sha256: crate::io::sha256_hex(xml.as_bytes()),
        });
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_confidence_maps_sure_to_0_and_unsure_to_9() {
        assert_eq!(cc(&[100, 95, 50, 0]), "0 1 5 9");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
