//! `output/book.pdf`: the volume as an archive publishes it. Every page image as it was scanned (JPEG
//! and grey PNG data pass through untouched), an invisible text layer that carries exactly the page
//! text on the OCR word boxes ([`crate::ocr::runs`]), an outline of districts › cases, `/PageLabels`
//! with the printed folios, and the metadata PDF/A-2b asks for (XMP with the PDF/A identification, an
//! sRGB output intent, the text font embedded). What is missing for PDF/A is listed in the README.
//!
//! The text layer's font is a glyphless TrueType font (one empty glyph, one em wide), embedded as a
//! CID font whose CIDs are numbered in order of first use and map to Unicode through `/ToUnicode`.
//! Each run is drawn in rendering mode 3 (invisible) and stretched with horizontal scaling to its box;
//! a run without a space after it reaches to the next run of its line, so text extraction reads the
//! line without spaces between CJK characters.

use std::collections::BTreeMap;
use std::path::Path;

use pdf_writer::types::{
    CidFontType, FontFlags, NumberingStyle, OutputIntentSubtype, SystemInfo, TextRenderingMode,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::ReportError;
use crate::dataset::Dataset;
use crate::input::Embeddable;
use crate::io::FileError;
use crate::ocr::PageOcr;
use crate::ocr::runs::page_lines;

/// The glyphless font of the text layer (`scripts/make-glyphless-font.py`).
const GLYPHLESS: &[u8] = include_bytes!("glyphless.ttf");
/// sRGB (LittleCMS's built-in profile), for the PDF/A output intent.
const SRGB: &[u8] = include_bytes!("srgb.icc");
/// The book's editors as its title page prints them, from the edition file.
fn book_authors() -> String {
    format!("{} 编", crate::edition::current().book.editors.join(", "))
}

/// What was written.
#[derive(Debug, Clone)]
pub struct BookPdf {
    pub pages: usize,
    pub bytes: usize,
    /// Pages left out because their image could not be read again (label, message).
    pub skipped: Vec<(String, String)>,
    /// The page images also written for the IIIF viewer, in book order (when asked for).
    pub images: Vec<super::iiif::PageImage>,
}

/// A page's `/PageLabels` entry: printed folio `pNNN` → decimal NNN, front matter `fNN` → roman
/// numeral NN, anything else → the label itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Folio {
    Decimal(u32),
    Roman(u32),
    Named(String),
}

/// The folio a page label stands for.
pub fn folio(label: &str) -> Folio {
    let num = |prefix: char| {
        label
            .strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|n| *n > 0)
    };
    if let Some(n) = num('p') {
        Folio::Decimal(n)
    } else if let Some(n) = num('f') {
        Folio::Roman(n)
    } else {
        Folio::Named(label.to_string())
    }
}

/// The label ranges: (index of the range's first page, the folio it starts with). A numbered range
/// continues while the numbers go up by one.
fn label_ranges(labels: &[&str]) -> Vec<(usize, Folio)> {
    let mut out: Vec<(usize, Folio)> = Vec::new();
    let mut prev: Option<Folio> = None;
    for (i, l) in labels.iter().enumerate() {
        let f = folio(l);
        let continues = match (&prev, &f) {
            (Some(Folio::Decimal(a)), Folio::Decimal(b)) => *b == a + 1,
            (Some(Folio::Roman(a)), Folio::Roman(b)) => *b == a + 1,
            _ => false,
        };
        if !continues {
            out.push((i, f.clone()));
        }
        prev = Some(f);
    }
    out
}

/// Outline entries: (district, index of its first page, [(case title, index of its first page)]),
/// in page order: the structure the IIIF ranges and METS follow ([`super::iiif::structure`]).
type Outline = Vec<(String, usize, Vec<(String, usize)>)>;

fn outline(ds: &Dataset, labels: &[&str]) -> Outline {
    super::iiif::structure(ds, labels)
        .into_iter()
        .filter_map(|d| {
            let first = d.first()?;
            let cases = d.cases.into_iter().map(|c| (c.title, c.pages[0])).collect();
            Some((d.name, first, cases))
        })
        .collect()
}

/// Points per pixel for a page: from the resolution its text height tells (300 DPI for the book's
/// body text), the same estimate OCR scales by.
fn points_per_px(p: &PageOcr) -> f32 {
    72.0 / crate::ocr::preprocess::source_dpi(p.reading.text_height_px)
}

