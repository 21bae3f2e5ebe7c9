//! `output/iiif/`: the volume as a IIIF Presentation 3.0 manifest, for viewers such as Mirador and
//! Universal Viewer. One canvas per page, sized in pixels, painted with the page image (written under
//! `iiif/pages/`, no image server needed), labelled with its printed folio, linked to its ALTO with
//! `seeAlso` (IIIF cookbook recipe 0068), and carrying each OCR line as a `supplementing` annotation
//! (`textGranularity: "line"`) on its box. Ranges give districts › cases, as `book.pdf`'s outline
//! does.
//!
//! With `--iiif-base URL` every id is an absolute URL under it (IIIF requires http(s) ids, and the
//! validator checks them); without, ids are relative to the `iiif/` folder, so the output folder can be
//! served as it is from any local web server.

use std::path::Path;

use serde_json::{Value, json};

use super::book_pdf::{Folio, folio};
use crate::ReportError;
use crate::dataset::Dataset;
use crate::input::Embeddable;
use crate::io::FileError;
use crate::io::write_atomic;
use crate::ocr::PageOcr;
use crate::ocr::runs::page_lines;

/// What the archive publishing the volume adds to its manifest and METS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Publication {
    /// The URL the output folder is published under, ending in `/` (`--iiif-base`); None: relative ids.
    pub base: Option<String>,
    /// A rights URI from Creative Commons or RightsStatements.org (`--rights`).
    pub rights: Option<String>,
    /// The statement a viewer must show with the volume (`--attribution`).
    pub attribution: Option<String>,
}

impl Publication {
    /// Checks the flags' values: a base that is an http(s) URL (a `/` is added at its end), a rights
    /// URI of the two vocabularies IIIF allows.
    pub fn new(
        base: Option<&str>,
        rights: Option<&str>,
        attribution: Option<&str>,
    ) -> Result<Publication, String> {
        let base = match base {
            None => None,
            Some(b) if is_http(b) && !b.contains(['"', '<', '>', ' ', '#', '?']) => {
                Some(if b.ends_with('/') {
                    b.to_string()
                } else {
                    format!("{b}/")
                })
            }
            Some(b) => return Err(format!("--iiif-base {b}: give an http:// or https:// URL")),
        };
        if let Some(r) = rights {
            let known = [
                "http://creativecommons.org/",
                "http://rightsstatements.org/",
            ];
            if !known.iter().any(|k| r.starts_with(k)) || r.contains(['"', '<', '>', ' ']) {
                return Err(format!(
                    "--rights {r}: give a Creative Commons or RightsStatements.org URI, \
                     e.g. http://rightsstatements.org/vocab/InC/1.0/"
                ));
            }
        }
        Ok(Publication {
            base,
            rights: rights.map(str::to_string),
            attribution: attribution.map(str::to_string),
        })
    }

    /// The URL of `path` (relative to the output folder, '/'-separated, segments encoded) as a file
    /// at the output folder's root (mets.xml) gives it: under the base, or as it is.
    pub fn url_from_root(&self, path: &str) -> String {
        match &self.base {
            Some(b) => format!("{b}{path}"),
            None => path.to_string(),
        }
    }

    /// The URL of `path` (relative to the output folder, '/'-separated, each segment encoded) as the
    /// manifest gives it: under the base, or relative to `iiif/`.
    pub fn url(&self, path: &str) -> String {
        match &self.base {
            Some(b) => format!("{b}{path}"),
            None => path
                .strip_prefix("iiif/")
                .map_or_else(|| format!("../{path}"), str::to_string),
        }
    }
}

fn is_http(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty())
}

/// A path segment for a URL: unreserved ASCII kept, every other byte percent-encoded.
pub fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A page image written for the viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    pub label: String,
    /// Its path in the output folder, '/'-separated: `iiif/pages/p001.jpg`.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub sha256: String,
}

/// Writes page `p`'s image into `dir` (`iiif/pages/`, which exists): a JPEG as it was scanned,
/// otherwise the grey rows book.pdf embeds, as a PNG. The image is the one OCR's boxes refer to.
pub fn write_page_image(
    dir: &Path,
    p: &PageOcr,
    img: &Embeddable,
) -> Result<PageImage, ReportError> {
    let (bytes, ext, mime, width, height) = match img {
        Embeddable::Jpeg {
            data,
            width,
            height,
            ..
        } => (data.clone(), ".jpg", "image/jpeg", *width, *height),
        Embeddable::Flate {
            data,
            width,
            height,
        } => (
            grey_png(*width, *height, data),
            ".png",
            "image/png",
            *width,
            *height,
        ),
    };
    let path = super::confined(dir, &p.reading.label, ext)?;
    write_atomic(&path, &bytes)?;
    let name = format!("{}{ext}", p.reading.label);
    Ok(PageImage {
        label: p.reading.label.clone(),
        path: format!("iiif/pages/{}", url_segment(&name)),
        width,
        height,
        mime,
        sha256: crate::io::sha256_hex(&bytes),
    })
}

