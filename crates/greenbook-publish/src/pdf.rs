//! Typesetting a [`Digest`] with genpdf, with the workarounds genpdf 0.2 needs for Chinese:
//! text broken into UAX #14 line-break segments (genpdf wraps only at spaces and drops what does not
//! fit), fonts subset to the document's characters and checked for coverage, minimal conformance,
//! images without alpha kept for the next page when they do not fit, and the written file
//! post-processed with lopdf (identical streams deduplicated, streams compressed, dates fixed).

use std::cell::Cell as Shared;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

use genpdf::elements::{
    Break, FrameCellDecorator, Image, LinearLayout, PaddedElement, PageBreak, Paragraph,
    TableLayout,
};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::{Color, Style};
use genpdf::{Alignment, Context, Element, Margins, Mm, PageDecorator, Position, RenderResult};

use super::fonts::{ReportFonts, subset};
use super::{Block, Cell, Digest, ReportError};

/// Text the footer can print, included in the font subset.
pub const FOOTER_SAMPLE: &str = "第页共/0123456789 ";

fn render_err(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Render {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Typesets `d` and returns the PDF bytes and the page count.
pub fn render(
    d: &Digest,
    fonts: &ReportFonts,
    date: Option<super::Date>,
    path: &Path,
) -> Result<(Vec<u8>, usize), ReportError> {
    let text = d.all_text();
    let missing = fonts.missing(&text);
    if !missing.is_empty() {
        return Err(ReportError::MissingGlyphs {
            path: path.to_path_buf(),
            chars: missing.iter().collect(),
        });
    }
    let chars: BTreeSet<char> = text
        .chars()
        .chain(FOOTER_SAMPLE.chars())
        .filter(|c| !c.is_control())
        .collect();
    let regular = subset(&fonts.regular, &chars, path)?;
    let bold = subset(&fonts.bold, &chars, path)?;

    // genpdf cannot tell the page count in advance: lay out once to count, then for real.
    // The counting pass stops at a sentinel after the last block, before genpdf writes the file
    // (writing scans each embedded face's whole character map: half of a digest's time).
    let count = Rc::new(Shared::new(0usize));
    let mut counting = build(d, &regular, &bold, None, count.clone(), true, path)?;
    let finished = Rc::new(Shared::new(false));
    counting.push(StopAfterLayout(finished.clone()));
    let result = counting.render(std::io::sink());
    if !finished.get() {
        result.map_err(|e| render_err(path, e))?;
    }
    let pages = count.get();
    let mut raw = Vec::new();
    build(
        d,
        &regular,
        &bold,
        Some(pages),
        Rc::new(Shared::new(0)),
        false,
        path,
    )?
    .render(&mut raw)
    .map_err(|e| render_err(path, e))?;
    let bytes = postprocess(&raw, &text, &d.title, date, path)?;
    Ok((bytes, pages))
}

fn build(
    d: &Digest,
    regular: &[u8],
    bold: &[u8],
    total: Option<usize>,
    count: Rc<Shared<usize>>,
    // The page-counting pass reserves each chart's space instead of embedding (and compressing) it.
    placeholders: bool,
    path: &Path,
) -> Result<genpdf::Document, ReportError> {
    let font = |b: &[u8]| FontData::new(b.to_vec(), None).map_err(|e| render_err(path, e));
    let (r, b) = (font(regular)?, font(bold)?);
    // The digests use no italics. genpdf still wants four faces and embeds each one it is given,
    // scanning the font's whole character map for each (half of a digest's time), so the italic
    // slots get built-in PDF fonts with our metrics; `postprocess` removes them, unused, from the file.
    let unused = |bytes: &[u8]| {
        FontData::new(bytes.to_vec(), Some(printpdf::BuiltinFont::Helvetica))
            .map_err(|e| render_err(path, e))
    };
    let family = FontFamily {
        italic: unused(regular)?,
        bold_italic: unused(bold)?,
        regular: r,
        bold: b,
    };
    let mut doc = genpdf::Document::new(family);
    doc.set_title(d.title.clone());
    doc.set_minimal_conformance();
    doc.set_font_size(10);
    doc.set_line_spacing(1.35);
    doc.set_page_decorator(Decorator {
        page: 0,
        total,
        count,
        title: d.title.clone(),
    });
    for block in &d.blocks {
        match block {
            Block::Title(t) => {
                doc.push(Break::new(6.0));
                doc.push(
                    para(t, Style::new().bold().with_font_size(22)).aligned(Alignment::Center),
                );
                doc.push(Break::new(2.0));
            }
            Block::Heading(t) => {
                doc.push(Break::new(1.0));
                doc.push(para(
                    t,
                    Style::new()
                        .bold()
                        .with_font_size(14)
                        .with_color(Color::Rgb(27, 94, 32)),
                ));
                doc.push(Break::new(0.3));
            }
            Block::Para(t) => {
                doc.push(para(t, Style::new().with_font_size(11)));
                doc.push(Break::new(0.3));
            }
            Block::Note(t) => {
                doc.push(Break::new(1.0));
                doc.push(para(
                    t,
                    Style::new()
                        .with_font_size(9)
                        .with_color(Color::Rgb(90, 90, 90)),
                ));
            }
            Block::Table {
                weights,
                header,
                rows,
            } => doc.push(table(weights, header, rows, path)?),
            Block::Chart(c) => {
                let height = Mm::from(c.height as f64 / super::charts::DPI * 25.4);
                let image = if placeholders {
                    None
                } else {
                    let img = image023::RgbImage::from_raw(c.width, c.height, c.rgb.clone())
                        .ok_or_else(|| render_err(path, "chart bitmap has the wrong size"))?;
                    Some(
                        Image::from_dynamic_image(image023::DynamicImage::ImageRgb8(img))
                            .map_err(|e| render_err(path, e))?
                            .with_dpi(super::charts::DPI)
                            .with_alignment(Alignment::Center),
                    )
                };
                doc.push(Break::new(0.5));
                doc.push(KeepImage {
                    image,
                    height,
                    deferred: false,
                });
            }
            Block::PageBreak => doc.push(PageBreak::new()),
        }
    }
    Ok(doc)
}

/// A paragraph whose text is cut at UAX #14 line-break opportunities, so genpdf can wrap Chinese.
fn para(text: &str, style: Style) -> Paragraph {
    let mut p = Paragraph::default();
    for seg in segments(text) {
        p.push_styled(seg, style);
    }
    p
}

/// Line-break segments of `text`; a segment longer than 8 characters (a long Latin word or number)
/// is cut further so that it always fits a narrow table cell.
pub fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (end, _) in unicode_linebreak::linebreaks(text) {
        let seg = &text[start..end];
        start = end;
        let chars: Vec<char> = seg.chars().collect();
        for chunk in chars.chunks(8) {
            out.push(chunk.iter().collect());
        }
    }
    out
}

/// A table as a column of [`KeepRows`], one per row (the header with the first), so that a row
/// whose cells wrap onto several lines moves to the next page whole rather than splitting there,
/// under the header repeated.
fn table(
    weights: &[usize],
    header: &[String],
    cells: &[Vec<Cell>],
    path: &Path,
) -> Result<LinearLayout, ReportError> {
    let numeric = figure_columns(header.len(), cells);
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|r| r.iter().map(|c| c.text().to_string()).collect())
        .collect();
    let head = Style::new().bold().with_font_size(9);
    let body = Style::new().with_font_size(9);
    let mut out = LinearLayout::vertical();
    let header = (header, head);
    match rows.split_first() {
        None => out.push(KeepRows::new(weights, &[header], None, &numeric, path)?),
        Some((first, rest)) => {
            out.push(KeepRows::new(
                weights,
                &[header, (first, body)],
                None,
                &numeric,
                path,
            )?);
            for r in rest {
                out.push(KeepRows::new(
                    weights,
                    &[(r, body)],
                    Some(header),
                    &numeric,
                    path,
                )?);
            }
        }
    }
    Ok(out)
}

