use crate::util::*;
use greenbook::dataset::Dataset;
use std::time::{Duration, Instant};

fn cached_pages(cache: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(cache) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_dir(e.path()).ok())
        .flatten()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count()
}

fn snapshot(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = greenbook::dataset::FILES
        .iter()
        .chain(["pages.jsonl", "digests/01-浦东新区.pdf"].iter())
        .map(|n| (n.to_string(), std::fs::read(out.join(n)).unwrap()))
        .collect();
    v.sort();
    v
}

/// A finished run into `out` from a copy of the first pipeline run, so there is something to lose.
fn previous_output(t: &Path) -> PathBuf {
    let out = t.join("out");
    std::fs::create_dir_all(out.join("digests")).unwrap();
    let src = pipeline::output();
    for n in greenbook::dataset::FILES
        .iter()
        .chain(["pages.jsonl", "digests/01-浦东新区.pdf"].iter())
    {
        std::fs::copy(src.join(n), out.join(n)).unwrap();
    }
    out
}

fn start(out: &Path, cache: &Path) -> std::process::Child {
    bin()
        .args([
            "run",
            "scans",
            "-q",
            "--jobs",
            "2",
            "--date",
            "2026-11-29",
            "-o",
        ])
        .arg(out)
        .arg("--cache-dir")
        .arg(cache)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for_cache(cache: &Path, n: usize, child: &mut std::process::Child) {
    let t0 = Instant::now();
    while cached_pages(cache) < n {
        assert!(
            child.try_wait().unwrap().is_none(),
            "run ended before the kill"
        );
        assert!(t0.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn killed_run_keeps_outputs_and_rerun_resumes_from_cache() {
    let t = tmp();
    let out = previous_output(t.path());
    let before = snapshot(&out);
    let cache = t.path().join("cache");
    let mut child = start(&out, &cache);
    wait_for_cache(&cache, 3, &mut child);
    child.kill().unwrap();
    child.wait().unwrap();
    let done = cached_pages(&cache);
    assert!((3..15).contains(&done), "{done} pages cached at the kill");
    // Nothing of the previous run was lost or half-written.
    assert!(snapshot(&out) == before, "outputs changed by a killed run");
    Dataset::read(&out).unwrap();
    // The rerun takes the finished pages from the cache and completes.
    let r = bin()
        .args(["run", "scans", "--date", "2026-11-29", "-o"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    let err = assert_exit(&r, 0);
    let line = err.lines().find(|l| l.starts_with("pages: ")).unwrap();
    let from_cache: usize = line
        .split(", ")
        .find_map(|p| p.strip_suffix(" from cache"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(from_cache >= done, "{line} (cached before: {done})");
    assert_eq!(cached_pages(&cache), 15);
    assert_eq!(Dataset::read(&out).unwrap().cases.len(), 3);
}

#[test]
fn ctrl_c_stops_workers_and_exits_130() {
    let t = tmp();
    let out = previous_output(t.path());
    let before = snapshot(&out);
    let cache = t.path().join("cache");
    let mut child = start(&out, &cache);
    wait_for_cache(&cache, 1, &mut child);
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    // Workers finish the page they are on and take no new one.
    assert!(cached_pages(&cache) < 15);
    assert!(
        snapshot(&out) == before,
        "outputs changed by an interrupted run"
    );
}
