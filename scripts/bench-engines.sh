#!/usr/bin/env bash
# Engines on book-typeface pages, in one run: the tesseract CLI two at a time (xargs -P2), and greenbook
# `tesseract`, `hybrid` and `ppocr` with 2 workers, on SYNTHETIC evaluation sets that no setting was
# chosen on (greenbook-synth eval-set: Ming seed 2 and Kai seed 3; settings were chosen on Ming seed 1).
# Reports wall time, pages/s, peak RSS, CER, community names exact and numbers exact
# (scripts/ocr-accuracy.py). Usage: scripts/bench-engines.sh [PAGES_PER_SET]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup
pages=${1:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
synth=target/debug/greenbook-synth
bin=target/debug/greenbook
for spec in "ming 2" "kai 3"; do
  set -- $spec
  set_dir=$work/$1-$2
  $synth eval-set -o "$set_dir" --face "$1" --seed "$2" --pages "$pages" 2>/dev/null
  n=$(ls "$set_dir"/*.png | wc -l)
  mkdir -p "$work/cli-$1"
  t0=$(now)
  ls "$set_dir"/*.png | xargs -P2 -I{} sh -c 'tesseract "$1" "$2/$(basename "$1" .png)" -l chi_sim --psm 4 2>/dev/null' _ {} "$work/cli-$1"
  t1=$(now)
  echo "$1 seed $2: $n pages"
  printf '%-10s %8s %8s %10s\n' engine seconds pages/s "peak RSS"
  printf '%-10s %8.1f %8.2f %10s\n' cli-P2 "$(echo "$t1 - $t0" | bc)" "$(echo "$n / ($t1 - $t0)" | bc -l)" -
  dirs="$work/cli-$1"
  for e in tesseract hybrid ppocr; do
    out=$work/$e-$1
    /usr/bin/time -f "%e %M" -o "$work/time" $bin ocr "$set_dir" -q --engine $e --no-cache --jobs 2 \
      -o "$out" --text-dir "$out/text" 2>/dev/null || true
    read -r secs rss < "$work/time"
    printf '%-10s %8.1f %8.2f %7d MiB\n' "$e" "$secs" "$(echo "$n / $secs" | bc -l)" $((rss / 1024))
    dirs="$dirs $out/text"
  done
  python3 scripts/ocr-accuracy.py "$set_dir" $dirs | sed "s|$work/||; s|/text||"
done