/// The tallest rows [`KeepRows`] moves to the next page whole (mm; an A4 page holds about 250).
const KEEP_MAX_MM: f64 = 150.0;

/// Padding inside a table cell: top, right, bottom, left (mm).
const CELL_PADDING: (f64, f64, f64, f64) = (1.0, 1.5, 1.0, 1.5);

/// Table rows that go to the next page together when the rest of this one is too short for them
/// (at the top of a page they are set whatever their height), set there under the table's header.
/// Their height is foreseen by wrapping each cell's line-break segments greedily at its width, as
/// genpdf's paragraphs wrap.
struct KeepRows {
    table: TableLayout,
    /// The same rows under the header, for the top of the next page.
    headed: Option<TableLayout>,
    /// Each row's cells: the text's segments and style.
    cells: Vec<Vec<(Vec<String>, Style)>>,
    weights: Vec<usize>,
    deferred: bool,
}

impl KeepRows {
    fn new(
        weights: &[usize],
        rows: &[(&[String], Style)],
        header: Option<(&[String], Style)>,
        numeric: &[bool],
        path: &Path,
    ) -> Result<KeepRows, ReportError> {
        let build = |rows: &[(&[String], Style)]| -> Result<TableLayout, ReportError> {
            let mut table = TableLayout::new(weights.to_vec());
            table.set_cell_decorator(FrameCellDecorator::new(true, true, true));
            let (t, r, b, l) = CELL_PADDING;
            for (texts, style) in rows {
                let mut row = table.row();
                for (c, v) in texts.iter().enumerate() {
                    let p = para(v, *style);
                    let p = if numeric.get(c).copied().unwrap_or(false) {
                        p.aligned(Alignment::Right)
                    } else {
                        p
                    };
                    row.push_element(PaddedElement::new(p, Margins::trbl(t, r, b, l)));
                }
                row.push().map_err(|e| render_err(path, e))?;
            }
            Ok(table)
        };
        let headed = match header {
            Some(h) => Some(build(&[&[h], rows].concat())?),
            None => None,
        };
        Ok(KeepRows {
            table: build(rows)?,
            headed,
            cells: rows
                .iter()
                .map(|(texts, style)| texts.iter().map(|v| (segments(v), *style)).collect())
                .collect(),
            weights: weights.to_vec(),
            deferred: false,
        })
    }

