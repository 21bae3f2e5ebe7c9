use crate::util::*;
use greenbook::store::Dataset;

#[test]
fn three_shards_merge_to_the_single_process_result_and_a_missing_part_is_named() {
    let t = tmp();
    let parts = t.path().join("parts");
    let cache = t.path().join("cache");
    let shard = |how: &str| {
        let mut c = bin();
        c.args(["ocr", "scans", "-q", "--jobs", "1", "--parts-dir"])
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
        p.ocr_ms = 0;
    }
    assert_eq!(a, b);
    assert!(
        std::fs::read(single.join("digests/01-浦东新区.pdf")).unwrap()
            == std::fs::read(merged.join("digests/01-浦东新区.pdf")).unwrap()
    );

    // Without part 1, merge names the missing pages and fails with exit code 4.
    std::fs::remove_file(parts.join("part-0001-of-0003.jsonl")).unwrap();
    let r = bin()
        .args(["merge", "scans", "-q", "--parts-dir"])
        .arg(&parts)
        .arg("-o")
        .arg(t.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(4));
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
    use greenbook::cmd::ocr::Shard;
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
    assert_eq!(r.status.code(), Some(2));
}
