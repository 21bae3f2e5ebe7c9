#!/usr/bin/env bash
# The Slurm recipe of docs/scale-out.md, run for real: a one-node Slurm cluster on localhost (munged,
# slurmctld, slurmd with 2 CPUs; a config in a temp folder; plugins that need no cgroups) runs the
# exact job scripts in deploy/slurm/ (which the docs print) over the committed scans, 3 OCR shards as a
# job array and the merge as a dependent job. The outputs must equal a single-process `greenbook run`.
# The daemons are stopped on every exit path, and the script checks that none is left.
#
#   scripts/test-slurm.sh                 # installs slurm-wlm and munge if missing (root or sudo)
#   scripts/test-slurm.sh --bin-dir DIR   # the greenbook in DIR, not built here (CI: the one its
#                                         # tests ran)
#
# Environment: SLURM_TEST_TIMEOUT (seconds to wait for the jobs, default 900), SLURM_TEST_KEEP=1
# (keep the temp folder for inspection).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
timeout_s="${SLURM_TEST_TIMEOUT:-900}"
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }

"$root/scripts/setup.sh" --apt slurm-wlm munge
[ "$(id -u)" -eq 0 ] || fail "run as root: the test cluster's daemons run as the user who starts them (SlurmUser=root)"

if [ "${1:-}" = --bin-dir ]; then
  bin_dir="${2:?--bin-dir needs a folder}"
  [ -x "$bin_dir/greenbook" ] || fail "--bin-dir $bin_dir: no greenbook there"
else
  (cd "$root" && cargo build -q --bin greenbook)
  bin_dir="${CARGO_TARGET_DIR:-$root/target}/debug"
fi

work="$(mktemp -d /tmp/greenbook-slurm.XXXXXX)"
chmod 700 "$work"
pids=()
stop_all() {
  local rc=$?
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
    scontrol shutdown >/dev/null 2>&1
  fi
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  # Job steps a killed slurmd left behind.
  pkill -f "slurmstepd.*$work" 2>/dev/null
  if [ $rc -ne 0 ]; then
    for log in "$work"/*.log "$work"/submit/*.out; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then echo "test-slurm: kept $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# munge: its own key, socket and logs, all in the temp folder.
mkdir -m 711 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munged.log" \
  --seed-file="$work/munge/munged.seed" 2>"$work/munged.out" &
pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged did not start (see $work/munged.log)"

host="$(hostname -s)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir -p "$work/state" "$work/spool" "$work/submit"
cat > "$work/slurm.conf" <<EOF
ClusterName=greenbook-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 120); do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  [ "$state" = "idle" ] && break
  sleep 0.5
done
[ "$state" = "idle" ] || fail "the node did not come up idle within 60 s (state: '${state:-none}')"
echo "test-slurm: one-node cluster up ($host, 2 CPUs, Slurm $(sinfo -V | cut -d' ' -f2))" >&2

# The shared folder of the recipe: the committed scans, copied (the shards read only inside it).
shared="$work/shared"
mkdir -p "$shared"
cp -r "$root/scans" "$shared/scans"
export GREENBOOK_SHARED="$shared" PATH="$bin_dir:$PATH" SOURCE_DATE_EPOCH=1700000000
export OMP_THREAD_LIMIT=1

# The submission, as docs/scale-out.md prints it, with 3 shards.
cd "$work/submit"
t0=$(date +%s.%N)
jid=$(sbatch --parsable --array=0-2 "$root/deploy/slurm/ocr.sbatch")
mjid=$(sbatch --parsable --dependency=afterok:"$jid" "$root/deploy/slurm/merge.sbatch")
echo "test-slurm: submitted OCR array $jid (3 shards) and merge $mjid" >&2
deadline=$(( $(date +%s) + timeout_s ))
while [ -n "$(squeue -h -j "$jid,$mjid" -o %i 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "jobs still queued or running after ${timeout_s} s: $(squeue -h -j "$jid,$mjid" -o '%i %T %r' | tr '\n' ';')"
  sleep 1
done
t1=$(date +%s.%N)
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' '; }
for j in "$jid" "$mjid"; do
  s="$(job_state "$j")"
  [ "$s" = "JobState=COMPLETED " ] || fail "job $j ended as '${s:-unknown}'"
done
parts=$(ls "$shared/run-1/parts" | tr '\n' ' ')
[ "$parts" = "part-0000-of-0003.jsonl part-0001-of-0003.jsonl part-0002-of-0003.jsonl " ] \
  || fail "unexpected part files: $parts"

# The same book in one process.
t2=$(date +%s.%N)
greenbook run "$shared/scans" -o "$work/single" -q
t3=$(date +%s.%N)

# Every output equal; the pages' OCR times are wall-clock and are compared without them.
python3 - "$work/single" "$shared/run-1/output" <<'PY'
import hashlib, os, sys
import polars as pl
a, b = sys.argv[1], sys.argv[2]
def files(d):
    out = set()
    for r, _, fs in os.walk(d):
        for f in fs:
            rel = os.path.relpath(os.path.join(r, f), d)
            if not rel.startswith(("cache" + os.sep, "parts" + os.sep)):
                out.add(rel)
    return out
fa, fb = files(a), files(b)
if fa != fb:
    sys.exit(f"different files: only single {sorted(fa - fb)}, only merged {sorted(fb - fa)}")
# pages.* carry OCR times; run.json lists their hashes (compared by its file list); the lock file holds
# a PID.
timed = {"pages.jsonl", "pages.parquet", "run.json", ".greenbook.lock"}
digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
diff = [f for f in sorted(fa - timed) if digest(os.path.join(a, f)) != digest(os.path.join(b, f))]
if diff:
    sys.exit(f"outputs differ between the Slurm run and the single run: {diff}")
import json
listed = lambda d: sorted(json.load(open(os.path.join(d, "run.json")))["files"])
if listed(a) != listed(b):
    sys.exit("run.json lists other files in the Slurm run than in the single run")
pa = pl.read_parquet(os.path.join(a, "pages.parquet")).drop("ocr_ms")
pb = pl.read_parquet(os.path.join(b, "pages.parquet")).drop("ocr_ms")
if not pa.equals(pb):
    sys.exit("pages.parquet differs beyond the OCR times")
print(f"test-slurm: {len(fa)} output files identical (pages' OCR times aside)", file=sys.stderr)
PY

printf 'test-slurm: PASS: Slurm %.1f s from submission to merged output (3 shards of 2 CPUs on one 2-CPU node, one after another); single-process run %.1f s\n' \
  "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t3 - $t2" | bc -l)"
