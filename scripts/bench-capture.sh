#!/usr/bin/env bash
# Pages as captured (issue #31), in one run on the same pages: for each capture form of
# `greenbook-synth eval-set --capture` (flat, tilt, worn, spread, photo), on SYNTHETIC Kai pages of a
# seed no setting was chosen on, the tesseract CLI two at a time (xargs -P2), greenbook's default
# engine (`ppocr`: PP-OCR's detector finds the lines, the tiny/small cascade reads them), the same
# with `--recognition small` and with `--layout tesseract`, and RapidOCR (PyPI, PP-OCRv6 small detection and recognition, two processes of one thread). Reports
# seconds, CER, order-free CER, names and numbers exact (scripts/ocr-accuracy.py) and the facts' F1
# (`greenbook eval-extract --pages`, the extraction `run` does), and writes the table into
# BENCHMARKS.md. Installs RapidOCR with pip (a benchmark tool, not a dependency).
# Usage: scripts/bench-capture.sh [SEED] [PAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup --rapidocr
seed=${1:-202}
pages=${2:-8}
f1() { # micro F1 of the six facts over the gold cases, and the cases found: GOLD PAGES
  $bin eval-extract -q --gold "$1" --pages "$2" 2>/dev/null | awk '
    NF == 7 && $2 ~ /^[0-9]+$/ {tp += $2; fp += $3; fn += $4}
    /^cases:/ {found = $6 "/" $2 " cases, " $8 " names exact"}
    END {printf "%.3f (%s)", 2 * tp / (2 * tp + fp + fn + 1e-9), found}'
}
row() { # NAME SECONDS SET TEXT_DIR [PAGES_JSON]
  local acc
  acc=$(python3 scripts/ocr-accuracy.py "$3" "$4" | cut -f2- | sed -E 's/CER |order-free CER |names exact |numbers exact //g; s/ \([0-9.]+ %\)//g')
  local facts="–"
  [ -n "${5:-}" ] && facts=$(f1 "$3/gold.jsonl" "$5")
  echo "| $1 | $(printf %.1f "$2") | $(echo "$acc" | tr '\t' '|' | sed 's/|/ | /g') | $facts |"
}
table="| capture | reader | seconds | CER | order-free CER | names | numbers | facts F1 |
|---|---|---:|---:|---:|---:|---:|---:|"
for form in flat tilt worn spread photo; do
  set_dir=$work/$form
  $synth eval-set -o "$set_dir" --face kai --seed "$seed" --pages "$pages" --capture "$form" 2>/dev/null
  images=$(ls "$set_dir"/*.png "$set_dir"/*.jpg 2>/dev/null || true)
  mkdir -p "$work/cli-$form" "$work/rapid-$form"
  t0=$(now)
  echo "$images" | xargs -P2 -I{} sh -c 'tesseract {} '"$work/cli-$form"'/$(basename {} | sed "s/\.[a-z]*$//") -l chi_sim --psm 4 2>/dev/null'
  t1=$(now)
  table+="
$(row "$form | tesseract CLI -P2" "$(echo "$t1 - $t0" | bc)" "$set_dir" "$work/cli-$form")"
  for flags in "" "--recognition small" "--layout tesseract"; do
    out=$work/$(echo "x$flags" | tr -cd 'a-z')-$form
    t0=$(now)
    $bin ocr "$set_dir" -q $flags --no-cache --jobs 2 -o "$out" --text-dir "$out/text" 2>/dev/null || true
    t1=$(now)
    name="greenbook \`ppocr${flags:+ $flags}\`"
    table+="
$(row "$form | $name" "$(echo "$t1 - $t0" | bc)" "$set_dir" "$out/text" "$out/pages.jsonl")"
  done
  odd=$(echo "$images" | awk 'NR % 2 == 1')
  even=$(echo "$images" | awk 'NR % 2 == 0')
  t0=$(now)
  python3 scripts/rapidocr-pages.py models "$work/rapid-$form" $odd 2>/dev/null &
  python3 scripts/rapidocr-pages.py models "$work/rapid-$form" $even 2>/dev/null
  wait
  t1=$(now)
  table+="
$(row "$form | RapidOCR 3.10.0, 2 processes" "$(echo "$t1 - $t0" | bc)" "$set_dir" "$work/rapid-$form")"
done
report="<!-- capture:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-capture.sh $seed $pages\` ($(machine);
SYNTHETIC Kai pages, seed $seed, $pages case pages per form):

$table
<!-- capture:end -->"
write_section capture "$report"
