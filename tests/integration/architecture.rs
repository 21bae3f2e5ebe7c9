//! The module graph only looks forward: input → ocr → book → extract → store → report → cmd, with text,
//! io and edition as shared leaves. Every `crate::<module>` and `super::…` path in `src/` is read and checked
//! against that order; a back edge fails with the file and line. The synthetic generator stays out of
//! the product: the package does not depend on it outside its dev-dependencies.

use crate::util::*;

/// Rank of each top-level module: a module may use modules of lower rank, and the leaves (rank 0).
const RANKS: [(&str, u32); 10] = [
    ("text", 0),
    ("io", 0),
    ("edition", 0),
    ("input", 1),
    ("ocr", 2),
    ("book", 3),
    ("extract", 4),
    ("store", 5),
    ("report", 6),
    ("cmd", 7),
];

fn rank(module: &str) -> Option<u32> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The top-level module a source file belongs to ("src/ocr/pool.rs" → "ocr"; lib.rs and main.rs → None).
fn owner(path: &Path, src: &Path) -> Option<String> {
    let rel = path.strip_prefix(src).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Top-level modules a line names: `crate::x`, `crate::{x, y::z}`, and `greenbook::x`.
fn named_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["crate::", "greenbook::"] {
        let mut rest = line;
        while let Some(i) = rest.find(prefix) {
            let after = &rest[i + prefix.len()..];
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
            rest = after;
        }
    }
    out
}

/// Every edge from a module to a module it may not use, as "file:line: a → b".
fn back_edges(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for f in files {
        let Some(from) = owner(&f, src) else { continue };
        let from_rank = rank(&from).unwrap_or_else(|| panic!("{from}: module without a rank"));
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for to in named_modules(code) {
                let Some(to_rank) = rank(&to) else { continue };
                // Itself, an earlier stage, or (for anything) a leaf; leaves use only leaves.
                let allowed = to == from || to_rank < from_rank || to_rank == 0;
                if !allowed {
                    bad.push(format!("{}:{}: {from} → {to}", f.display(), i + 1));
                }
            }
            // `super::super::` climbs out of a stage into the crate root.
            if code.contains("super::super::") {
                bad.push(format!(
                    "{}:{}: super::super from {from}",
                    f.display(),
                    i + 1
                ));
            }
        }
    }
    bad
}

#[test]
fn stages_only_look_forward() {
    let bad = back_edges(&root().join("src"));
    assert!(bad.is_empty(), "back edges:\n{}", bad.join("\n"));
}

#[test]
fn the_check_finds_a_back_edge() {
    let dir = tmp();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("input")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod input;\n").unwrap();
    std::fs::write(
        src.join("input/mod.rs"),
        "use crate::io::write_atomic;\nuse crate::{text, store::fmt};\n",
    )
    .unwrap();
    std::fs::write(
        src.join("text.rs"),
        "// crate::report is only named in a comment\n",
    )
    .unwrap();
    assert_eq!(
        back_edges(&src),
        [format!(
            "{}:2: input → store",
            src.join("input/mod.rs").display()
        )]
    );
    std::fs::write(src.join("io.rs"), "fn f() { crate::ocr::run(); }\n").unwrap();
    assert_eq!(back_edges(&src).len(), 2, "a leaf using a stage");
}

#[test]
fn the_synthetic_generator_is_only_a_dev_dependency() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|d| d.split("\n[").next())
        .expect("a [dependencies] table");
    assert!(
        !deps.contains("greenbook-synth"),
        "the product depends on the generator"
    );
    let dev = manifest
        .split("\n[dev-dependencies]\n")
        .nth(1)
        .expect("a [dev-dependencies] table");
    assert!(dev.contains("greenbook-synth"));
    // And `greenbook --help` lists only what users run.
    let help = bin().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for cmd in [
        "run",
        "ocr",
        "store",
        "report",
        "stats",
        "merge",
        "extract",
        "eval-ocr",
        "eval-extract",
    ] {
        assert!(
            help.contains(&format!("  {cmd} ")),
            "{cmd} missing:\n{help}"
        );
    }
    for tool in ["render-scans", "synth-book"] {
        assert!(!help.contains(tool), "{tool} is a developer tool:\n{help}");
    }
}
