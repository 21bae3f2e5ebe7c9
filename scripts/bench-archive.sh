#!/usr/bin/env bash
# The searchable PDF of a volume: greenbook against OCRmyPDF, in one run on the same pages. OCRmyPDF
# 17.13 (PyPI, pinned) reads a PDF of the page images (img2pdf, lossless) with Tesseract chi_sim, two
# jobs, its default output (PDF/A-2b through Ghostscript); greenbook runs `run` (OCR with the default
# engine, structure, facts, Parquet, digests, ALTO, book.txt and book.pdf) with 2 workers and no cache.
# Each text layer is read back with `pdftotext` and scored against the truth pages like the OCR text
# (scripts/ocr-accuracy.py: CER, community names exact, numbers exact); spaces between two CJK
# characters in the extracted text are counted. Pages: the SYNTHETIC held-out evaluation set (Ming
# seed 2, book typeface). Writes the table into BENCHMARKS.md.
# Usage: scripts/bench-archive.sh [PAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup
pages=${1:-30}
set_dir=$work/ming-2
target/debug/greenbook-synth eval-set -o "$set_dir" --face ming --seed 2 --pages "$pages" 2>/dev/null
n=$(ls "$set_dir"/*.png | wc -l)
python3 -m img2pdf $(ls "$set_dir"/*.png) -o "$work/in.pdf"
t0=$(now)
/usr/bin/time -f "%M" -o "$work/rss-ocrmypdf" python3 -m ocrmypdf -q -l chi_sim --jobs 2 "$work/in.pdf" "$work/ocrmypdf.pdf"
t1=$(now)
ocrmypdf_s=$(echo "$t1 - $t0" | bc)
t0=$(now)
/usr/bin/time -f "%M" -o "$work/rss-greenbook" $bin run "$set_dir" -q --no-cache --jobs 2 -o "$work/gb" 2>/dev/null || true
t1=$(now)
greenbook_s=$(echo "$t1 - $t0" | bc)
# Split each text layer into one file per page, named by the page labels, for ocr-accuracy.py.
python3 - "$set_dir" "$work" <<'PY'
import os, subprocess, sys
set_dir, work = sys.argv[1], sys.argv[2]
labels = sorted(f[:-4] for f in os.listdir(set_dir) if f.endswith(".png"))
for name, pdf in [("ocrmypdf", "ocrmypdf.pdf"), ("greenbook", "gb/book.pdf")]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.join(work, pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    out = os.path.join(work, "layer-" + name)
    os.makedirs(out, exist_ok=True)
    for label, page in zip(labels, text.split("\f")):
        with open(os.path.join(out, label + ".txt"), "w", encoding="utf-8") as f:
            f.write(page)
PY
acc=$(python3 scripts/ocr-accuracy.py "$set_dir" "$work/layer-ocrmypdf" "$work/layer-greenbook")
ocr_acc=$(python3 scripts/ocr-accuracy.py "$set_dir" "$work/gb/text")
spaces() { python3 -c "import re,sys; print(len(re.findall(r'[\u4e00-\u9fff] +[\u4e00-\u9fff，。、；：]', open(sys.argv[1], encoding='utf-8').read())))" "$1"; }
pdftotext -enc UTF-8 "$work/ocrmypdf.pdf" "$work/ocrmypdf.txt"
pdftotext -enc UTF-8 "$work/gb/book.pdf" "$work/greenbook.txt"
row() { # name seconds rss-file accuracy-line spaces-file
  local cer free names numbers
  cer=$(echo "$4" | cut -f2 | sed 's/CER //'); free=$(echo "$4" | cut -f3 | sed 's/order-free CER //')
  names=$(echo "$4" | cut -f4 | sed 's/names exact //'); numbers=$(echo "$4" | cut -f5 | sed 's/numbers exact //')
  printf '| %s | %.1f | %.2f | %.2f× | %s MiB | %s | %s | %s | %s | %s |\n' "$1" "$2" "$(echo "$n / $2" | bc -l)" \
    "$(echo "$ocrmypdf_s / $2" | bc -l)" "$(( $(cat "$3") / 1024 ))" "$cer" "$free" "$names" "$numbers" "$(spaces "$5")"
}
table="| tool | seconds | pages/s | vs OCRmyPDF | peak RSS | text layer CER | order-free CER | names exact | numbers exact | spaces between CJK |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(row "OCRmyPDF 17.13 --jobs 2" "$ocrmypdf_s" "$work/rss-ocrmypdf" "$(echo "$acc" | sed -n 1p)" "$work/ocrmypdf.txt")
$(row "greenbook run --jobs 2 (book.pdf)" "$greenbook_s" "$work/rss-greenbook" "$(echo "$acc" | sed -n 2p)" "$work/greenbook.txt")"
report="<!-- archive:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-archive.sh $pages\` ($(machine)), $n SYNTHETIC Ming pages (held-out seed 2):

$table

greenbook's OCR text of the same run (\`output/text/\`): $(echo "$ocr_acc" | cut -f2-) — the text layer loses nothing.
<!-- archive:end -->"
write_section archive "$report"