    /// The height the rows will take in `width`.
    fn height(&self, context: &Context, width: Mm, style: Style) -> Mm {
        let total: usize = self.weights.iter().sum::<usize>().max(1);
        let (t, r, b, l) = CELL_PADDING;
        let mut height = Mm::from(0);
        for row in &self.cells {
            let mut tallest = Mm::from(0);
            for ((segs, cell_style), weight) in row.iter().zip(&self.weights) {
                // genpdf sets a paragraph's lines at the height of the style it is given (the
                // document's), its glyphs in their own.
                let line_height = style.line_height(&context.font_cache);
                let style = style.and(*cell_style);
                let inner = width * (*weight as f64 / total as f64) - Mm::from(l + r);
                let (mut lines, mut line) = (1usize, Mm::from(0));
                for seg in segs {
                    let w = style.str_width(&context.font_cache, seg);
                    if line > Mm::from(0) && line + w > inner {
                        lines += 1;
                        line = w;
                    } else {
                        line += w;
                    }
                }
                let h = line_height * lines as f64 + Mm::from(t + b);
                tallest = tallest.max(h);
            }
            height += tallest;
        }
        height
    }
}

impl Element for KeepRows {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let height = self.height(context, area.size().width, style);
        // Rows taller than most of a page are set where they fall: on a new page they would not
        // fit either, and deferring them from the top of one is genpdf's "could not fit" error.
        if height < Mm::from(KEEP_MAX_MM)
            && let Some(next_page) = move_on(&mut self.deferred, area.size().height, height)
        {
            return Ok(next_page);
        }
        match &mut self.headed {
            Some(headed) if self.deferred => headed.render(context, area, style),
            _ => self.table.render(context, area, style),
        }
    }
}

/// Which of `n` columns hold figures, and are set right-aligned with their header: those with a
/// figure and nothing but figures and missing values.
fn figure_columns(n: usize, rows: &[Vec<Cell>]) -> Vec<bool> {
    (0..n)
        .map(|c| {
            let column: Vec<&Cell> = rows.iter().filter_map(|r| r.get(c)).collect();
            column.iter().any(|x| matches!(x, Cell::Figure(_)))
                && column
                    .iter()
                    .all(|x| matches!(x, Cell::Figure(_) | Cell::Missing))
        })
        .collect()
}

