#!/usr/bin/env bash
# The digests and what a library publishes, on the committed scans:
# - the 17 digests and the workbook (`greenbook report`), REPS interleaved runs of this build and, when
#   a git revision is given, of that revision built alongside in a worktree (median seconds, ratio);
# - the IIIF manifest and METS of a 322-page book (criterion, `publish` in benches/throughput.rs);
# - the clean build of the binary, this tree against the revision (each in an empty target folder,
#   one after the other), when --clean-build is given.
# Writes the table into BENCHMARKS.md.
# Usage: scripts/bench-publish.sh [REPS] [REVISION] [--clean-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup
reps=${1:-5}
rev=${2:-}
clean=${3:-}
./target/debug/greenbook run scans -q -o output >/dev/null 2>&1
bins=("$bin")
if [ -n "$rev" ]; then
  git worktree add -q --detach "$work/old" "$rev"
  (cd "$work/old" && CARGO_TARGET_DIR="$work/old-target" cargo build -q --bin greenbook)
  bins=("$work/old-target/debug/greenbook" "$bin")
fi
declare -A times
for _ in $(seq "$reps"); do
  for b in "${bins[@]}"; do
    rm -rf "$work/report"
    t0=$(now)
    "$b" report -q --date 2026-11-29 --data output -o "$work/report" >/dev/null
    t1=$(now)
    times[$b]+="$(echo "$t1 - $t0" | bc) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
new_s=$(printf %.3f "$(echo "${times[$bin]}" | median)")
rows="| this tree | $new_s |"
ratio=""
if [ -n "$rev" ]; then
  old_s=$(printf %.3f "$(echo "${times[${bins[0]}]}" | median)")
  rows="| $rev | $old_s |
$rows"
  r=$(echo "$new_s / $old_s" | bc -l)
  ratio="This tree / $rev: **$(printf %.2f "$r")×**."
fi
cargo bench -q --profile dev --bench throughput -- publish 2>/dev/null > "$work/criterion.txt" || true
publish=$(grep -A1 "^publish/" "$work/criterion.txt" | sed -n 's/.*time: *\[\([^]]*\)\].*/\1/p' | head -1)
build=""
if [ "$clean" = --clean-build ] && [ -n "$rev" ]; then
  t0=$(now); CARGO_TARGET_DIR="$work/clean-old" cargo build -q --bin greenbook --manifest-path "$work/old/Cargo.toml"; t1=$(now)
  old_build=$(echo "$t1 - $t0" | bc)
  t0=$(now); CARGO_TARGET_DIR="$work/clean-new" cargo build -q --bin greenbook; t1=$(now)
  new_build=$(echo "$t1 - $t0" | bc)
  old_build=$(printf %.0f "$old_build")
  new_build=$(printf %.0f "$new_build")
  build="

Clean build of the binary (cargo build --bin greenbook, empty target folder, one after the other):
$rev $old_build s, this tree $new_build s."
fi
report="<!-- publish:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-publish.sh $*\` ($(machine)), dev profile.

\`greenbook report\` on the committed scans' data (17 digests and the workbook), $reps interleaved runs, median seconds:

| build | seconds |
|---|---:|
$rows

$ratio

IIIF manifest and METS of a 322-page book (the committed scans' OCR repeated; built and written), criterion: [$publish].$build
<!-- publish:end -->"
write_section publish "$report"