/// An 8-bit grey PNG around zlib-compressed, PNG-filtered rows (what book.pdf embeds).
fn grey_png(width: u32, height: u32, idat: &[u8]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The contents pages among the published pages (`labels`, in order), by index.
pub fn contents_pages(ds: &Dataset, labels: &[&str]) -> Vec<usize> {
    ds.pages
        .iter()
        .filter(|p| p.reading.kind == Some(crate::input::PageKind::Contents))
        .filter_map(|p| labels.iter().position(|x| *x == p.reading.label))
        .collect()
}

/// The contents' label in the ranges and the METS logical map.
pub const CONTENTS: &str = "目录";

/// The label a viewer shows for a page: its printed folio (1, 2 … or i, ii … in the front matter).
pub fn folio_label(label: &str) -> String {
    match folio(label) {
        Folio::Decimal(n) => n.to_string(),
        Folio::Roman(n) => roman(n),
        Folio::Named(s) => s,
    }
}

fn roman(mut n: u32) -> String {
    let table = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in table {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// The structure the manifest's ranges, the METS logical map and book.pdf's outline follow: each
/// district with its pages (indices into the published pages) and its cases in page order.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub name: String,
    /// Pages of the district outside any case (its chapter opening), in order.
    pub pages: Vec<usize>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub pages: Vec<usize>,
}

impl District {
    /// The district's first page.
    pub fn first(&self) -> Option<usize> {
        let case_pages = self.cases.iter().flat_map(|c| c.pages.first());
        self.pages.iter().chain(case_pages).min().copied()
    }
}

/// Districts › cases over the published pages (`labels`, in order). A contents page names the
/// first district it lists, but is not part of that district: it is left out.
pub fn structure(ds: &Dataset, labels: &[&str]) -> Vec<District> {
    let index = |l: &str| labels.iter().position(|x| *x == l);
    let mut out: Vec<District> = Vec::new();
    for p in &ds.pages {
        if p.reading.kind == Some(crate::input::PageKind::Contents) {
            continue;
        }
        let (Some(d), Some(i)) = (&p.district, index(&p.reading.label)) else {
            continue;
        };
        let at = match out.iter().position(|x| &x.name == d) {
            Some(at) => at,
            None => {
                out.push(District {
                    name: d.clone(),
                    pages: Vec::new(),
                    cases: Vec::new(),
                });
                out.len() - 1
            }
        };
        if p.case_id.is_none() {
            out[at].pages.push(i);
        }
    }
    for c in &ds.cases {
        let (Some(d), Some(first)) = (&c.district, index(&c.first_page)) else {
            continue;
        };
        let last = index(&c.last_page).unwrap_or(first);
        if let Some(entry) = out.iter_mut().find(|x| &x.name == d) {
            entry.cases.push(Case {
                id: c.case_id.clone(),
                title: c.title.clone(),
                pages: (first..=last.max(first)).collect(),
            });
        }
    }
    for d in &mut out {
        d.cases.sort_by_key(|c| c.pages[0]);
    }
    out.retain(|d| d.first().is_some());
    out.sort_by_key(District::first);
    out
}

/// A language map of one Chinese string, always plain text: IIIF viewers read a value that starts
/// with `<` and ends with `>` as HTML, so such a value (from a scan, or a flag) gets a trailing space.
fn zh(s: &str) -> Value {
    json!({ "zh": [plain(s)] })
}

fn plain(s: &str) -> String {
    if s.starts_with('<') && s.ends_with('>') {
        format!("{s} ")
    } else {
        s.to_string()
    }
}

fn pair(en: &str, zh_label: &str, value: Value) -> Value {
    json!({ "label": { "en": [en], "zh": [zh_label] }, "value": value })
}

/// The manifest of the published pages (`images`, in book order; `pages` are all OCR pages).
pub fn manifest(
    pages: &[PageOcr],
    images: &[PageImage],
    ds: &Dataset,
    publication: &Publication,
) -> Value {
    let book = &crate::edition::current().book;
    let url = |p: &str| publication.url(p);
    let canvas_id = |img: &PageImage| url(&format!("iiif/canvas/{}", url_segment(&img.label)));
    let by_label: std::collections::HashMap<&str, &PageOcr> = pages
        .iter()
        .map(|p| (p.reading.label.as_str(), p))
        .collect();
    let items: Vec<Value> = images
        .iter()
        .map(|img| {
            canvas(
                img,
                by_label.get(img.label.as_str()).copied(),
                &canvas_id(img),
                &url,
            )
        })
        .collect();
    let structures = structures(images, ds, &url, &canvas_id);
    let metadata = metadata(book);
    let mut m = json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": url("iiif/manifest.json"),
        "type": "Manifest",
        "label": zh(&book.title),
        "metadata": metadata,
        "viewingDirection": "left-to-right",
        "behavior": ["paged"],
        "seeAlso": [{
            "id": url("mets.xml"),
            "type": "Dataset",
            "format": "application/xml",
            "profile": "http://www.loc.gov/METS/",
            "label": { "en": ["METS"] },
        }],
        "rendering": [{
            "id": url("book.pdf"),
            "type": "Text",
            "format": "application/pdf",
            "label": { "en": ["Searchable PDF of the volume"], "zh": ["全书可检索 PDF"] },
        }],
        "items": items,
        "structures": structures,
    });
    if let Some(r) = &publication.rights {
        m["rights"] = json!(r);
    }
    if let Some(a) = &publication.attribution {
        m["requiredStatement"] = pair("Attribution", "版权声明", zh(a));
    }
    m
}

