//! Where the OCR stage's time goes: each step of reading a page adds its time to a process-wide
//! counter, summed over the workers (so the totals are CPU seconds, not wall time). `greenbook ocr
//! --profile` prints them; `scripts/bench-profile.sh` writes them into BENCHMARKS.md.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A step of reading a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the file and decoding the image.
    Decode,
    /// Blank check, photo and spread detection, skew measured and levelled.
    Prepare,
    /// The text detector's network.
    DetectInference,
    /// Cutting the detector's map into boxes.
    DetectPost,
    /// Cropping each line level, trimming and scaling it, and filling the network's input.
    Crop,
    /// The recognizer's network.
    RecognizeInference,
    /// CTC decoding of the recognizer's output.
    Decoding,
    /// Tesseract's layout analysis, when it finds the lines.
    Layout,
    /// What no other step names: orientation, reading order, words, hOCR.
    Other,
    /// Writing text, ALTO, hOCR, the cache and the page records.
    Write,
}

/// Every step, in the order a page goes through them.
pub const STEPS: [Step; 9] = [
    Step::Decode,
    Step::Prepare,
    Step::Layout,
    Step::DetectInference,
    Step::DetectPost,
    Step::Crop,
    Step::RecognizeInference,
    Step::Decoding,
    Step::Write,
];

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Decode => "decode",
            Step::Prepare => "prepare (blank, photo, spread, skew, level)",
            Step::Layout => "layout (Tesseract)",
            Step::DetectInference => "detection inference",
            Step::DetectPost => "detection post-processing",
            Step::Crop => "crop, trim, scale lines",
            Step::RecognizeInference => "recognition inference",
            Step::Decoding => "CTC decoding",
            Step::Other => "other (orientation, reading order, words)",
            Step::Write => "write",
        }
    }

    /// Whether the step is a network's inference.
    pub fn is_inference(self) -> bool {
        matches!(self, Step::DetectInference | Step::RecognizeInference)
    }

    fn index(self) -> usize {
        STEPS
            .iter()
            .position(|&s| s == self)
            .unwrap_or(STEPS.len() - 1)
    }
}

static NANOS: [AtomicU64; STEPS.len()] = [const { AtomicU64::new(0) }; STEPS.len()];
/// Whole pages, from the file read to the page's result (all steps but writing, and what no step
/// names: orientation, reading order, words).
static PAGES: AtomicU64 = AtomicU64::new(0);

/// Adds the time since `start` to the whole pages' time.
pub fn add_page(start: Instant) {
    let nanos = start.elapsed().as_nanos().min(u64::MAX as u128) as u64;
    PAGES.fetch_add(nanos, Ordering::Relaxed);
}

/// Runs `f`, adding its time to `step`.
pub fn time<R>(step: Step, f: impl FnOnce() -> R) -> R {
    let start = Instant::now();
    let r = f();
    add(step, start);
    r
}

/// Adds the time since `start` to `step`.
pub fn add(step: Step, start: Instant) {
    let nanos = start.elapsed().as_nanos().min(u64::MAX as u128) as u64;
    NANOS[step.index()].fetch_add(nanos, Ordering::Relaxed);
}

/// The seconds spent in each step so far, in [`STEPS`] order.
pub fn totals() -> Vec<(Step, f64)> {
    STEPS
        .iter()
        .map(|&s| (s, NANOS[s.index()].load(Ordering::Relaxed) as f64 / 1e9))
        .collect()
}

/// The profile as a Markdown table: each step's CPU seconds, per page and share; then the share of
/// inference.
pub fn table(pages: usize) -> String {
    let mut totals = totals();
    let in_page: f64 = totals
        .iter()
        .filter(|t| t.0 != Step::Write)
        .map(|t| t.1)
        .sum();
    let page = PAGES.load(Ordering::Relaxed) as f64 / 1e9;
    let other = (page - in_page).max(0.0);
    let write = totals.pop().filter(|t| t.0 == Step::Write);
    totals.push((Step::Other, other));
    totals.extend(write);
    let all: f64 = totals.iter().map(|t| t.1).sum::<f64>().max(1e-9);
    let per = |s: f64| s * 1000.0 / pages.max(1) as f64;
    let mut out = String::from("| step | CPU s | ms per page | share |\n|---|---:|---:|---:|\n");
    for (step, s) in totals.iter().filter(|t| t.1 > 0.0) {
        out += &format!(
            "| {} | {:.2} | {:.0} | {:.1} % |\n",
            step.name(),
            s,
            per(*s),
            100.0 * s / all
        );
    }
    let inference: f64 = totals
        .iter()
        .filter(|t| t.0.is_inference())
        .map(|t| t.1)
        .sum();
    out += &format!(
        "| **all** | {:.2} | {:.0} | 100 % |\n\nInference: {:.1} % of the time measured.\n",
        all,
        per(all),
        100.0 * inference / all
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_add_up_and_the_table_gives_the_share_of_inference() {
        time(Step::RecognizeInference, || {
            std::thread::sleep(std::time::Duration::from_millis(30))
        });
        time(Step::Crop, || {
            std::thread::sleep(std::time::Duration::from_millis(10))
        });
        let t = totals();
        let rec = t
            .iter()
            .find(|s| s.0 == Step::RecognizeInference)
            .unwrap()
            .1;
        assert!(rec >= 0.03, "{rec}");
        let table = table(2);
        assert!(table.contains("| recognition inference |"), "{table}");
        assert!(table.contains("Inference: "), "{table}");
    }
}
