#!/usr/bin/env bash
# Engines on book-typeface pages, in one run on the same pages: the tesseract CLI two at a time (xargs
# -P2); greenbook `tesseract`, `hybrid` and `ppocr` with 2 workers; RapidOCR (PyPI, PP-OCRv6 small
# detection and recognition, one thread per process, two processes each given every other page). On
# SYNTHETIC evaluation sets that no setting was chosen on (greenbook-synth eval-set: Ming seed 2 and Kai
# seed 3; settings were chosen on Ming seed 1 and Kai seed 1). Reports seconds, pages/s, the ratio to
# the CLI, peak RSS, CER, community names exact and numbers exact (scripts/ocr-accuracy.py), and writes
# the tables into BENCHMARKS.md. Installs RapidOCR with pip (a benchmark tool, not a dependency).
# Usage: scripts/bench-engines.sh [PAGES_PER_SET]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup --rapidocr
pages=${1:-30}
report="<!-- engines:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-engines.sh $pages\` ($(machine)):
"
for spec in "ming 2" "kai 3"; do
  set -- $spec
  face=$1 seed=$2
  face_rows "$face" "$seed" "$pages" " " tesseract-CLI-P2
  for e in tesseract hybrid ppocr; do
    out=$work/$e-$face
    read -r secs rss < <(ocr_timed "$set_dir" "$out" --engine $e)
    echo "greenbook-$e $secs $rss $out/text" >> "$rows"
  done
  read -r secs rss < <(rapidocr_p2 "$set_dir" "$work/rapid-$face")
  echo "RapidOCR-2-processes $secs $rss $work/rapid-$face" >> "$rows"
  table=$(python3 - "$set_dir" "$rows" "$n" "$face" "$seed" <<'PY'
import subprocess, sys
set_dir, rows, n, face, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = [l.split() for l in open(rows) if l.strip()]
acc = subprocess.run(["python3", "scripts/ocr-accuracy.py", set_dir] + [r[3] for r in rows],
                     capture_output=True, text=True, check=True).stdout.splitlines()
cli = float(rows[0][1])
print(f"\n{face.capitalize()} seed {seed}, {n} pages:\n")
print("| engine | seconds | pages/s | vs CLI | peak RSS | CER | order-free CER | names exact | numbers exact |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r, a in zip(rows, acc):
    name, secs, rss = r[0].replace("-", " "), float(r[1]), int(r[2])
    _, cer, free, names, numbers = a.split("\t")
    mem = f"{rss // 1024} MiB" if rss else "—"
    print(f"| {name} | {secs:.1f} | {n / secs:.2f} | {cli / secs:.2f}× | {mem} | {cer[4:]} | "
          f"{free[15:]} | {names[12:]} | {numbers[14:]} |")
PY
)
  report="$report$table
"
done
report="$report<!-- engines:end -->"
write_section engines "$report"
