# Shared by the bench-*.sh scripts (sourced, not run): set-up, the tesseract CLI baseline, and writing a
# report section into BENCHMARKS.md.

# Set-up for a timed benchmark: packages, GNU time and bc, a dev build; one OpenMP thread per Tesseract;
# with --rapidocr, RapidOCR too (rapidocr_setup); then a scratch folder (bench_scratch).
bench_setup() {
  ./scripts/setup.sh
  ./scripts/setup.sh --apt time bc
  cargo build -q --workspace
  export OMP_THREAD_LIMIT=1
  if [ "${1:-}" = --rapidocr ]; then rapidocr_setup; fi
  bench_scratch
}

now() { date +%s.%N; }

# The machine, for a report's first line: "2 cores, AMD EPYC … with AVX-512" (ONNX Runtime's speed
# depends most on AVX-512).
machine() {
  local cpu avx
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  avx=$(grep -q avx512f /proc/cpuinfo && echo "with AVX-512" || echo "without AVX-512")
  echo "$(nproc --all) cores, $cpu $avx"
}

# A scratch folder removed on exit, and the dev binaries: sets work, synth and bin.
bench_scratch() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  synth=target/debug/greenbook-synth
  bin=target/debug/greenbook
}

# A SYNTHETIC evaluation set of PAGES pages in FACE, seed SEED, in DIR (greenbook-synth eval-set, with
# any further flags); prints how many page images it holds. Usage: eval_set FACE SEED PAGES DIR [FLAG…]
eval_set() {
  local face=$1 seed=$2 pages=$3 dir=$4
  shift 4
  $synth eval-set -o "$dir" --face "$face" --seed "$seed" --pages "$pages" "$@" 2>/dev/null
  ls "$dir"/*.png | wc -l
}

# The baseline's seconds on the PNG pages of SET_DIR, its text in OUT_DIR. Usage: cli_seconds SET_DIR OUT_DIR
cli_seconds() {
  local t0 t1
  mkdir -p "$2"
  t0=$(now)
  ls "$1"/*.png | tesseract_p2 "$2"
  t1=$(now)
  echo "$t1 - $t0" | bc
}

# One face's SYNTHETIC set for a table of readers (eval_set, in $work/FACE-SEED) and its rows file
# begun with the tesseract CLI baseline; sets set_dir, n (its images) and rows. A row is NAME, seconds,
# peak RSS (KiB, 0 when not measured) and the folder of its text, separated by SEP.
# Usage: face_rows FACE SEED PAGES SEP NAME
face_rows() {
  local face=$1 seed=$2 pages=$3 sep=$4 name=$5
  set_dir=$work/$face-$seed
  n=$(eval_set "$face" "$seed" "$pages" "$set_dir")
  rows=$work/rows-$face
  echo "$name$sep$(cli_seconds "$set_dir" "$work/cli-$face")${sep}0$sep$work/cli-$face" > "$rows"
}

# greenbook's OCR stage on SET_DIR, two jobs, no cache, its text in OUT_DIR/text, with ARGS (the engine
# and its flags); prints its seconds and peak RSS (KiB). Usage: ocr_timed SET_DIR OUT_DIR [ARGS...]
ocr_timed() {
  local set_dir=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" $bin ocr "$set_dir" -q --no-cache --jobs 2 -o "$out" \
    --text-dir "$out/text" "$@" 2>/dev/null || true
  tail -1 "$work/time"
}

# RapidOCR from PyPI, the comparison the bench-*.sh scripts run (a benchmark tool, not a dependency).
rapidocr_setup() {
  python3 -m pip install -q --disable-pip-version-check rapidocr==3.10.0 onnxruntime==1.32.0 2>&1 |
    grep -v -i warning >&2 || true
}

# The baseline: the plain tesseract CLI two at a time (xargs -P2), chi_sim, psm 4, one .txt per page.
# Usage: tesseract_p2 OUT_DIR < list of image paths
tesseract_p2() {
  xargs -P2 -I{} sh -c 'tesseract {} '"$1"'/$(basename {} .png) -l chi_sim --psm 4 2>/dev/null'
}

# RapidOCR on the PNG pages of SET_DIR in two processes (every other page each), one .txt per page in
# OUT_DIR; prints the seconds and the two processes' peak RSS summed (KiB). Usage: rapidocr_p2 SET_DIR OUT_DIR
rapidocr_p2() {
  local scratch t0 t1
  scratch=$(mktemp -d)
  mkdir -p "$2"
  ls "$1"/*.png | awk 'NR%2==1' > "$scratch/odd"
  ls "$1"/*.png | awk 'NR%2==0' > "$scratch/even"
  t0=$(now)
  for half in odd even; do
    /usr/bin/time -f "%M" -o "$scratch/rss-$half" python3 scripts/rapidocr-pages.py models "$2" \
      $(cat "$scratch/$half") 2>/dev/null &
  done
  wait
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc) $(($(cat "$scratch/rss-odd") + $(cat "$scratch/rss-even")))"
  rm -rf "$scratch"
}

# Replaces the section between <!-- NAME:start --> and <!-- NAME:end --> of BENCHMARKS.md with REPORT
# (which carries the markers), or appends it, then prints it. Usage: write_section NAME "$REPORT"
write_section() {
  touch BENCHMARKS.md
  python3 - "$1" "$2" <<'PY'
import re, sys
name, r = sys.argv[1], sys.argv[2]
s = open("BENCHMARKS.md").read()
start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
if start in s:
    s = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: r, s, flags=re.S)
else:
    s = s.rstrip() + "\n\n" + r + "\n"
open("BENCHMARKS.md", "w").write(s)
PY
  echo "$2"
}
