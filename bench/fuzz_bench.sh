#!/bin/sh
# fuzz_bench.sh FUZZ_SCHED MDT ROOT [SECONDS] - fuzz_sched's exec/s under
# libFuzzer (one core, -max_len=256, sanitizers/fuzz-asan.options), from the
# targets' seed programs.  A figure, not a verdict.
set -u
BIN=$1 MDT=$2 ROOT=$3 SECS=${4:-30}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
sh "$ROOT/fuzz/seeds.sh" "$ROOT" "$MDT" "$TMP/c" || exit $?
. "$ROOT/sanitizers/env.sh"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:$(md_fuzz_asan_options "$ROOT")" "$BIN" "$TMP/c" \
	-max_total_time="$SECS" -max_len=256 -seed=1 -artifact_prefix="$TMP/" \
	-print_final_stats=1 >"$TMP/log" 2>&1
echo "fuzz_sched: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$TMP/log"), $(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$TMP/log")"
