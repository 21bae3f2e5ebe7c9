//! `output/mets.xml` (METS 1.12): what a digital-library system ingests. A MODS 3.6 record of the book
//! (title, editors, publisher, year, language, ISBN, rights); file groups for the page images
//! (`DEFAULT`, under `iiif/pages/`), their ALTO (`FULLTEXT`) and the scans they came from
//! (`MASTER`, with the SHA-256 `pages.parquet` records), each with its SHA-256; a PHYSICAL map of the
//! pages in order with their printed folios; a LOGICAL map of book › districts › cases; and the links
//! between the two. Validated against the official schemas in `tests/integration/iiif.rs`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::iiif::{PageImage, Publication, folio_label, structure};
use crate::ReportError;
use crate::dataset::Dataset;
use crate::io::write_atomic;
use crate::text::escape_xml as esc;

/// An ALTO file written for a page: its path in the output folder and its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct AltoFile {
    pub label: String,
    pub path: String,
    pub sha256: String,
}

/// The METS document of the published pages (`images`, in book order).
pub fn mets(
    images: &[PageImage],
    alto: &[AltoFile],
    ds: &Dataset,
    publication: &Publication,
    date: Option<crate::Date>,
) -> String {
    let book = &crate::edition::current().book;
    let url = |p: &str| esc(&publication.url_from_root(p));
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<mets:mets xmlns:mets=\"http://www.loc.gov/METS/\" xmlns:mods=\"http://www.loc.gov/mods/v3\" \
         xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/mets.xsd \
         http://www.loc.gov/mods/v3 http://www.loc.gov/standards/mods/v3/mods-3-6.xsd\" \
         LABEL=\"{}\" TYPE=\"Monograph\">",
        esc(&book.title)
    );
    // A date only when the run has one, so that reruns give the same bytes.
    match date {
        Some(d) => {
            let _ = writeln!(x, "  <mets:metsHdr CREATEDATE=\"{d}T00:00:00Z\">");
        }
        None => x.push_str("  <mets:metsHdr>\n"),
    }
    let _ = writeln!(
        x,
        "    <mets:agent ROLE=\"CREATOR\" TYPE=\"OTHER\" OTHERTYPE=\"SOFTWARE\">\n      \
         <mets:name>greenbook {}</mets:name>\n    </mets:agent>\n  </mets:metsHdr>",
        env!("CARGO_PKG_VERSION")
    );
    mods(&mut x, publication);
    let masters = masters(ds, images);
    files(&mut x, images, alto, &masters, &url);
    physical(&mut x, images, alto, &masters);
    let links = logical(&mut x, images, ds);
    x.push_str("  <mets:structLink>\n");
    for (from, to) in links {
        let _ = writeln!(
            x,
            "    <mets:smLink xlink:from=\"{from}\" xlink:to=\"PHYS_{to:04}\"/>"
        );
    }
    x.push_str("  </mets:structLink>\n</mets:mets>\n");
    x
}

/// The book's MODS record.
fn mods(x: &mut String, publication: &Publication) {
    let book = &crate::edition::current().book;
    x.push_str(
        "  <mets:dmdSec ID=\"DMD_BOOK\">\n    <mets:mdWrap MDTYPE=\"MODS\" MIMETYPE=\"text/xml\">\n      \
         <mets:xmlData>\n        <mods:mods version=\"3.6\">\n",
    );
    let _ = writeln!(
        x,
        "          <mods:titleInfo><mods:title>{}</mods:title></mods:titleInfo>",
        esc(&book.title)
    );
    for e in &book.editors {
        let _ = writeln!(
            x,
            "          <mods:name type=\"corporate\"><mods:namePart>{}</mods:namePart>\
             <mods:role><mods:roleTerm type=\"code\" authority=\"marcrelator\">edt</mods:roleTerm>\
             </mods:role></mods:name>",
            esc(e)
        );
    }
    x.push_str("          <mods:typeOfResource>text</mods:typeOfResource>\n");
    let _ = writeln!(
        x,
        "          <mods:originInfo><mods:publisher>{}</mods:publisher>\
         <mods:dateIssued encoding=\"w3cdtf\">{}</mods:dateIssued></mods:originInfo>",
        esc(&book.publisher),
        book.year
    );
    let _ = writeln!(
        x,
        "          <mods:language><mods:languageTerm type=\"code\" authority=\"rfc5646\">{}\
         </mods:languageTerm></mods:language>",
        esc(&book.language)
    );
    if let Some(isbn) = &book.isbn {
        let _ = writeln!(
            x,
            "          <mods:identifier type=\"isbn\">{}</mods:identifier>",
            esc(isbn)
        );
    }
    if publication.rights.is_some() || publication.attribution.is_some() {
        let href = publication
            .rights
            .as_ref()
            .map(|r| format!(" xlink:href=\"{}\"", esc(r)))
            .unwrap_or_default();
        let text = publication.attribution.as_deref().unwrap_or_default();
        let _ = writeln!(
            x,
            "          <mods:accessCondition type=\"use and reproduction\"{href}>{}</mods:accessCondition>",
            esc(text)
        );
    }
    x.push_str(
        "        </mods:mods>\n      </mets:xmlData>\n    </mets:mdWrap>\n  </mets:dmdSec>\n",
    );
}

