use crate::util::*;
use greenbook::dataset::Dataset;

#[test]
fn three_shards_merge_to_the_single_process_result_and_a_missing_part_is_named() {
    let t = tmp();
    let parts = t.path().join("parts");
    let cache = t.path().join("cache");
    let shard = |how: &str| {
        let mut c = bin();
        // Round-robin, so that the pages a lost part held are known below (the default split,
        // by size, is run end to end by scripts/test-slurm.sh).
        c.args([
            "ocr",
            "scans",
            "-q",
            "--jobs",
            "1",
            "--balance",
            "round-robin",
        ])
        .arg("--parts-dir")
        .arg(&parts)
        .arg("--cache-dir")
        .arg(&cache)
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_ID");
        match how {
            // The three ways a shard learns its index: flag, Kubernetes, Slurm.
            "flag" => {
                c.args(["--shard", "0/3"]);
            }
            "k8s" => {
                c.env("JOB_COMPLETION_INDEX", "1").args(["--shards", "3"]);
            }
            _ => {
                c.env("SLURM_ARRAY_TASK_ID", "3")
                    .env("SLURM_ARRAY_TASK_MIN", "1")
                    .env("SLURM_ARRAY_TASK_COUNT", "3");
            }
        }
        c.stderr(std::process::Stdio::piped()).spawn().unwrap()
    };
    let children: Vec<_> = ["flag", "k8s", "slurm"].into_iter().map(shard).collect();
    for c in children {
        let r = c.wait_with_output().unwrap();
        assert_exit(&r, 0);
    }
    let mut names: Vec<String> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "part-0000-of-0003.jsonl",
            "part-0001-of-0003.jsonl",
            "part-0002-of-0003.jsonl"
        ]
    );
    let merged = t.path().join("merged");
    let r = bin()
        .args([
            "merge",
            "scans",
            "-q",
            "--date",
            "2026-11-29",
            "--parts-dir",
        ])
        .arg(&parts)
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    // Identical to the single-process run (OCR times aside, which are wall-clock).
    let single = pipeline::output();
    for name in ["contents.parquet", "cases.parquet", "facts.parquet"] {
        assert!(
            std::fs::read(single.join(name)).unwrap() == std::fs::read(merged.join(name)).unwrap(),
            "{name} differs between sharded and single-process runs"
        );
    }
    let (mut a, mut b) = (
        Dataset::read(single).unwrap(),
        Dataset::read(&merged).unwrap(),
    );
    for p in a.pages.iter_mut().chain(b.pages.iter_mut()) {
        p.reading.millis = 0;
    }
    assert_eq!(a, b);
    // Every other output too, byte for byte: the digests, the workbook, the review page and the
    // archive's page text, ALTO, book.txt and book.pdf (a merge once left out the page text).
    let (a, b) = (files_under(single), files_under(&merged));
    assert_eq!(a, b, "the merged output has different files");
    // The run manifests list the same files (their hashes differ where pages.parquet's timings do).
    let listed = |d: &Path| {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
        m["files"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(single), listed(&merged));
    for rel in a.iter().filter(|r| {
        ![
            "pages.jsonl",
            "pages.parquet",
            "run.json",
            ".greenbook.lock",
        ]
        .contains(&r.as_str())
    }) {
        assert!(
            std::fs::read(single.join(rel)).unwrap() == std::fs::read(merged.join(rel)).unwrap(),
            "{rel} differs between sharded and single-process runs"
        );
    }
    assert!(a.iter().any(|r| r == "text/p002.txt") && a.iter().any(|r| r == "book.pdf"));

    // Without part 1, merge names the missing pages and fails with exit code 4.
    std::fs::remove_file(parts.join("part-0001-of-0003.jsonl")).unwrap();
    let r = bin()
        .args(["merge", "scans", "-q", "--parts-dir"])
        .arg(&parts)
        .arg("-o")
        .arg(t.path().join("bad"))
        .output()
        .unwrap();
    assert_exit(&r, 4);
    let err = String::from_utf8_lossy(&r.stderr);
    // Shard 1 of 3 had pages 1, 4, 7, 10, 13 in book order: f02, f05, p001, p004, p007.
    for label in ["f02", "f05", "p001", "p004", "p007"] {
        assert!(err.contains(label), "{label} not named: {err}");
    }
    assert!(err.contains("5 page(s) missing"), "{err}");
    assert!(!t.path().join("bad/cases.parquet").exists());
}

#[test]
fn shard_flags_and_scheduler_environment() {
    use greenbook::pipeline::ocr_stage::Shard;
    assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
    assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err());
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "4")]), Some(5)),
        Ok(Some(Shard { index: 4, count: 5 }))
    );
    assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "4")]), None).is_err());
    assert_eq!(
        Shard::from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "8")
            ]),
            None
        ),
        Ok(Some(Shard { index: 7, count: 8 }))
    );
    assert_eq!(Shard::from_env(env(&[]), None), Ok(None));
    let owned: Vec<usize> = (0..10)
        .filter(|i| Shard { index: 1, count: 3 }.owns(*i))
        .collect();
    assert_eq!(owned, [1, 4, 7]);
    let r = bin().args(["ocr", "--shard", "5/2"]).output().unwrap();
    assert_exit(&r, 2);
}

/// The files under `dir` (relative, `/`-separated, sorted), without the cache and the part files.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(base: &std::path::Path, d: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "cache" || rel == "parts" {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// docs/scale-out.md prints the deployment files the tests run (scripts/test-slurm.sh submits
/// deploy/slurm/, scripts/test-deploy.sh validates deploy/k8s/), byte for byte.
#[test]
fn the_docs_print_the_deploy_files_exactly() {
    let doc = std::fs::read_to_string("docs/scale-out.md").unwrap();
    for f in [
        "deploy/k8s/greenbook-jobs.yaml",
        "deploy/slurm/ocr.sbatch",
        "deploy/slurm/merge.sbatch",
    ] {
        let body = std::fs::read_to_string(f).unwrap();
        assert!(
            doc.contains(&format!("\n{body}```\n")),
            "docs/scale-out.md does not print {f} as it is"
        );
    }
}

#[test]
fn size_balanced_shards_take_every_page_once_and_even_out_the_weight() {
    use greenbook::pipeline::ocr_stage::{Balance, Shard};
    let weights = [900, 100, 100, 100, 800, 100, 100, 700, 100, 100];
    let shard = |index| Shard { index, count: 3 };
    for balance in [Balance::Size, Balance::RoundRobin] {
        let mut all: Vec<usize> = (0..3)
            .flat_map(|i| shard(i).pages(&weights, balance))
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>(), "{balance:?}");
    }
    let load = |balance| -> Vec<u64> {
        (0..3)
            .map(|i| {
                shard(i)
                    .pages(&weights, balance)
                    .iter()
                    .map(|&p| weights[p])
                    .sum()
            })
            .collect()
    };
    // Heaviest first, each to the lightest shard: the three heavy pages land on three shards.
    assert_eq!(load(Balance::Size), [1100, 1000, 1000]);
    assert_eq!(load(Balance::RoundRobin), [1200, 1600, 300]);
    assert_eq!(shard(1).pages(&weights, Balance::Size), [2, 4, 6]);
}