/// Writes `path`. `date` becomes the creation date when given; without it the file has no date, so
/// reruns are identical.
pub fn write_book_pdf(
    path: &Path,
    pages: &[PageOcr],
    ds: &Dataset,
    date: Option<crate::Date>,
    rendered: Option<&Path>,
    // Where to write each page image for the IIIF manifest too (`iiif/pages/`), read once for both.
    image_dir: Option<&Path>,
) -> Result<BookPdf, ReportError> {
    let mut alloc = Ref::new(1);
    let mut next = || alloc.bump();
    // The document's own objects first, in this order (`from_fn` takes them in index order).
    let [
        catalog,
        tree,
        font,
        cid_font,
        descriptor,
        font_file,
        cid_map,
        to_unicode,
        info,
        xmp,
        icc,
        outline_root,
    ]: [Ref; 12] = std::array::from_fn(|_| next());
    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    let mut body = Pages::default();
    if let Some(dir) = image_dir {
        std::fs::create_dir_all(dir).map_err(FileError::write(dir))?;
    }
    for p in pages {
        body.add(&mut pdf, &mut next, (tree, font), p, rendered, image_dir)?;
    }
    let Pages {
        cids,
        refs: page_refs,
        labels,
        skipped,
        images,
    } = body;
    pdf.pages(tree)
        .kids(page_refs.iter().copied())
        .count(page_refs.len() as i32);
    write_font(
        &mut pdf,
        &cids,
        [font, cid_font, descriptor, font_file, cid_map, to_unicode],
    );
    let has_outline = write_outline(&mut pdf, &mut next, outline_root, ds, &labels, &page_refs);
    let label_ids = write_page_labels(&mut pdf, &mut next, &labels);
    write_metadata(&mut pdf, info, xmp, icc, date);
    let catalog = Catalog {
        id: catalog,
        tree,
        xmp,
        icc,
        outline: has_outline.then_some(outline_root),
    };
    catalog.write(&mut pdf, &label_ids);
    let id = file_id(pages);
    pdf.set_file_id((id.clone(), id));
    let bytes = pdf.finish();
    crate::io::write_atomic(path, &bytes)?;
    Ok(BookPdf {
        pages: page_refs.len(),
        bytes: bytes.len(),
        skipped,
        images,
    })
}

/// The pages written so far: their objects and labels, the characters their text uses (CIDs in
/// order of first use; 0 stays .notdef), the pages that could not be read, and the IIIF images.
#[derive(Default)]
struct Pages<'a> {
    cids: BTreeMap<char, u16>,
    refs: Vec<Ref>,
    labels: Vec<&'a str>,
    skipped: Vec<(String, String)>,
    images: Vec<super::iiif::PageImage>,
}

impl<'a> Pages<'a> {
    /// Page `p` under the page tree and with the font `(tree, font)`, its image also written into
    /// `image_dir` when given; a page whose image cannot be read is skipped with why.
    fn add(
        &mut self,
        pdf: &mut Pdf,
        next: &mut impl FnMut() -> Ref,
        (tree, font): (Ref, Ref),
        p: &'a PageOcr,
        rendered: Option<&Path>,
        image_dir: Option<&Path>,
    ) -> Result<(), ReportError> {
        let img = match crate::input::embeddable(&p.source(), p.as_read(), rendered) {
            Ok(img) => img,
            Err(e) => {
                self.skipped.push((p.reading.label.clone(), e.to_string()));
                return Ok(());
            }
        };
        if let Some(dir) = image_dir {
            self.images
                .push(super::iiif::write_page_image(dir, p, &img)?);
        }
        let ids = PageIds {
            page: next(),
            content: next(),
            image: next(),
            tree,
            font,
        };
        write_page(pdf, ids, p, &img, &mut self.cids);
        self.refs.push(ids.page);
        self.labels.push(p.reading.label.as_str());
        Ok(())
    }
}

/// The catalog's objects: the page tree, the XMP packet, the output intent's profile and the
/// outline, when there is one.
struct Catalog {
    id: Ref,
    tree: Ref,
    xmp: Ref,
    icc: Ref,
    outline: Option<Ref>,
}

