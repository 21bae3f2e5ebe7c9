#!/usr/bin/env bash
# Throughput (issue #34), in one run on the same dense book pages: the tesseract CLI two at a time
# (xargs -P2, the baseline); greenbook `ppocr` with each recognition (`--recognition small`, `tiny`,
# and the default `cascade`), 2 workers; RapidOCR (PyPI, PP-OCRv6 small detection and recognition,
# two processes of one thread). On SYNTHETIC case pages (greenbook-synth eval-set, flat 300 DPI) of
# seeds no setting was chosen on (the cascade's bar was chosen on Ming seeds 101 and 303, Kai seed 1
# and the committed scans). Reports seconds, the ratios to the CLI and to RapidOCR, peak RSS, CER,
# order-free CER, names and numbers exact (scripts/ocr-accuracy.py); then the default engine's
# profile (`greenbook ocr --profile`: CPU seconds per step) on the Ming pages. Writes both into
# BENCHMARKS.md. Installs RapidOCR with pip (a benchmark tool, not a dependency).
# Usage: scripts/bench-throughput.sh [PAGES] [MING_SEED] [KAI_SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup --rapidocr
pages=${1:-12}
ming=${2:-707}
kai=${3:-708}
report="<!-- throughput:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-throughput.sh $pages $ming $kai\` ($(machine)):
"
accuracy() { # SET TEXT_DIR → CER | order-free | names | numbers
  python3 scripts/ocr-accuracy.py "$1" "$2" | cut -f2- |
    sed -E 's/CER |order-free CER |names exact |numbers exact //g; s/ \([0-9.]+ %\)//g' | sed 's/\t/ | /g'
}
for spec in "ming $ming" "kai $kai"; do
  set -- $spec
  face=$1 seed=$2
  face_rows "$face" "$seed" "$pages" "|" "tesseract CLI -P2"
  for r in small tiny cascade; do
    out=$work/$r-$face
    read -r secs rss < <(ocr_timed "$set_dir" "$out" --recognition $r)
    name="greenbook \`ppocr --recognition $r\`"
    [ $r = cascade ] && name="greenbook \`ppocr\` (default: cascade)"
    echo "$name|$secs|$rss|$out/text" >> "$rows"
  done
  read -r secs rss < <(rapidocr_p2 "$set_dir" "$work/rapid-$face")
  echo "RapidOCR 3.10.0, 2 processes|$secs|$rss|$work/rapid-$face" >> "$rows"
  cli=$(awk -F'|' 'NR == 1 {print $2}' "$rows")
  rapid=$(awk -F'|' 'END {print $2}' "$rows")
  report+="
${face^} seed $seed, $n images:

| reader | seconds | vs CLI | vs RapidOCR | peak RSS | CER | order-free CER | names | numbers |
|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  while IFS='|' read -r name secs rss dir; do
    mem="—"
    [ "$rss" != 0 ] && mem="$((rss / 1024)) MiB"
    report+="
| $name | $(printf %.1f "$secs") | $(echo "scale=2; $cli / $secs" | bc)× | $(echo "scale=2; $rapid / $secs" | bc)× | $mem | $(accuracy "$set_dir" "$dir") |"
  done < "$rows"
  report+="
"
  if [ "$face" = ming ]; then
    profile=$($bin ocr "$set_dir" -q --no-cache --jobs 2 --profile -o "$work/profile" 2>/dev/null)
  fi
done
report+="
Where the default engine's time goes on the Ming pages (\`greenbook ocr --profile\`, CPU seconds of
both workers per step):

$profile
<!-- throughput:end -->"
write_section throughput "$report"