/// The result that sends an element needing `need` to the next page from an area with `room` left,
/// the first time only (`deferred` records it): on the next page it is set whatever its height.
fn move_on(deferred: &mut bool, room: Mm, need: Mm) -> Option<RenderResult> {
    if *deferred || room >= need {
        return None;
    }
    *deferred = true;
    Some(RenderResult {
        size: genpdf::Size::new(0, 0),
        has_more: true,
    })
}

/// An image that moves to the next page instead of overflowing the bottom of this one (or, without
/// an image, just the space it takes).
struct KeepImage {
    image: Option<Image>,
    height: Mm,
    deferred: bool,
}

impl Element for KeepImage {
    fn render(
        &mut self,
        context: &Context,
        area: genpdf::render::Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        if let Some(next_page) = move_on(&mut self.deferred, area.size().height, self.height) {
            return Ok(next_page);
        }
        match &mut self.image {
            Some(image) => image.render(context, area, style),
            None => Ok(RenderResult {
                size: genpdf::Size::new(area.size().width, self.height),
                has_more: false,
            }),
        }
    }
}

/// The last element of the page-counting pass: reached once everything before it is laid out, it
/// records that and stops the rendering with an error, so the unneeded file is never written.
struct StopAfterLayout(Rc<Shared<bool>>);

impl Element for StopAfterLayout {
    fn render(
        &mut self,
        _: &Context,
        _: genpdf::render::Area<'_>,
        _: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        self.0.set(true);
        Err(genpdf::error::Error::new(
            "layout finished (page-counting pass)",
            genpdf::error::ErrorKind::Internal,
        ))
    }
}

/// Margins, a running header with the digest title, and "第 N 页 / 共 M 页" at the foot.
struct Decorator {
    page: usize,
    total: Option<usize>,
    count: Rc<Shared<usize>>,
    title: String,
}

impl PageDecorator for Decorator {
    fn decorate_page<'a>(
        &mut self,
        context: &Context,
        mut area: genpdf::render::Area<'a>,
        style: Style,
    ) -> Result<genpdf::render::Area<'a>, genpdf::error::Error> {
        self.page += 1;
        self.count.set(self.page);
        area.add_margins(Margins::trbl(14, 18, 12, 18));
        let size = area.size();
        let small = style
            .with_font_size(8)
            .with_color(Color::Rgb(110, 110, 110));
        let footer = format!(
            "第 {} 页 / 共 {} 页",
            self.page,
            self.total.unwrap_or(self.page)
        );
        let w = small.str_width(&context.font_cache, &footer);
        let lh = small.line_height(&context.font_cache);
        area.print_str(
            &context.font_cache,
            Position::new((size.width - w) / 2.0, size.height - lh),
            small,
            &footer,
        )?;
        if self.page > 1 {
            area.print_str(&context.font_cache, Position::new(0, 0), small, &self.title)?;
            area.draw_line(
                vec![
                    Position::new(0, lh + Mm::from(1.0)),
                    Position::new(size.width, lh + Mm::from(1.0)),
                ],
                Style::new().with_color(Color::Rgb(160, 160, 160)),
            );
        }
        area.add_offset(Position::new(0, lh + Mm::from(4.0)));
        let h = area.size().height;
        area.set_height(h - lh - Mm::from(4.0));
        Ok(area)
    }
}

