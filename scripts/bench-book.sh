#!/usr/bin/env bash
# End to end on the SYNTHETIC full book (greenbook-synth synth-book), in one run: for the first 40, 160 and all
# pages, `greenbook ocr` alone (the OCR engine time) and `greenbook run` (every stage), wall time, pages/s,
# peak RSS, the run/ocr ratio, and whether time grows linearly; then extraction throughput against OCR
# time and extraction F1 on the synthetic gold (from OCR text and from the truth text).
# Writes the "book" section of BENCHMARKS.md. Usage: scripts/bench-book.sh [BOOK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup
bin=$PWD/$bin
book=${1:-$work/book}
[ -f "$book/manifest.csv" ] || "$PWD/target/debug/greenbook-synth" synth-book --seed 1 -o "$book" 2>/dev/null
total=$(($(wc -l < "$book/manifest.csv") - 1))

rows=""
for n in 40 160 "$total"; do
  sub="$work/sub$n"
  mkdir -p "$sub"
  head -n $((n + 1)) "$book/manifest.csv" > "$sub/manifest.csv"
  tail -n +2 "$sub/manifest.csv" | cut -d, -f2 | while read -r f; do ln -sf "$book/$f" "$sub/$f"; done
  t0=$(now)
  /usr/bin/time -f "%M" -o "$work/rss-ocr$n" $bin ocr "$sub" -q --no-cache --jobs 2 --pages-json "$work/p$n.jsonl" 2>/dev/null || true
  t1=$(now); ocr_s=$(echo "$t1 - $t0" | bc -l)
  t0=$(now)
  /usr/bin/time -f "%M" -o "$work/rss-run$n" $bin run "$sub" -q --no-cache --jobs 2 --date 2026-11-29 -o "$work/out$n" 2> "$work/run$n.log" || true
  t1=$(now); run_s=$(echo "$t1 - $t0" | bc -l)
  rows+="| $n | $(printf %.1f "$ocr_s") | $(printf %.1f "$run_s") | $(echo "scale=2; $n / $run_s" | bc -l) | $(echo "scale=3; $run_s / $n" | bc -l) | $(echo "scale=3; $run_s / $ocr_s" | bc -l)× | $(( $(cat "$work/rss-run$n") / 1024 )) |"$'\n'
done
# OCR against the tesseract CLI on pages the OCR settings were not tuned on: every 8th page of the book
# (mostly dense case pages), CLI two at a time against greenbook with 2 workers, CER against the truth.
held="$work/held"
mkdir -p "$held/img" "$held/truth" "$held/cli"
tail -n +2 "$book/manifest.csv" | cut -d, -f1,2 | awk -F, 'NR % 8 == 3' | while IFS=, read -r label f; do
  ln -sf "$book/$f" "$held/img/$f"; cp "$book/truth/$label.txt" "$held/truth/"
done
held_n=$(ls "$held/img" | wc -l)
t0=$(now); ls "$held"/img/* | tesseract_p2 "$held/cli"; t1=$(now)
held_cli=$(echo "$t1 - $t0" | bc -l)
t0=$(now); $bin ocr "$held/img" -q --no-cache --jobs 2 --text-dir "$held/gb" --pages-json "$held/p.jsonl" 2>/dev/null || true; t1=$(now)
held_gb=$(echo "$t1 - $t0" | bc -l)
held_cer() { $bin eval-ocr --truth "$held/truth" --text "$1" | awk '$1=="all"{print $4}'; }

log="$work/run$total.log"
stage() { grep '^time:' "$log" | tr ',' '\n' | awk -v s="$1" '$0 ~ s {gsub(/[^0-9.]/,"",$NF); print $NF}'; }
ocr_t=$(stage ocr); ext_t=$(stage extract); pq_t=$(stage parquet); rep_t=$(stage report)
bytes=$(cat "$work/out$total"/text/*.txt | wc -c)
mbps=$(echo "scale=1; $bytes / 1000000 / ($ext_t + 0.0001)" | bc -l)
f1() { $bin eval-extract --gold "$book/gold.jsonl" --text "$1" | awk 'NR>1{printf "%s %s, ", $1, $7}'; }
f1_ocr=$(f1 "$work/out$total/text")
f1_truth=$(f1 "$book/truth")
report=$(cat <<MD
<!-- book:start -->
## End to end on the synthetic book (all 80 cases, $total pages)

Run: \`scripts/bench-book.sh\` on $(nproc --all) cores, $(date -u +%Y-%m-%d), greenbook dev profile, 2 workers, cache
off. The book is \`greenbook-synth synth-book --seed 1\` (SYNTHETIC: the real contents, generated cases; see
\`crates/greenbook-synth/src/synth.rs\`). "ocr" is \`greenbook ocr\` alone on the same pages (the OCR engine time);
"run" is every stage (OCR, structure, facts, Parquet, 17 PDF digests).

| pages | ocr s | run s | pages/s (run) | s/page (run) | run / ocr | peak RSS MiB (run) |
|---:|---:|---:|---:|---:|---:|---:|
$rows
Stages of the $total-page run: ocr ${ocr_t} s, structure + extraction ${ext_t} s, Parquet ${pq_t} s, digests ${rep_t} s.
Extraction: $(echo "scale=2; $bytes / 1000000" | bc -l) MB of OCR text in ${ext_t} s ≈ **${mbps} MB/s** (single thread, dev profile),
$(echo "scale=4; 100 * $ext_t / $ocr_t" | bc -l) % of the OCR time.

OCR on every 8th page ($held_n pages, not used to tune the OCR settings): tesseract CLI two at a time
$(printf %.1f "$held_cli") s, CER $(held_cer "$held/cli") %; greenbook 2 workers $(printf %.1f "$held_gb") s, CER $(held_cer "$held/gb") %:
**$(echo "scale=2; $held_cli / $held_gb" | bc -l)×** the CLI's pages/s. These are mostly full case pages, where Tesseract's line recognition
is nearly all the time for both; the committed scans also hold light pages (cover, title, chapter
divider), where the CLI's per-page model loading weighs more.

Extraction F1 against the synthetic gold (80 cases): from OCR text — ${f1_ocr%, }; from the truth text — ${f1_truth%, }.
<!-- book:end -->
MD
)
write_section book "$report"
