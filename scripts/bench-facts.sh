#!/usr/bin/env bash
# Facts from writing the rules were not made on: `greenbook extract` over the frozen SYNTHETIC outside
# corpora (tests/data/outside to outside9), each half scored against its gold with
# `greenbook eval-extract`, micro precision, recall and F1 over the six facts and the weakest field;
# the varied set beside them. Writes the `facts` section of BENCHMARKS.md. No timing: it runs in
# seconds. Usage: scripts/bench-facts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
cargo build -q -p greenbook
bench_scratch
rows=""
# corpus gold split label
score() {
  local corpus=$1 gold=$2 split=$3 label=$4
  python3 - "tests/data/$gold" "$split" > "$work/gold.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    g = json.loads(line)
    if sys.argv[2] == "all" or g.get("split") == sys.argv[2]:
        print(line.rstrip("\n"))
PY
  $bin extract -q --jsonl --text "tests/data/$corpus" > "$work/all.jsonl"
  # Only the cases of this half: a case of the other half would count as a wrong figure.
  python3 - "$work/gold.jsonl" "$work/all.jsonl" > "$work/pred.jsonl" <<'PY'
import json, sys
pages = {json.loads(l)["page"] for l in open(sys.argv[1], encoding="utf-8")}
for line in open(sys.argv[2], encoding="utf-8"):
    if json.loads(line).get("page") in pages:
        print(line.rstrip("\n"))
PY
  $bin eval-extract -q --gold "$work/gold.jsonl" --predicted "$work/pred.jsonl" > "$work/scores"
  python3 - "$work/scores" "$label" <<'PY'
import sys
tp = fp = fn = 0
worst = None
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.split()
    if len(f) == 7 and f[1].isdigit():
        a, b, c = int(f[1]), int(f[2]), int(f[3])
        tp, fp, fn = tp + a, fp + b, fn + c
        f1 = 2 * a / (2 * a + b + c) if a + b + c else 1.0
        if worst is None or f1 < worst[1]:
            worst = (f[0].replace("_", " "), f1)
p = tp / (tp + fp) if tp + fp else 1.0
r = tp / (tp + fn) if tp + fn else 1.0
f1 = 2 * tp / (2 * tp + fp + fn)
weak = "—" if worst[1] >= 1.0 else f"{worst[0]} {worst[1]:.3f}"
print(f"| {sys.argv[2]} | {p:.3f} | {r:.3f} | {f1:.3f} | {fp} | {fn} | {weak} |")
PY
}
table="| set | precision | recall | micro F1 | wrong | missing | the weakest field |
|---|---:|---:|---:|---:|---:|---|
$(score outside gold_outside.jsonl tune "outside (o01–o60), tuning half")
$(score outside gold_outside.jsonl report "outside, reporting half (its misses seen before the latest rules)")
$(score outside2 gold_outside2.jsonl all "outside2 (o061–o100), tuned on")
$(score outside3 gold_outside3.jsonl all "outside3 (o101–o120), tuned on")
$(score outside4 gold_outside4.jsonl all "outside4 (o121–o145), tuned on")
$(score outside5 gold_outside5.jsonl all "outside5 (o146–o170), tuned on")
$(score outside6 gold_outside6.jsonl all "outside6 (o171–o190), tuned on")
$(score outside7 gold_outside7.jsonl all "outside7 (o191–o215), tuned on")
$(score outside8 gold_outside8.jsonl all "outside8 (o216–o245), tuned on")
$(score outside9 gold_outside9.jsonl report "**outside9 (o246–o275), never tuned on**")
$(score varied gold_varied.jsonl all "varied profiles (v01–v42)")"
report="<!-- facts:start -->
Measured $(date -u +%Y-%m-%d) by \`scripts/bench-facts.sh\` (\`greenbook extract --jsonl\`, then
\`greenbook eval-extract\` per set; SYNTHETIC profiles):

$table
<!-- facts:end -->"
write_section facts "$report"
