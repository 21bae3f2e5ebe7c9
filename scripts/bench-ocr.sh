#!/usr/bin/env bash
# OCR side by side on the committed scans, in one run: the plain tesseract CLI (sequential, and two at a
# time with xargs -P2) against greenbook with 1 and 2 workers, in REPS (default 3) interleaved
# repetitions. Median pages/s, the ratio of every repetition, CER, peak RSS.
# Writes the "OCR" section to BENCHMARKS.md (between the markers). Usage: scripts/bench-ocr.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup
pages=$(ls scans/*.png)
n=$(echo "$pages" | wc -l)
cores=$(nproc --all)
cer() { $bin eval-ocr --truth scans/truth --text "$1" | awk '$1=="all"{print $4}'; }

reps=${REPS:-3}
timed() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l; }
cli_seq() { for p in $pages; do tesseract "$p" "$work/seq/$(basename "$p" .png)" -l chi_sim --psm 4 2>/dev/null; done; }
cli_par() { echo "$pages" | tesseract_p2 "$work/par"; }
gb() { # jobs
  /usr/bin/time -f "%M" -o "$work/rss$1" $bin ocr scans -q --no-cache --jobs "$1" --text-dir "$work/gb$1" --pages-json "$work/pages$1.jsonl"
}
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mkdir -p "$work/seq" "$work/par"
# Interleaved repetitions, so that a noisy minute hits both sides; the report gives medians and the
# ratio of every repetition.
seq_all="" par_all="" gb1_all="" gb2_all="" ratios=""
for r in $(seq "$reps"); do
  p=$(timed cli_par); g2=$(timed gb 2); s=$(timed cli_seq); g1=$(timed gb 1)
  par_all="$par_all $p" gb2_all="$gb2_all $g2" seq_all="$seq_all $s" gb1_all="$gb1_all $g1"
  ratios="$ratios $(echo "scale=3; $p / $g2" | bc -l)"
  echo "repetition $r: CLI -P2 $p s, greenbook --jobs 2 $g2 s, CLI sequential $s s, greenbook --jobs 1 $g1 s" >&2
done
seq_s=$(echo $seq_all | median) par_s=$(echo $par_all | median)
gb1_s=$(echo $gb1_all | median) gb2_s=$(echo $gb2_all | median)
rate() { echo "scale=3; $n / $1" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
report=$(cat <<MD
<!-- ocr:start -->
## OCR throughput and accuracy (committed scans, $n pages)

Run: \`scripts/bench-ocr.sh\` on $cores cores, $(date -u +%Y-%m-%d), tesseract $(tesseract --version 2>&1 | head -1 | awk '{print $2}'),
chi_sim from Debian, \`OMP_THREAD_LIMIT=1\` everywhere, psm 4 for both, greenbook dev profile, cache off.
$reps interleaved repetitions; wall times are medians.

| run | wall s | pages/s | CER % | peak RSS MiB |
|---|---:|---:|---:|---:|
| tesseract CLI, sequential | $(printf %.2f "$seq_s") | $(rate "$seq_s") | $(cer "$work/seq") | |
| tesseract CLI, two at a time (xargs -P2) | $(printf %.2f "$par_s") | $(rate "$par_s") | $(cer "$work/par") | |
| greenbook ocr --jobs 1 | $(printf %.2f "$gb1_s") | $(rate "$gb1_s") | $(cer "$work/gb1") | $(( $(cat "$work/rss1") / 1024 )) |
| greenbook ocr --jobs 2 | $(printf %.2f "$gb2_s") | $(rate "$gb2_s") | $(cer "$work/gb2") | $(( $(cat "$work/rss2") / 1024 )) |

Ratio greenbook 2 workers / CLI two at a time: **$(ratio "$par_s" "$gb2_s")×** pages/s (target ≥ 1.25×);
per repetition: $(echo $ratios | sed 's/ /×, /g')×.
Ratio greenbook 1 worker / CLI sequential: $(ratio "$seq_s" "$gb1_s")×.
<!-- ocr:end -->
MD
)
write_section ocr "$report"
