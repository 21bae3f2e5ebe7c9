//! A run's pages taken together: duplicates marked, and the halves of spreads labelled from the
//! folios read on them.

use crate::input;
use crate::{PageError, PageErrorKind, PageOcr};

/// A page whose image is byte-identical to an earlier page's is recorded as a duplicate (an error),
/// so it is neither counted twice nor silently dropped.
pub fn mark_duplicates(mut pages: Vec<PageOcr>) -> Vec<PageOcr> {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in 0..pages.len() {
        // The two pages of one spread share their image's hash: each is its own page.
        let Some(sha) = pages[i]
            .reading
            .sha256
            .as_ref()
            .map(|s| format!("{s}{}", pages[i].half.map_or("", |h| h.side.suffix())))
        else {
            continue;
        };
        if pages[i].reading.error.is_some() && pages[i].words.is_empty() {
            continue;
        }
        match first.get(&sha) {
            Some(&j) => {
                let (label, file) = (
                    pages[j].reading.label.clone(),
                    pages[j].reading.file.clone(),
                );
                let p = &mut pages[i];
                p.reading.error = Some(PageError::new(
                    PageErrorKind::Duplicate,
                    format!(
                        "{}: duplicate of page {label} ({file}); not used twice",
                        p.reading.file
                    ),
                ));
            }
            None => {
                first.insert(sha, i);
            }
        }
    }
    pages
}

/// The printed folio of a page: its last line of text, else its first, when that line is a number of
/// one to four digits and nothing else.
pub fn folio_read(text: &str) -> Option<u32> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    [lines.last(), lines.first()]
        .into_iter()
        .flatten()
        .find(|l| (1..=4).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|l| l.parse().ok())
}

/// Gives the two pages of each spread the labels of their printed folios, `p062` and `p063` (as the
/// committed scans are labelled, so `book.pdf`'s page labels and the review page show them): a half
/// whose folio was not read takes the one next to its other half's. A spread keeps `<file>-L` and
/// `-R` when neither folio was read, when the two read are not consecutive (left even, right odd is
/// not required: books differ), or when another page already has that label.
pub fn label_halves(pages: &mut [PageOcr]) {
    use input::spread::Side;
    let mut taken: std::collections::HashSet<String> =
        pages.iter().map(|p| p.reading.label.clone()).collect();
    let mut i = 0;
    while i + 1 < pages.len() {
        let pair = matches!(
            (pages[i].half, pages[i + 1].half),
            (Some(l), Some(r)) if l.side == Side::Left && r.side == Side::Right
        ) && (pages[i].reading.file.as_str(), pages[i].reading.frame)
            == (
                pages[i + 1].reading.file.as_str(),
                pages[i + 1].reading.frame,
            );
        if !pair {
            i += 1;
            continue;
        }
        let read = |p: &PageOcr| {
            p.reading
                .error
                .is_none()
                .then(|| folio_read(&p.reading.text))
                .flatten()
        };
        let left = match (read(&pages[i]), read(&pages[i + 1])) {
            (Some(l), Some(r)) if r == l + 1 => Some(l),
            (Some(l), None) => Some(l),
            (None, Some(r)) if r > 0 => Some(r - 1),
            _ => None,
        };
        if let Some(l) = left {
            let labels = [format!("p{l:03}"), format!("p{:03}", l + 1)];
            if labels.iter().all(|n| !taken.contains(n)) {
                for (k, name) in labels.into_iter().enumerate() {
                    taken.insert(name.clone());
                    pages[i + k].reading.label = name;
                }
            }
        }
        i += 2;
    }
}