impl Catalog {
    /// The catalog: language, metadata, outline, page labels (`labels`: first page, object) and the
    /// PDF/A output intent.
    fn write(&self, pdf: &mut Pdf, labels: &[(usize, Ref)]) {
        let mut c = pdf.catalog(self.id);
        c.pages(self.tree);
        c.lang(TextStr("zh-CN"));
        c.metadata(self.xmp);
        if let Some(outline) = self.outline {
            c.outlines(outline);
            c.page_mode(pdf_writer::types::PageMode::UseOutlines);
        }
        {
            let mut nums = c.page_labels();
            let mut entries = nums.nums();
            for (start, id) in labels {
                entries.insert(*start as i32, *id);
            }
        }
        let mut intents = c.output_intents();
        let mut intent = intents.push();
        intent.subtype(OutputIntentSubtype::PDFA);
        intent.output_condition_identifier(TextStr("sRGB IEC61966-2.1"));
        intent.registry_name(TextStr("http://www.color.org"));
        intent.info(TextStr("sRGB IEC61966-2.1"));
        intent.dest_output_profile(self.icc);
    }
}

/// A page's objects, and the page tree and font it refers to.
#[derive(Clone, Copy)]
struct PageIds {
    page: Ref,
    content: Ref,
    image: Ref,
    tree: Ref,
    font: Ref,
}

/// One page: its image, sized by its resolution, and under it the words OCR read, in the glyphless
/// font.
fn write_page(
    pdf: &mut Pdf,
    ids: PageIds,
    p: &PageOcr,
    img: &Embeddable,
    cids: &mut BTreeMap<char, u16>,
) {
    let (w, h) = match img {
        Embeddable::Jpeg { width, height, .. } | Embeddable::Flate { width, height, .. } => {
            (*width, *height)
        }
    };
    let k = points_per_px(p);
    let (pw, ph) = (w as f32 * k, h as f32 * k);
    match img {
        Embeddable::Jpeg {
            data, components, ..
        } => {
            let mut x = pdf.image_xobject(ids.image, data);
            x.filter(Filter::DctDecode);
            x.width(w as i32).height(h as i32).bits_per_component(8);
            x.color_space_name(Name(if *components == 1 {
                b"DeviceGray"
            } else {
                b"DeviceRGB"
            }));
        }
        Embeddable::Flate { data, .. } => {
            let mut x = pdf.image_xobject(ids.image, data);
            x.filter(Filter::FlateDecode);
            x.decode_parms()
                .predictor(pdf_writer::types::Predictor::PngOptimum)
                .colors(1)
                .bits_per_component(8)
                .columns(w as i32);
            x.width(w as i32).height(h as i32).bits_per_component(8);
            x.color_space_name(Name(b"DeviceGray"));
        }
    }
    let mut content = Content::new();
    content.save_state();
    content.transform([pw, 0.0, 0.0, ph, 0.0, 0.0]);
    content.x_object(Name(b"Im0"));
    content.restore_state();
    // The words, when the boxes refer to this image (they do unless OCR failed).
    if p.width == Some(w) && p.height == Some(h) {
        text_layer(&mut content, p, k, ph, cids);
    }
    let content = compress(&content.finish());
    pdf.stream(ids.content, &content)
        .filter(Filter::FlateDecode);
    let mut page = pdf.page(ids.page);
    page.media_box(Rect::new(0.0, 0.0, pw, ph));
    page.parent(ids.tree);
    page.contents(ids.content);
    let mut res = page.resources();
    res.x_objects().pair(Name(b"Im0"), ids.image);
    res.fonts().pair(Name(b"F0"), ids.font);
    res.finish();
    page.finish();
}

