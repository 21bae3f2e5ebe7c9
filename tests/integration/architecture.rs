//! The stages only look forward: each is a crate, and a crate may depend only on the crates before it
//! (core → input → ocr → book → extract → dataset → publish → pipeline → the command line). Cargo
//! enforces what a crate may name: a stage cannot use a crate it does not depend on. This test is the
//! second guard, on the dependencies themselves: it reads the workspace's graph from `cargo metadata`
//! and fails on any edge, of any kind, to a crate of the same or a later rank. The synthetic generator
//! stays out of the product: only the top package's tests and benches depend on it.

use crate::util::*;

/// Rank of each workspace crate: a crate may depend only on crates of lower rank.
const RANKS: [(&str, u32); 9] = [
    ("greenbook-core", 0),
    ("greenbook-input", 1),
    ("greenbook-ocr", 2),
    ("greenbook-book", 3),
    ("greenbook-extract", 4),
    ("greenbook-dataset", 5),
    ("greenbook-publish", 6),
    ("greenbook-pipeline", 7),
    ("greenbook", 8),
];

/// The developer tool that renders SYNTHETIC pages: it uses the whole product, and only the top
/// package's tests and benches use it.
const GENERATOR: &str = "greenbook-synth";

fn rank(name: &str) -> Option<u32> {
    RANKS.iter().find(|(m, _)| *m == name).map(|(_, r)| *r)
}

/// The workspace's packages and their dependencies, as Cargo resolves them.
fn metadata() -> serde_json::Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every dependency between workspace crates that breaks the order, as "from → to (kind)".
fn back_edges(meta: &serde_json::Value) -> Vec<String> {
    let mut bad = Vec::new();
    for p in meta["packages"].as_array().unwrap() {
        let from = p["name"].as_str().unwrap();
        for d in p["dependencies"].as_array().unwrap() {
            let to = d["name"].as_str().unwrap();
            let kind = d["kind"].as_str().unwrap_or("normal");
            if !to.starts_with("greenbook") {
                continue;
            }
            let allowed = match (from, to) {
                ("greenbook", GENERATOR) => kind == "dev",
                (GENERATOR, _) => true,
                _ => matches!((rank(from), rank(to)), (Some(f), Some(t)) if t < f),
            };
            if !allowed {
                bad.push(format!("{from} → {to} ({kind})"));
            }
        }
    }
    bad
}

#[test]
fn stages_only_look_forward() {
    let meta = metadata();
    let bad = back_edges(&meta);
    assert!(bad.is_empty(), "back edges:\n{}", bad.join("\n"));
    // Every crate has its place in the order, so a new one must be given one here.
    for p in meta["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        assert!(
            rank(name).is_some() || name == GENERATOR,
            "{name}: a workspace crate without a rank"
        );
    }
    // And each stage is really built on the one before it, not merely allowed to be.
    let deps = |name: &str| -> Vec<String> {
        meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(deps("greenbook-ocr").contains(&"greenbook-input".to_string()));
    assert!(deps("greenbook-pipeline").contains(&"greenbook-publish".to_string()));
}

#[test]
fn the_check_finds_a_back_edge() {
    let meta = serde_json::json!({"packages": [
        {"name": "greenbook-ocr", "dependencies": [
            {"name": "greenbook-input", "kind": null},
            {"name": "greenbook-dataset", "kind": null},
        ]},
        {"name": "greenbook-book", "dependencies": [
            {"name": "greenbook-core", "kind": null},
            {"name": "greenbook-publish", "kind": "dev"},
        ]},
        {"name": "greenbook-input", "dependencies": [
            {"name": "greenbook-synth", "kind": "dev"},
            {"name": "image", "kind": null},
        ]},
    ]});
    assert_eq!(
        back_edges(&meta),
        [
            "greenbook-ocr → greenbook-dataset (normal)",
            "greenbook-book → greenbook-publish (dev)",
            "greenbook-input → greenbook-synth (dev)",
        ]
    );
}

/// Cargo itself refuses a stage that names a crate it does not depend on: a two-crate workspace where
/// the earlier crate uses the later one does not build.
#[test]
fn cargo_refuses_a_stage_that_uses_a_later_one() {
    let dir = tmp();
    let ws = dir.path();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nmembers = [\"early\", \"late\"]\nresolver = \"3\"\n",
    )
    .unwrap();
    for (name, deps, code) in [
        ("early", "", "pub fn f() -> u8 { late::g() }\n"),
        (
            "late",
            "early = { path = \"../early\" }\n",
            "pub fn g() -> u8 { 1 }\n",
        ),
    ] {
        std::fs::create_dir_all(ws.join(name).join("src")).unwrap();
        std::fs::write(
            ws.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{deps}"),
        )
        .unwrap();
        std::fs::write(ws.join(name).join("src/lib.rs"), code).unwrap();
    }
    let out = Command::new(env!("CARGO"))
        .args(["check", "--offline", "-q", "-p", "early"])
        .env("CARGO_TARGET_DIR", ws.join("target"))
        .current_dir(ws)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the back edge built");
    assert!(err.contains("late"), "{err}");
    // Declaring the back edge as a dependency instead is a cycle, which Cargo refuses too.
    std::fs::write(
        ws.join("early/Cargo.toml"),
        "[package]\nname = \"early\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nlate = { path = \"../late\" }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(ws)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cycl"), "{err}");
}

#[test]
fn the_synthetic_generator_is_only_a_dev_dependency() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    // No product crate depends on it, in any way.
    for krate in RANKS
        .map(|(name, _)| name)
        .iter()
        .filter(|n| **n != "greenbook")
    {
        let own =
            std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
        assert!(!own.contains(GENERATOR), "{krate} depends on the generator");
    }
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
