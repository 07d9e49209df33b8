#!/bin/sh
# fuzz_smoke.sh TARGET SEEDS... - a libFuzzer target runs its seeds and
# 10,000 executions clean on the correct code (a copy of the seeds is the
# working corpus: the tree is not written).  TAP.
set -u
BIN=$1
shift
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/corpus"
for d in "$@"; do cp "$d"/* "$TMP/corpus/" 2>/dev/null; done
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_stack_use_after_return=0"
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
