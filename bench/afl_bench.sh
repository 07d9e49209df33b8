#!/bin/sh
# afl_bench.sh FUZZ_SCHED MDT ROOT DICT [SECONDS] - AFL++ on fuzz_sched
# (persistent mode, one instance, the custom mutator), from the targets' seed
# programs: stability and exec/s from fuzzer_stats.  A figure, not a verdict.
set -u
BIN=$1 MDT=$2 ROOT=$3 DICT=$4 SECS=${5:-60}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SEEDS=$TMP/seeds
sh "$ROOT/fuzz/seeds.sh" "$ROOT" "$MDT" "$SEEDS" || exit $?
unset ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_CUSTOM_MUTATOR_LIBRARY="$(dirname "$BIN")/libmdt_afl_mutator.so"
afl-fuzz -i "$SEEDS" -o "$TMP/o" -V "$SECS" -x "$DICT" -M main -- "$BIN" >"$TMP/log" 2>&1
grep -E '^(execs_done|execs_per_sec|stability|corpus_count)' "$TMP/o/main/fuzzer_stats" | tr -s ' ' | tr '\n' ' '
echo