/// The outline, districts › cases, under `root`; false when there is none.
fn write_outline(
    pdf: &mut Pdf,
    next: &mut impl FnMut() -> Ref,
    root: Ref,
    ds: &Dataset,
    labels: &[&str],
    page_refs: &[Ref],
) -> bool {
    let tree_entries = outline(ds, labels);
    let district_ids: Vec<Ref> = tree_entries.iter().map(|_| next()).collect();
    let case_ids: Vec<Vec<Ref>> = tree_entries
        .iter()
        .map(|(_, _, cs)| cs.iter().map(|_| next()).collect())
        .collect();
    let (Some(&first), Some(&last)) = (district_ids.first(), district_ids.last()) else {
        return false;
    };
    let mut o = pdf.outline(root);
    o.first(first);
    o.last(last);
    o.count(district_ids.len() as i32);
    o.finish();
    for (i, (district, page, cases)) in tree_entries.iter().enumerate() {
        let mut item = pdf.outline_item(district_ids[i]);
        item.title(TextStr(district));
        item.parent(root);
        if i > 0 {
            item.prev(district_ids[i - 1]);
        }
        if let Some(n) = district_ids.get(i + 1) {
            item.next(*n);
        }
        if let (Some(f), Some(l)) = (case_ids[i].first(), case_ids[i].last()) {
            item.first(*f);
            item.last(*l);
            item.count(-(case_ids[i].len() as i32));
        }
        item.dest().page(page_refs[*page]).fit();
        item.finish();
        for (j, (title, cpage)) in cases.iter().enumerate() {
            let mut c = pdf.outline_item(case_ids[i][j]);
            c.title(TextStr(title));
            c.parent(district_ids[i]);
            if j > 0 {
                c.prev(case_ids[i][j - 1]);
            }
            if let Some(n) = case_ids[i].get(j + 1) {
                c.next(*n);
            }
            c.dest().page(page_refs[*cpage]).fit();
        }
    }
    true
}

/// The page labels, each range its own object (the number tree holds references): the first page
/// of each range, with its object.
fn write_page_labels(
    pdf: &mut Pdf,
    next: &mut impl FnMut() -> Ref,
    labels: &[&str],
) -> Vec<(usize, Ref)> {
    let ranges = label_ranges(labels);
    let label_ids: Vec<Ref> = ranges.iter().map(|_| next()).collect();
    for ((_, f), id) in ranges.iter().zip(&label_ids) {
        let mut l = pdf.indirect(*id).start::<pdf_writer::writers::PageLabel>();
        match f {
            Folio::Decimal(n) => {
                l.style(NumberingStyle::Arabic).offset(*n as i32);
            }
            Folio::Roman(n) => {
                l.style(NumberingStyle::LowerRoman).offset(*n as i32);
            }
            Folio::Named(s) => {
                l.prefix(TextStr(s));
            }
        }
    }
    ranges
        .iter()
        .map(|(start, _)| *start)
        .zip(label_ids)
        .collect()
}

/// The document information dictionary and the XMP packet, which must agree (PDF/A), and the sRGB
/// profile of the output intent.
fn write_metadata(pdf: &mut Pdf, info: Ref, xmp: Ref, icc: Ref, date: Option<crate::Date>) {
    let producer = format!("greenbook {}", env!("CARGO_PKG_VERSION"));
    let title = format!("{}（OCR 文本层）", crate::edition::current().book.title);
    let creator = "greenbook";
    let pdf_date = date.map(|d| (d.year, d.month, d.day));
    {
        let mut i = pdf.document_info(info);
        i.title(TextStr(&title));
        i.author(TextStr(&book_authors()));
        i.creator(TextStr(creator));
        i.producer(TextStr(&producer));
        if let Some((y, m, d)) = pdf_date {
            i.creation_date(pdf_writer::Date::new(y).month(m).day(d));
        }
    }
    let mut x = xmp_writer::XmpWriter::new();
    x.title([(Some(xmp_writer::LangId("x-default")), title.as_str())]);
    x.creator([book_authors().as_str()]);
    x.language([xmp_writer::LangId("zh-CN")]);
    x.format("application/pdf");
    x.producer(&producer);
    x.creator_tool(creator);
    x.pdfa_part(2);
    x.pdfa_conformance("B");
    if let Some((y, m, d)) = pdf_date {
        let when = xmp_writer::DateTime::date(y, m, d);
        x.create_date(when);
        x.metadata_date(when);
    }
    let packet = x.finish(None);
    pdf.metadata(xmp, packet.as_bytes());
    pdf.icc_profile(icc, SRGB).n(3).alternate().srgb();
}

/// The file's identifier: from the pages' contents, so the same book gives the same one.
fn file_id(pages: &[PageOcr]) -> Vec<u8> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in pages {
        h.update(p.reading.sha256.as_deref().unwrap_or(&p.reading.label));
        h.update(&p.reading.text);
    }
    h.finalize()[..16].to_vec()
}

