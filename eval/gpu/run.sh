#!/bin/bash
# The lent GPU machine's run of issue #23 item 3 (eval/README.md, "Bulk ingest on Ray"): `bash eval/gpu/run.sh CARRIED`
# in the repository root there, after the calls that copied the other parts into /tmp/parts (eval/gpu/prepare.sh
# prints them). BIG passages on Ray alone (the figure against the 20x target), then SMALL passages on Ray and in one
# process (that machine's CPU), the two indexes compared; then the model alone on the GPU. Writes 8 files to $OUT.
set -u
CARRIED=${1:?the carried folder of the last call}
REPO=$PWD; PY=${PY:-python3}; SITE=${SITE:-/tmp/site}; BIG=${BIG:-50000}; SMALL=${SMALL:-10000}
DEV="$PY eval/gpu/device.py"; T0=$SECONDS
say() { echo "== $(date -u +%T) +$((SECONDS-T0))s $*"; }
if [ -z "${SKIP_EXTRACT:-}" ]; then
  mkdir -p /tmp/parts && cp "$CARRIED"/part.* "$CARRIED"/SHA256 "$CARRIED"/MODEL_SHA256 /tmp/parts/ && ls -l /tmp/parts
  $DEV extract /tmp/parts "$SITE" || exit 4
fi
export PYTHONPATH=$SITE:$REPO PYTHONUNBUFFERED=1 RAY_USAGE_STATS_ENABLED=0 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
say "envcheck"
{ nvidia-smi -L; nproc; free -g | head -2; df -h /tmp /dev/shm | tail -2; $DEV envcheck; } > "$OUT/env.txt" 2>&1
rc=$?; cat "$OUT/env.txt"; [ $rc = 0 ] || { say "envcheck failed"; exit 5; }
GPID=
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,utilization.memory,memory.used,power.draw --format=csv,noheader \
    -l 1 > "$OUT/gpu.csv" 2>&1 & GPID=$!
fi
vmstat -t 2 > "$OUT/vmstat.txt" 2>&1 & VPID=$!
say "big: $BIG passages, Ray only"
timeout "${BIG_TIMEOUT:-270}" $DEV bench --passages "$BIG" --no-single --workdir /tmp/rb_big --json \
  > "$OUT/big.json" 2> "$OUT/big.log"; rc1=$?
say "big rc=$rc1"; grep -v "Loading weights" "$OUT/big.log" | tail -4
if [ $rc1 != 0 ] && [ $rc1 != 124 ] && [ -d /tmp/rb_big/corpus/sample ]; then  # Ray broke (not slow)
  say "one process, the model on the GPU"
  timeout "${ONE_TIMEOUT:-150}" $DEV one /tmp/rb_big/corpus/sample /tmp/rb_big/one_gpu >> "$OUT/extra.txt" 2>&1
fi
rc2=skipped
if [ $((SECONDS-T0)) -lt "${SMALL_IF_BEFORE:-330}" ]; then
  say "small: $SMALL passages, Ray first, then one process (that machine's CPU), compared"
  timeout "${SMALL_TIMEOUT:-170}" $DEV bench --passages "$SMALL" --ray-first --workdir /tmp/rb_small --json \
    > "$OUT/small.json" 2> "$OUT/small.log"; rc2=$?
fi
say "small rc=$rc2"; grep -v "Loading weights" "$OUT/small.log" 2>/dev/null | tail -4
if [ -d /tmp/rb_big/corpus/sample ] && [ $((SECONDS-T0)) -lt "${RATE_IF_BEFORE:-420}" ]; then
  say "the model alone on the GPU"
  timeout "${RATE_TIMEOUT:-60}" $DEV rate /tmp/rb_big/corpus/sample "${RATE_FILES:-400}" >> "$OUT/extra.txt" 2>&1
fi
[ -n "$GPID" ] && kill "$GPID"; kill "$VPID"
say "done"
grep '^{' "$OUT/extra.txt" 2>/dev/null
$PY -c "import json,sys; from eval.ray_bench import format_result
for f in sys.argv[1:]:
    try: print(format_result(json.load(open(f))))
    except Exception as e: print(f, 'unreadable:', e)" "$OUT/big.json" "$OUT/small.json"
