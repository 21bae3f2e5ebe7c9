# Shared by the bench-*.sh scripts (sourced, not run): set-up, the tesseract CLI baseline, and writing a
# report section into BENCHMARKS.md.

# Set-up for a timed benchmark: packages, GNU time and bc, a dev build; one OpenMP thread per Tesseract.
bench_setup() {
  ./scripts/setup.sh
  ./scripts/setup.sh --apt time bc
  cargo build -q --workspace
  export OMP_THREAD_LIMIT=1
}

now() { date +%s.%N; }

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