/// The table of contents: the contents pages, then each district with its cases, as ranges of
/// canvases.
fn structures(
    images: &[PageImage],
    ds: &Dataset,
    url: &dyn Fn(&str) -> String,
    canvas_id: &dyn Fn(&PageImage) -> String,
) -> Vec<Value> {
    let labels: Vec<&str> = images.iter().map(|i| i.label.as_str()).collect();
    let canvas_ref = |i: usize| json!({ "id": canvas_id(&images[i]), "type": "Canvas" });
    let contents = contents_pages(ds, &labels);
    let contents_range = (!contents.is_empty()).then(|| {
        json!({
            "id": url("iiif/range/contents"),
            "type": "Range",
            "label": zh(CONTENTS),
            "items": contents.iter().map(|&i| canvas_ref(i)).collect::<Vec<_>>(),
        })
    });
    let districts = structure(ds, &labels)
        .iter()
        .enumerate()
        .map(|(n, d)| {
            // The district's own pages and its cases, in page order.
            let mut parts: Vec<(usize, Value)> =
                d.pages.iter().map(|&i| (i, canvas_ref(i))).collect();
            for c in &d.cases {
                let id = url(&format!("iiif/range/{}", url_segment(&c.id)));
                let canvases: Vec<Value> = c.pages.iter().map(|&i| canvas_ref(i)).collect();
                let range =
                    json!({ "id": id, "type": "Range", "label": zh(&c.title), "items": canvases });
                parts.push((c.pages[0], range));
            }
            parts.sort_by_key(|(i, _)| *i);
            json!({
                "id": url(&format!("iiif/range/d{:02}", n + 1)),
                "type": "Range",
                "label": zh(&d.name),
                "items": parts.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            })
        })
        .collect::<Vec<_>>();
    contents_range.into_iter().chain(districts).collect()
}

/// The book's metadata, as the edition file gives it, in English and Chinese.
fn metadata(book: &crate::edition::BookInfo) -> Vec<Value> {
    let mut metadata = vec![
        pair("Title", "题名", zh(&book.title)),
        pair("Editors", "编者", json!({ "zh": book.editors.clone() })),
        pair("Publisher", "出版者", zh(&book.publisher)),
        pair("Date", "出版年", json!({ "none": [book.year.to_string()] })),
        pair(
            "Language",
            "语种",
            json!({ "none": [book.language.clone()] }),
        ),
    ];
    if let Some(isbn) = &book.isbn {
        metadata.push(pair("ISBN", "ISBN", json!({ "none": [isbn] })));
    }
    metadata
}

