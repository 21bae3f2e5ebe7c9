#![no_main]
//! `manifest.csv` and `corrections.csv` parsing on arbitrary bytes: never panics; every label a
//! manifest yields is a plain, unique name, and every file it names is inside its folder.
use greenbook::io::outputs::name_problem;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("greenbook-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    let manifest = dir.join("manifest.csv");
    std::fs::write(&manifest, data).unwrap();
    if let Ok(pages) = greenbook::input::read_manifest(&manifest) {
        let mut seen = std::collections::HashSet::new();
        for p in &pages {
            assert!(name_problem(&p.label).is_none(), "{:?}", p.label);
            assert!(seen.insert(p.label.clone()), "{:?} twice", p.label);
            assert!(p.path.starts_with(&dir), "{}", p.path.display());
        }
    }
    let corrections = dir.join("corrections.csv");
    std::fs::write(&corrections, data).unwrap();
    if let Ok(rows) = greenbook::dataset::corrections::read(&corrections) {
        for r in &rows {
            assert!(r.note.as_ref().is_none_or(|n| n.chars().count() <= 2000));
            assert!(r.reviewer.as_ref().is_none_or(|n| n.chars().count() <= 100));
        }
    }
});
