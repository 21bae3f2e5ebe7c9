#!/usr/bin/env bash
# Every benchmark in one run, written into BENCHMARKS.md:
#   1. scripts/bench-ocr.sh   — greenbook OCR vs the tesseract CLI (sequential and xargs -P2), same pages;
#   2. criterion benches      — OCR pages/s (1, 2 workers), extraction MB/s, numerals/s, digests/s;
#   3. scripts/bench-book.sh  — end to end on the synthetic book at 40, 160 and all pages.
# Usage: scripts/bench.sh [SYNTHETIC_BOOK_DIR]   (the book is generated when not given; ~15 min)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bench-ocr.sh
# criterion in the dev profile (this crate at opt-level 1, hot dependencies at 3: see Cargo.toml); a
# release build of the whole dependency set takes ~18 min on these machines.
out=$(OMP_THREAD_LIMIT=1 cargo bench --profile dev --bench throughput -- --noplot 2>/dev/null \
      | grep -E '^[a-z]+/|time:|thrpt:' | sed 's/^ *//')
report=$(cat <<MD
<!-- criterion:start -->
## Criterion benchmarks (\`cargo bench --profile dev --bench throughput\`, $(date -u +%Y-%m-%d))

\`\`\`
$out
\`\`\`
<!-- criterion:end -->
MD
)
python3 - "$report" <<'PY'
import sys, re
r = sys.argv[1]
s = open("BENCHMARKS.md").read()
if "<!-- criterion:start -->" in s:
    s = re.sub(r"<!-- criterion:start -->.*?<!-- criterion:end -->", lambda m: r, s, flags=re.S)
else:
    s = s.rstrip() + "\n\n" + r + "\n"
open("BENCHMARKS.md", "w").write(s)
PY
echo "$report"
./scripts/bench-book.sh "$@"