fn compress(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// The page's runs in invisible text: font size the run's height, horizontally scaled to its width
/// (or to the next run when no space separates them), baseline at the box's bottom less the font's
/// descent.
fn text_layer(
    content: &mut Content,
    p: &PageOcr,
    k: f32,
    page_h: f32,
    cids: &mut BTreeMap<char, u16>,
) {
    let lines = page_lines(&p.words);
    if lines.is_empty() {
        return;
    }
    content.begin_text();
    content.set_text_rendering_mode(TextRenderingMode::Invisible);
    for line in &lines {
        // One height per line, so a line reads as one line.
        let size = (line.h as f32 * k).max(1.0);
        let baseline = page_h - (line.y + line.h) as f32 * k + size * DESCENT;
        for (i, r) in line.runs.iter().enumerate() {
            let n = r.text.chars().count();
            if n == 0 {
                continue;
            }
            let end = match line.runs.get(i + 1) {
                Some(next) if !r.space_after && next.x > r.x => next.x,
                _ => r.x + r.w,
            };
            let width = (end - r.x).max(1) as f32 * k;
            let scale = 100.0 * width / (n as f32 * size);
            let mut codes = Vec::with_capacity(2 * n);
            for c in r.text.chars() {
                let next_cid = cids.len() as u16 + 1;
                let cid = *cids.entry(c).or_insert(next_cid);
                codes.extend(cid.to_be_bytes());
            }
            content.set_font(Name(b"F0"), size);
            content.set_horizontal_scaling(scale);
            content.set_text_matrix([1.0, 0.0, 0.0, 1.0, r.x as f32 * k, baseline]);
            content.show(Str(&codes));
            if r.space_after {
                // A space glyph between Latin words, so extraction keeps the words apart.
                let next_cid = cids.len() as u16 + 1;
                let cid = *cids.entry(' ').or_insert(next_cid);
                content.show(Str(&cid.to_be_bytes()));
            }
        }
    }
    content.end_text();
}

/// The glyphless font's descent as a share of the em (its ascent is the rest).
const DESCENT: f32 = 0.12;

/// The text font: Type0 → CIDFontType2 (every CID drawn with glyph 1, one em wide) → the embedded
/// glyphless TrueType program, with `/ToUnicode` for extraction.
fn write_font(pdf: &mut Pdf, cids: &BTreeMap<char, u16>, ids: [Ref; 6]) {
    let [font, cid_font, descriptor, font_file, cid_map, to_unicode] = ids;
    let base = Name(b"GlyphLessFont");
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(font)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);
    pdf.cid_font(cid_font)
        .subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(1000.0)
        .cid_to_gid_map_stream(cid_map);
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            0.0,
            -DESCENT * 1000.0,
            1000.0,
            (1.0 - DESCENT) * 1000.0,
        ))
        .italic_angle(0.0)
        .ascent((1.0 - DESCENT) * 1000.0)
        .descent(-DESCENT * 1000.0)
        .cap_height(700.0)
        .stem_v(80.0)
        .font_file2(font_file);
    let program = compress(GLYPHLESS);
    pdf.stream(font_file, &program)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), GLYPHLESS.len() as i32);
    // Every CID in use (1…n) draws glyph 1.
    let n = cids.len() + 1;
    let mut map = vec![0u8; 2 * n];
    for i in 1..n {
        map[2 * i + 1] = 1;
    }
    let map = compress(&map);
    pdf.stream(cid_map, &map).filter(Filter::FlateDecode);
    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), info);
    for (&c, &cid) in cids {
        cmap.pair(cid, c);
    }
    let cmap = cmap.finish();
    pdf.cmap(to_unicode, &cmap)
        .name(Name(b"Custom"))
        .system_info(info);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folios_from_labels() {
        assert_eq!(folio("p002"), Folio::Decimal(2));
        assert_eq!(folio("f03"), Folio::Roman(3));
        assert_eq!(folio("cover"), Folio::Named("cover".into()));
        assert_eq!(folio("p"), Folio::Named("p".into()));
        let ranges = label_ranges(&["f01", "f02", "p001", "p002", "p004", "x"]);
        assert_eq!(
            ranges,
            [
                (0, Folio::Roman(1)),
                (2, Folio::Decimal(1)),
                (4, Folio::Decimal(4)),
                (5, Folio::Named("x".into()))
            ]
        );
    }
}