/// One page's canvas: the image painted on it, its ALTO, and its lines as annotations.
fn canvas(
    img: &PageImage,
    page: Option<&PageOcr>,
    id: &str,
    url: &dyn Fn(&str) -> String,
) -> Value {
    let image = json!({
        "id": format!("{id}/page"),
        "type": "AnnotationPage",
        "items": [{
            "id": format!("{id}/image"),
            "type": "Annotation",
            "motivation": "painting",
            "body": {
                "id": url(&img.path),
                "type": "Image",
                "format": img.mime,
                "width": img.width,
                "height": img.height,
            },
            "target": id,
        }],
    });
    let mut c = json!({
        "id": id,
        "type": "Canvas",
        "label": { "none": [folio_label(&img.label)] },
        "width": img.width,
        "height": img.height,
        "items": [image],
    });
    // The lines and the ALTO refer to this image's pixels when OCR read the same image.
    let Some(p) = page.filter(|p| p.width == Some(img.width) && p.height == Some(img.height))
    else {
        return c;
    };
    let alto = super::alto::href(&p.reading.label);
    c["seeAlso"] = json!([{
        "id": url(&alto),
        "type": "Dataset",
        "format": "application/xml",
        "profile": "http://www.loc.gov/standards/alto/",
        "label": { "en": ["ALTO XML"] },
    }]);
    let lines: Vec<Value> = page_lines(&p.words)
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let text: String = l
                .runs
                .iter()
                .map(|r| {
                    if r.space_after {
                        format!("{} ", r.text)
                    } else {
                        r.text.clone()
                    }
                })
                .collect();
            json!({
                "id": format!("{id}/line/{}", n + 1),
                "type": "Annotation",
                "motivation": "supplementing",
                "textGranularity": "line",
                "body": { "type": "TextualBody", "value": plain(text.trim_end()), "format": "text/plain", "language": "zh" },
                "target": format!("{id}#xywh={},{},{},{}", l.x, l.y, l.w, l.h),
            })
        })
        .collect();
    if !lines.is_empty() {
        c["annotations"] = json!([{
            "id": format!("{id}/lines"),
            "type": "AnnotationPage",
            "items": lines,
        }]);
    }
    c
}

/// Writes `iiif/manifest.json` in `out`.
pub fn write_manifest(
    out: &Path,
    pages: &[PageOcr],
    images: &[PageImage],
    ds: &Dataset,
    publication: &Publication,
) -> Result<(), ReportError> {
    let dir = out.join("iiif");
    std::fs::create_dir_all(&dir).map_err(FileError::write(&dir))?;
    let path = dir.join("manifest.json");
    let mut text = serde_json::to_string_pretty(&manifest(pages, images, ds, publication))
        .map_err(|e| ReportError::Render {
            path: path.clone(),
            message: e.to_string(),
        })?;
    text.push('\n');
    write_atomic(&path, text.as_bytes()).map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_relative_to_the_manifest_or_under_the_base() {
        let rel = Publication::default();
        assert_eq!(rel.url("iiif/pages/p001.jpg"), "pages/p001.jpg");
        assert_eq!(rel.url("alto/p001.xml"), "../alto/p001.xml");
        let abs = Publication::new(Some("https://lib.example.org/gb"), None, None).unwrap();
        assert_eq!(
            abs.url("alto/p001.xml"),
            "https://lib.example.org/gb/alto/p001.xml"
        );
        assert!(Publication::new(Some("file:///etc"), None, None).is_err());
        assert!(Publication::new(Some("https://x/\"><script>"), None, None).is_err());
        assert!(Publication::new(None, Some("all rights reserved"), None).is_err());
        assert!(
            Publication::new(
                None,
                Some("http://rightsstatements.org/vocab/InC/1.0/"),
                None
            )
            .is_ok()
        );
        assert_eq!(url_segment("p 1/../页"), "p%201%2F..%2F%E9%A1%B5");
    }

    #[test]
    fn text_from_a_scan_is_never_read_as_html() {
        assert_eq!(
            zh("<img src=x onerror=alert(1)>"),
            json!({ "zh": ["<img src=x onerror=alert(1)> "] })
        );
        assert_eq!(zh("东力居民区 <b>"), json!({ "zh": ["东力居民区 <b>"] }));
    }

    #[test]
    fn folios_label_canvases_as_the_book_prints_them() {
        assert_eq!(folio_label("p008"), "8");
        assert_eq!(folio_label("f04"), "iv");
        assert_eq!(folio_label("cover"), "cover");
    }

    #[test]
    fn a_grey_png_decodes_to_its_rows() {
        use std::io::Write;
        // Two rows of three pixels, filter byte 0 each.
        let rows = [0u8, 10, 20, 30, 0, 40, 50, 60];
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&rows).unwrap();
        let png = grey_png(3, 2, &z.finish().unwrap());
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(img.dimensions(), (3, 2));
        assert_eq!(img.into_raw(), [10, 20, 30, 40, 50, 60]);
    }
}