fn file(x: &mut String, id: &str, mime: &str, sha256: &str, href: &str) {
    let _ = writeln!(
        x,
        "      <mets:file ID=\"{id}\" MIMETYPE=\"{mime}\" CHECKSUM=\"{sha256}\" CHECKSUMTYPE=\"SHA-256\">\n        \
         <mets:FLocat LOCTYPE=\"URL\" xlink:href=\"{href}\"/>\n      </mets:file>"
    );
}

/// A scan the pages came from: its file as the input folder names it, MIME type, SHA-256 (from
/// pages.parquet) and the labels of the pages it holds.
type Master = (String, &'static str, String, Vec<String>);

/// The scans the published pages came from, each once, in page order.
fn masters(ds: &Dataset, images: &[PageImage]) -> Vec<Master> {
    let published: std::collections::HashSet<&str> =
        images.iter().map(|i| i.label.as_str()).collect();
    let mut by_sha: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for p in ds
        .pages
        .iter()
        .filter(|p| published.contains(p.reading.label.as_str()))
    {
        let Some(sha) = &p.reading.sha256 else {
            continue;
        };
        let key = (p.reading.file.clone(), sha.clone());
        if !by_sha.contains_key(&key) {
            order.push(key.clone());
        }
        by_sha.entry(key).or_default().push(p.reading.label.clone());
    }
    order
        .into_iter()
        .map(|key| {
            let labels = by_sha.remove(&key).unwrap_or_default();
            let mime = mime_of(&key.0);
            (key.0, mime, key.1, labels)
        })
        .collect()
}

fn mime_of(file: &str) -> &'static str {
    let lower = file.to_ascii_lowercase();
    match lower.rsplit('.').next() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("tif" | "tiff") => "image/tiff",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn files(
    x: &mut String,
    images: &[PageImage],
    alto: &[AltoFile],
    masters: &[Master],
    url: &dyn Fn(&str) -> String,
) {
    x.push_str("  <mets:fileSec>\n    <mets:fileGrp USE=\"DEFAULT\">\n");
    for (i, img) in images.iter().enumerate() {
        file(
            x,
            &format!("IMG_{:04}", i + 1),
            img.mime,
            &img.sha256,
            &url(&img.path),
        );
    }
    x.push_str("    </mets:fileGrp>\n    <mets:fileGrp USE=\"FULLTEXT\">\n");
    for (i, img) in images.iter().enumerate() {
        if let Some(a) = alto.iter().find(|a| a.label == img.label) {
            file(
                x,
                &format!("ALTO_{:04}", i + 1),
                "text/xml",
                &a.sha256,
                &url(&a.path),
            );
        }
    }
    x.push_str("    </mets:fileGrp>\n");
    if !masters.is_empty() {
        // The scans as they came in, named as the input folder names them (outside this folder).
        x.push_str("    <mets:fileGrp USE=\"MASTER\">\n");
        for (i, (name, mime, sha, _)) in masters.iter().enumerate() {
            let _ = writeln!(
                x,
                "      <mets:file ID=\"SRC_{:04}\" MIMETYPE=\"{mime}\" CHECKSUM=\"{sha}\" CHECKSUMTYPE=\"SHA-256\">\n        \
                 <mets:FLocat LOCTYPE=\"OTHER\" OTHERLOCTYPE=\"INPUT\" xlink:href=\"{}\"/>\n      </mets:file>",
                i + 1,
                esc(&crate::io::file_name(name))
            );
        }
        x.push_str("    </mets:fileGrp>\n");
    }
    x.push_str("  </mets:fileSec>\n");
}

fn physical(x: &mut String, images: &[PageImage], alto: &[AltoFile], masters: &[Master]) {
    let book = &crate::edition::current().book;
    let _ = writeln!(
        x,
        "  <mets:structMap TYPE=\"PHYSICAL\">\n    <mets:div ID=\"PHYS_0000\" TYPE=\"physSequence\" LABEL=\"{}\">",
        esc(&book.title)
    );
    for (i, img) in images.iter().enumerate() {
        let n = i + 1;
        let _ = writeln!(
            x,
            "      <mets:div ID=\"PHYS_{n:04}\" TYPE=\"page\" ORDER=\"{n}\" ORDERLABEL=\"{}\">",
            esc(&folio_label(&img.label))
        );
        let _ = writeln!(x, "        <mets:fptr FILEID=\"IMG_{n:04}\"/>");
        if alto.iter().any(|a| a.label == img.label) {
            let _ = writeln!(x, "        <mets:fptr FILEID=\"ALTO_{n:04}\"/>");
        }
        if let Some(m) = masters.iter().position(|m| m.3.contains(&img.label)) {
            let _ = writeln!(x, "        <mets:fptr FILEID=\"SRC_{:04}\"/>", m + 1);
        }
        x.push_str("      </mets:div>\n");
    }
    x.push_str("    </mets:div>\n  </mets:structMap>\n");
}

/// Writes the LOGICAL map; returns its links to the pages (logical id, page number from 1).
fn logical(x: &mut String, images: &[PageImage], ds: &Dataset) -> Vec<(String, usize)> {
    let book = &crate::edition::current().book;
    let labels: Vec<&str> = images.iter().map(|i| i.label.as_str()).collect();
    let mut links: Vec<(String, usize)> = (1..=images.len())
        .map(|n| ("LOG_0000".to_string(), n))
        .collect();
    let _ = writeln!(
        x,
        "  <mets:structMap TYPE=\"LOGICAL\">\n    <mets:div ID=\"LOG_0000\" TYPE=\"monograph\" LABEL=\"{}\" DMDID=\"DMD_BOOK\">",
        esc(&book.title)
    );
    let contents = super::iiif::contents_pages(ds, &labels);
    if !contents.is_empty() {
        let _ = writeln!(
            x,
            "      <mets:div ID=\"LOG_CONTENTS\" TYPE=\"contents\" LABEL=\"{}\"/>",
            super::iiif::CONTENTS
        );
        links.extend(
            contents
                .iter()
                .map(|&i| ("LOG_CONTENTS".to_string(), i + 1)),
        );
    }
    let mut case_no = 0;
    for (d_no, d) in structure(ds, &labels).iter().enumerate() {
        let id = format!("LOG_D{:02}", d_no + 1);
        let _ = writeln!(
            x,
            "      <mets:div ID=\"{id}\" TYPE=\"chapter\" LABEL=\"{}\">",
            esc(&d.name)
        );
        let mut pages: Vec<usize> = d.pages.clone();
        for c in &d.cases {
            case_no += 1;
            let cid = format!("LOG_C{case_no:03}");
            let _ = writeln!(
                x,
                "        <mets:div ID=\"{cid}\" TYPE=\"section\" LABEL=\"{}\"/>",
                esc(&c.title)
            );
            links.extend(c.pages.iter().map(|&i| (cid.clone(), i + 1)));
            pages.extend(&c.pages);
        }
        pages.sort_unstable();
        pages.dedup();
        links.extend(pages.iter().map(|&i| (id.clone(), i + 1)));
        x.push_str("      </mets:div>\n");
    }
    x.push_str("    </mets:div>\n  </mets:structMap>\n");
    links
}

/// Writes `mets.xml` in `out`.
pub fn write_mets(
    out: &Path,
    images: &[PageImage],
    alto: &[AltoFile],
    ds: &Dataset,
    publication: &Publication,
    date: Option<crate::Date>,
) -> Result<(), ReportError> {
    let path = out.join("mets.xml");
    let xml = mets(images, alto, ds, publication, date);
    write_atomic(&path, xml.as_bytes()).map_err(Into::into)
}
