#![no_main]
//! Structure + extraction on arbitrary page texts: never panics, facts point into their sentences.
use greenbook::book::PageText;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Split the input into up to four pages at form feeds, as a book of pages.
    let pages: Vec<PageText> = text
        .split('\u{c}')
        .take(4)
        .enumerate()
        .map(|(i, t)| PageText {
            label: format!("p{:03}", i + 1),
            source: "fuzz".into(),
            text: t.to_string(),
            conf: Some(90.0),
            words: Vec::new(),
            alternates: Vec::new(),
        })
        .collect();
    let book = greenbook::book::read(&pages);
    for case in greenbook::extract::extract(&book, &pages) {
        for f in &case.facts {
            assert!(f.span.0 <= f.span.1 && f.span.1 <= f.sentence.chars().count());
        }
    }
});
