#!/bin/sh
# fuzz_smoke.sh TARGET MDT ROOT - a libFuzzer target runs the seeds (every
# target's, compiled by fuzz/seeds.sh, and their text for the decoder) and
# 10,000 executions clean on the correct code (the working corpus is a
# temporary folder: the tree is not written).  TAP.
set -u
BIN=$1 MDT=$2 ROOT=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
sh "$ROOT/fuzz/seeds.sh" "$ROOT" "$MDT" "$TMP/corpus" || { echo "not ok 1 - the seeds do not compile"; echo "1..1"; exit 1; }
[ "$(basename "$BIN")" = fuzz_decode ] && cp "$ROOT"/targets/*/*.mdt "$TMP/corpus/"
. "$ROOT/sanitizers/env.sh"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:$(md_fuzz_asan_options "$ROOT")"
export ASAN_OPTIONS
unset MDT_MUTANT
"$BIN" -runs=10000 -seed=1 -artifact_prefix="$TMP/" "$TMP/corpus" >"$TMP/log" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! ls "$TMP"/crash-* >/dev/null 2>&1; then
	echo "ok 1 - $(basename "$BIN"): seeds and 10000 runs clean ($(grep -o 'exec/s: [0-9]*' "$TMP/log" | tail -n 1))"
	echo "1..1"
	exit 0
fi
echo "not ok 1 - $(basename "$BIN"): exit $rc"
grep -m3 -E '^FAIL|ERROR|SUMMARY' "$TMP/log" | sed 's/^/# /'
echo "1..1"
exit 1