/// Deduplicates identical streams (genpdf embeds the regular and bold faces twice each, as italic
/// and bold italic), drops unused objects, compresses streams, and makes the file reproducible.
fn postprocess(
    raw: &[u8],
    seed: &str,
    title: &str,
    date: Option<super::Date>,
    path: &Path,
) -> Result<Vec<u8>, ReportError> {
    use lopdf::{Object, ObjectId};
    let mut doc = lopdf::Document::load_mem(raw).map_err(|e| render_err(path, e))?;
    // Drop font resources no page draws with (the built-in italic placeholders).
    let mut used: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    for (_, page) in doc.get_pages() {
        if let Ok(content) = doc.get_page_content(page) {
            let tokens: Vec<&[u8]> = content
                .split(|b| b.is_ascii_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            for w in tokens.windows(3) {
                if w[2] == b"Tf" && w[0].first() == Some(&b'/') {
                    used.insert(w[0][1..].to_vec());
                }
            }
        }
    }
    let font_dicts: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Dictionary(d) => match d.get(b"Font") {
                Ok(Object::Reference(r)) => Some(*r),
                Ok(Object::Dictionary(_)) => Some(*id),
                _ => None,
            },
            _ => None,
        })
        .collect();
    for id in font_dicts {
        if let Ok(Object::Dictionary(d)) = doc.get_object_mut(id) {
            let target = match d.get_mut(b"Font") {
                Ok(Object::Dictionary(inner)) => inner,
                _ => d,
            };
            let names: Vec<Vec<u8>> = target.iter().map(|(k, _)| k.clone()).collect();
            for n in names {
                if !used.contains(&n) {
                    target.remove(&n);
                }
            }
        }
    }
    // genpdf names its fonts F0 (regular) and F1 (bold). Give them their real names with a subset
    // tag, as PDF readers expect.
    let tag: String = crate::io::sha256_hex(seed.as_bytes())
        .bytes()
        .take(6)
        .map(|b| (b'A' + b % 26) as char)
        .collect();
    for obj in doc.objects.values_mut() {
        if let Object::Dictionary(d) = obj {
            for key in [&b"BaseFont"[..], b"FontName"] {
                if let Ok(Object::Name(n)) = d.get(key) {
                    let face = match n.as_slice() {
                        b"F0" | b"F2" => "Regular",
                        b"F1" | b"F3" => "Bold",
                        _ => continue,
                    };
                    let name = format!("{tag}+GreenbookSansSC-{face}");
                    d.set(key, Object::Name(name.into_bytes()));
                }
            }
        }
    }
    // Merge identical streams, then font dictionaries that have become identical, until stable.
    for _ in 0..4 {
        let mut seen: HashMap<Vec<u8>, ObjectId> = HashMap::new();
        let mut replace: HashMap<ObjectId, ObjectId> = HashMap::new();
        for (id, obj) in &doc.objects {
            let key = match obj {
                Object::Stream(s) => {
                    let mut k = format!("{:?}", s.dict).into_bytes();
                    k.extend_from_slice(&s.content);
                    k
                }
                Object::Dictionary(d) if matches!(d.get(b"Type"), Ok(Object::Name(n)) if n == b"Font" || n == b"FontDescriptor") => {
                    format!("{d:?}").into_bytes()
                }
                _ => continue,
            };
            match seen.get(&key) {
                Some(first) => {
                    replace.insert(*id, *first);
                }
                None => {
                    seen.insert(key, *id);
                }
            }
        }
        if replace.is_empty() {
            break;
        }
        for obj in doc.objects.values_mut() {
            relink(obj, &replace);
        }
        for id in replace.keys() {
            doc.objects.remove(id);
        }
    }
    let stamp = date
        .map(|d| format!("D:{:04}{:02}{:02}000000Z", d.year, d.month, d.day))
        .unwrap_or_else(|| "D:20230101000000Z".to_string());
    if let Ok(Object::Reference(info)) = doc.trailer.get(b"Info").cloned()
        && let Ok(Object::Dictionary(d)) = doc.get_object_mut(info)
    {
        for key in [&b"CreationDate"[..], b"ModDate"] {
            d.set(key, Object::string_literal(stamp.clone()));
        }
        // printpdf writes the title as raw UTF-8; PDF text strings need UTF-16BE with a BOM.
        let mut utf16 = vec![0xFE, 0xFF];
        utf16.extend(title.encode_utf16().flat_map(|u| u.to_be_bytes()));
        d.set(
            "Title",
            Object::String(utf16, lopdf::StringFormat::Hexadecimal),
        );
        d.set(
            "Producer",
            Object::string_literal(format!("greenbook {}", env!("CARGO_PKG_VERSION"))),
        );
    }
    // The XMP packet printpdf adds carries the wall-clock time and a PDF/X title; the Info
    // dictionary above says everything it did.
    if let Ok(Object::Reference(root)) = doc.trailer.get(b"Root").cloned()
        && let Ok(Object::Dictionary(d)) = doc.get_object_mut(root)
    {
        d.remove(b"Metadata");
    }
    doc.trailer.remove(b"ID");
    canonicalize(&mut doc);
    // lopdf's `compress` deflates at level 9, which took a third of a digest's time for a few
    // percent of size; level 6 (zlib's default) is used instead, for the streams still uncompressed.
    for obj in doc.objects.values_mut() {
        if let Object::Stream(s) = obj
            && s.allows_compression
            && s.dict.get(b"Filter").is_err()
        {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            if std::io::Write::write_all(&mut z, &s.content).is_ok()
                && let Ok(packed) = z.finish()
                && packed.len() + 19 < s.content.len()
            {
                s.dict.set("Filter", "FlateDecode");
                s.set_content(packed);
            }
        }
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| render_err(path, e))?;
    Ok(out)
}

