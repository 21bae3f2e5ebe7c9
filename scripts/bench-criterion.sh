#!/usr/bin/env bash
# The criterion benches (benches/throughput.rs) in the dev profile — this crate and the hot dependencies
# at opt-level 3, see Cargo.toml; a release build of the whole dependency set takes ~18 min on these
# machines — written into the "criterion" section of BENCHMARKS.md. Usage: scripts/bench-criterion.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
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
write_section criterion "$report"
