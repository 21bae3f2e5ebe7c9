//! Progress per phase, behind a trait: a bar with count and ETA on a terminal, plain log lines otherwise,
//! nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub trait Progress: Sync {
    fn start(&self, phase: &str, total: u64);
    fn inc(&self, n: u64);
    fn finish(&self);
}

/// No output at all.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
}

/// An `indicatif` bar on a terminal; otherwise a log line per tenth of the work.
pub struct Reporter {
    bar: Mutex<Option<indicatif::ProgressBar>>,
    plain: Mutex<(String, u64)>,
    done: AtomicU64,
}

impl Default for Reporter {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter {
    pub fn new() -> Self {
        Reporter {
            bar: Mutex::new(None),
            plain: Mutex::new((String::new(), 0)),
            done: AtomicU64::new(0),
        }
    }
}

impl Progress for Reporter {
    fn start(&self, phase: &str, total: u64) {
        self.done.store(0, Ordering::SeqCst);
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            let style = indicatif::ProgressStyle::with_template(
                "{prefix:>8} [{bar:30}] {pos}/{len} {elapsed_precise} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(phase.to_string());
            *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
        } else {
            eprintln!("{phase}: {total} to do");
            *self.plain.lock().unwrap_or_else(|e| e.into_inner()) = (phase.to_string(), total);
        }
    }

    fn inc(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::SeqCst) + n;
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            bar.inc(n);
            return;
        }
        let plain = self.plain.lock().unwrap_or_else(|e| e.into_inner());
        let step = (plain.1 / 10).max(1);
        if done.is_multiple_of(step) || done == plain.1 {
            eprintln!("{}: {done}/{}", plain.0, plain.1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }
}