/// printpdf numbers objects and orders dictionary entries through hash maps, so two runs differ.
/// Renumber the reachable objects in a depth-first walk from the trailer with dictionary keys in
/// sorted order, and sort every dictionary: the same document always gives the same bytes.
fn canonicalize(doc: &mut lopdf::Document) {
    use lopdf::{Dictionary, Object, ObjectId};
    fn sorted(d: &Dictionary) -> Vec<(Vec<u8>, Object)> {
        let mut v: Vec<(Vec<u8>, Object)> = d.iter().map(|(k, o)| (k.clone(), o.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
    fn visit(
        o: &Object,
        doc: &lopdf::Document,
        order: &mut HashMap<ObjectId, ObjectId>,
        next: &mut u32,
    ) {
        match o {
            Object::Reference(id) => {
                if order.contains_key(id) {
                    return;
                }
                order.insert(*id, (*next, 0));
                *next += 1;
                if let Some(t) = doc.objects.get(id) {
                    visit(t, doc, order, next);
                }
            }
            Object::Array(a) => a.iter().for_each(|x| visit(x, doc, order, next)),
            Object::Dictionary(d) => sorted(d)
                .iter()
                .for_each(|(_, x)| visit(x, doc, order, next)),
            Object::Stream(s) => sorted(&s.dict)
                .iter()
                .for_each(|(_, x)| visit(x, doc, order, next)),
            _ => {}
        }
    }
    fn rebuild(o: &Object, map: &HashMap<ObjectId, ObjectId>) -> Object {
        match o {
            Object::Reference(id) => Object::Reference(map.get(id).copied().unwrap_or(*id)),
            Object::Array(a) => Object::Array(a.iter().map(|x| rebuild(x, map)).collect()),
            Object::Dictionary(d) => Object::Dictionary(rebuild_dict(d, map)),
            Object::Stream(s) => {
                let mut s = s.clone();
                s.dict = rebuild_dict(&s.dict, map);
                Object::Stream(s)
            }
            other => other.clone(),
        }
    }
    fn rebuild_dict(d: &Dictionary, map: &HashMap<ObjectId, ObjectId>) -> Dictionary {
        let mut out = Dictionary::new();
        for (k, v) in sorted(d) {
            out.set(k, rebuild(&v, map));
        }
        out
    }
    let mut order = HashMap::new();
    let mut next = 1u32;
    visit(
        &Object::Dictionary(doc.trailer.clone()),
        doc,
        &mut order,
        &mut next,
    );
    let objects = order
        .iter()
        .filter_map(|(old, new)| doc.objects.get(old).map(|o| (*new, rebuild(o, &order))))
        .collect();
    doc.objects = objects;
    doc.trailer = rebuild_dict(&doc.trailer, &order);
    doc.max_id = next - 1;
}

fn relink(obj: &mut lopdf::Object, map: &HashMap<lopdf::ObjectId, lopdf::ObjectId>) {
    use lopdf::Object;
    match obj {
        Object::Reference(id) => {
            if let Some(n) = map.get(id) {
                *id = *n;
            }
        }
        Object::Array(a) => a.iter_mut().for_each(|o| relink(o, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| relink(o, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| relink(o, map)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_of_figures_and_missing_values_is_set_right() {
        let fig = |s: &str| Cell::Figure(s.into());
        let rows = vec![
            vec![
                Cell::Text("高行镇".into()),
                fig("约8000"),
                Cell::Missing,
                Cell::Missing,
            ],
            vec![
                Cell::Text("—".into()),
                fig("1225（校）"),
                Cell::Missing,
                fig("p008"),
            ],
            vec![
                Cell::Missing,
                Cell::Missing,
                Cell::Missing,
                Cell::Text("f01".into()),
            ],
        ];
        assert_eq!(figure_columns(4, &rows), [false, true, false, false]);
    }

    #[test]
    fn a_character_missing_from_the_font_fails_loudly() {
        let fonts = ReportFonts::load(None).unwrap();
        // 崑 (in the first case's name) is covered; 𪚥 (outside GBK) is not.
        assert!(fonts.missing("绿地崑廉居民区 1224户 48.5%").is_empty());
        let d = Digest {
            name: "x".into(),
            title: "测试".into(),
            blocks: vec![Block::Para("社区名𪚥".into())],
        };
        let e = render(&d, &fonts, None, Path::new("x.pdf")).unwrap_err();
        assert!(matches!(e, ReportError::MissingGlyphs { .. }), "{e}");
        assert!(e.to_string().contains('𪚥') && e.to_string().contains("x.pdf"));
    }

    #[test]
    fn segments_break_chinese_and_keep_everything() {
        let t = "东力居民区建成于2006年，共有1224户。Greenbook processes";
        let s = segments(t);
        assert!(s.len() > 10);
        assert_eq!(s.concat(), t);
        // No segment starts with closing punctuation (UAX #14 keeps it with the previous one).
        assert!(
            s.iter()
                .all(|x| !x.starts_with('，') && !x.starts_with('。'))
        );
    }

    #[test]
    fn a_table_row_never_splits_across_pages_and_the_header_repeats() {
        let fonts = ReportFonts::load(None).unwrap();
        // Rows whose last cell wraps onto two to six lines: each starts with A<n> and ends with Z<n>.
        let rows: Vec<Vec<Cell>> = (0..40)
            .map(|i| {
                vec![
                    Cell::Text(format!("东力{i}")),
                    Cell::Text("户数".into()),
                    Cell::Figure("1224".into()),
                    Cell::Figure("8".into()),
                    Cell::Text(format!(
                        "A{i:03}{}绿化率达到35.2%。Z{i:03}",
                        "东力居民区建成于2006年，共有1224户，常住人口约三千人。".repeat(1 + i % 4)
                    )),
                ]
            })
            .collect();
        let d = Digest {
            name: "x".into(),
            title: "测试".into(),
            blocks: vec![
                Block::Para("表格之前的一段话。".into()),
                Block::Table {
                    weights: vec![4, 3, 3, 2, 12],
                    header: ["社区", "指标", "数值", "页码", "原文"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                },
            ],
        };
        let (bytes, pages) = render(&d, &fonts, None, Path::new("x.pdf")).unwrap();
        assert!(pages >= 3, "{pages} pages");
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("x.pdf");
        std::fs::write(&pdf, &bytes).unwrap();
        let page_text = |p: usize| -> String {
            let out = std::process::Command::new("pdftotext")
                .args(["-f", &p.to_string(), "-l", &p.to_string()])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let texts: Vec<String> = (1..=pages).map(page_text).collect();
        let page_of = |token: &str| -> Vec<usize> {
            (1..=pages)
                .filter(|&p| texts[p - 1].contains(token))
                .collect()
        };
        for i in 0..40 {
            let (a, z) = (page_of(&format!("A{i:03}")), page_of(&format!("Z{i:03}")));
            assert_eq!(a.len(), 1, "row {i}: {a:?}");
            assert_eq!(a, z, "row {i} starts on page {a:?} and ends on {z:?}");
        }
        // Every page the table runs onto starts with its header.
        assert!(texts.iter().all(|t| t.contains("原文")), "{texts:?}");
    }
}
