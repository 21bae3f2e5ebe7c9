//! hOCR made from words and lines, for engines that do not write it themselves.

use crate::runs;
use crate::{LineBox, Word};

/// The hOCR body of a page (as Tesseract's `GetHOCRText` gives it: an `ocr_page` div) from words and
/// their lines, for engines that do not write hOCR themselves. Blocks, paragraphs and lines follow the
/// words' numbering; a line's box is its layout box when known, else its words' extent.
pub fn hocr_from_words(words: &[Word], lines: &[LineBox], width: u32, height: u32) -> String {
    use std::fmt::Write;
    let esc = crate::text::escape_xml;
    let bbox = |x: u32, y: u32, w: u32, h: u32| format!("bbox {x} {y} {} {}", x + w, y + h);
    let span = |ws: &[&Word]| {
        let (x, y, w, h) = runs::extent(ws.iter().copied());
        bbox(x, y, w, h)
    };
    let mut out = format!(
        "  <div class='ocr_page' id='page_1' title='{}'>\n",
        bbox(0, 0, width, height)
    );
    let mut i = 0;
    let mut n = 0;
    while i < words.len() {
        let block = words[i].block;
        let end = words[i..]
            .iter()
            .position(|w| w.block != block)
            .map_or(words.len(), |k| i + k);
        let bw: Vec<&Word> = words[i..end].iter().collect();
        n += 1;
        let _ = writeln!(
            out,
            "   <div class='ocr_carea' id='block_{n}' title='{}'>",
            span(&bw)
        );
        let _ = writeln!(
            out,
            "    <p class='ocr_par' id='par_{n}' title='{}'>",
            span(&bw)
        );
        let mut j = 0;
        while j < bw.len() {
            let key = (bw[j].par, bw[j].line);
            let e = bw[j..]
                .iter()
                .position(|w| (w.par, w.line) != key)
                .map_or(bw.len(), |k| j + k);
            let lw = &bw[j..e];
            let title = lines
                .iter()
                .find(|l| (l.block, l.par, l.line) == (block, key.0, key.1))
                .map_or_else(|| span(lw), |l| bbox(l.x, l.y, l.w, l.h));
            n += 1;
            let _ = write!(
                out,
                "     <span class='ocr_line' id='line_{n}' title='{title}'>"
            );
            for w in lw {
                n += 1;
                let _ = write!(
                    out,
                    "<span class='ocrx_word' id='word_{n}' title='{}; x_wconf {}'>{}</span>",
                    bbox(w.x, w.y, w.w, w.h),
                    w.conf.round() as i32,
                    esc(&w.text)
                );
            }
            out.push_str("</span>\n");
            j = e;
        }
        out.push_str("    </p>\n   </div>\n");
        i = end;
    }
    out.push_str("  </div>\n");
    out
}
