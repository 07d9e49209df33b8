#!/bin/sh
# target_drop.sh SOURCE_ROOT - adding a target is adding one file.
#
# Copies the tree (no build directories), drops tests/example_target.c in
# as targets/example.c with a seed folder targets/example/ and, with no
# other edit, builds it through ./mdt and drives the new target the way a
# user would: explore (clean, with its seed, then its seeded bug), repro
# (twice identical, and PASS on the correct code), explain, minimize (never
# larger), the fuzz target's replay driver and the fuzzers' seed corpus.
# Beside it, tests/history_target.c as targets/history.c: a crash that a
# fresh process does not repeat is not kept, and explore goes on.
# TAP.  Slow (one whole debug build): suite smoke, debug build only.
set -u
ROOT=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SRC=$TMP/src
n=0
status=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	sed 's/^/# /' "$TMP/out" | tail -n 8
	status=1
}
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', wanted '$3')"; fi; }
mdt() { (cd "$SRC" && ./mdt --build debug "$@") >"$TMP/out" 2>&1; }

mkdir "$SRC"
tar -C "$ROOT" --exclude=./build --exclude=./.git --exclude=./artifacts -cf - . | tar -C "$SRC" -xf -
cp "$ROOT/tests/example_target.c" "$SRC/targets/example.c"
cp "$ROOT/tests/history_target.c" "$SRC/targets/history.c"
mkdir "$SRC/targets/example"
printf 'target example\nthreads 2\nthread 0\n  inc\nthread 1\n  inc\n' >"$SRC/targets/example/two_incs.mdt"

mdt explore --target example --runs 2000 --seed 1
check "a dropped-in targets/example.c builds, and its correct code is clean" $? 0
grep -q '1 seed programs' "$TMP/out"
check "... explore mutates its seed from targets/example/" $? 0
grep -q 'md_target_example' "$SRC/build/debug/targets/md_targets.h"
check "... it is in the generated target list" $? 0
mdt explore --help
grep -q 'example' "$TMP/out"
check "... and in explore --help" $? 0

mdt explore --target example --mutant example_lost_update --seed 1 --time 60s --artifacts "$TMP/a"
rc=$?
f=$(ls "$TMP"/a/*.bin 2>/dev/null | head -n 1)
check "explore finds its seeded bug and keeps a reproducer" "$rc $([ -n "$f" ] && echo kept)" "1 kept"
[ -n "$f" ] || { echo "1..$n"; exit 1; }

mdt repro "$f" "$f"
l1=$(sed -n 1p "$TMP/out" | sed 's/^[^:]*: //') l2=$(sed -n 2p "$TMP/out" | sed 's/^[^:]*: //')
check "repro: it fails the same way twice" "$(printf '%s' "$l1" | cut -c1-14) $([ "$l1" = "$l2" ] && echo same)" "FAIL invariant same"
mdt repro "$f" --mutant none
check "repro --mutant none: the correct code passes it" $? 0
mdt explain "$f"
grep -q '^target example' "$TMP/out" && grep -q 'ck\.load' "$TMP/out"
check "explain shows the target and its ck_pr race points" $? 0
mdt minimize "$f" -o "$TMP/min.bin"
rc=$?
check "minimize keeps it failing and never makes it larger" \
	"$rc $([ "$(wc -c <"$TMP/min.bin")" -le "$(wc -c <"$f")" ] && echo smaller-or-equal)" \
	"0 smaller-or-equal"
"$SRC/build/debug/fuzz/fuzz_sched" "$TMP/min.bin" >"$TMP/out" 2>&1
rc=$?
grep -q '^FAIL invariant' "$TMP/out"
check "the fuzz target's replay driver fails on it too" "$([ $rc -ne 0 ] && echo failed) $?" "failed 0"
sh "$SRC/fuzz/seeds.sh" "$SRC" "$SRC/build/debug/cli/mdt" "$TMP/seeds" example >"$TMP/out" 2>&1
check "the fuzzers' seed corpus for --target example is its seed, compiled" "$? $(ls "$TMP/seeds")" "0 two_incs.bin"

# history_crash aborts in a process's 41st instance and later: every 40 runs
mdt explore --target history --mutant history_crash --seed 1 --runs 200 --threads 1 --ops 1 \
	--artifacts "$TMP/h" --json "$TMP/h.json"
rc=$?
check "a crash a fresh process does not repeat: explore notes it, keeps no file, goes on to the end" \
	"$rc $(grep -c '^note: run .* crashed (SIGABRT.*) but a fresh process replaying it gave ".*": not kept' "$TMP/out") $(grep -c 'from run ' "$TMP/out") $(ls "$TMP/h" 2>/dev/null | wc -l)" \
	"0 4 4 0"
grep -q '"runs": 200,' "$TMP/h.json" && grep -q '^mdt explore: 200 runs, 0 failures' "$TMP/out"
check "... and its summary and JSON count all 200 runs" $? 0
echo "1..$n"
exit $status
