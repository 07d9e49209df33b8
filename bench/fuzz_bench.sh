#!/bin/sh
# fuzz_bench.sh FUZZ_SCHED SEEDS [SECONDS] - fuzz_sched's exec/s under
# libFuzzer (one core, the campaign's settings: -max_len=256, no ASan fake
# stack), from the seed corpus.  A figure, not a verdict.
set -u
BIN=$1 SEEDS=$2 SECS=${3:-30}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/c" && cp "$SEEDS"/* "$TMP/c/"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_stack_use_after_return=0" "$BIN" "$TMP/c" \
	-max_total_time="$SECS" -max_len=256 -seed=1 -artifact_prefix="$TMP/" \
	-print_final_stats=1 >"$TMP/log" 2>&1
echo "fuzz_sched: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$TMP/log"), $(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$TMP/log")"
