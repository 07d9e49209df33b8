#!/bin/sh
# Smoke tests of the mdt binary: a short stress run, its summary and JSON,
# option parsing and exit codes.  TAP output.  Usage: smoke_cli.sh MDT_BINARY
set -u
MDT=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

check() { # check DESCRIPTION EXPECTED_RC ACTUAL_RC [extra condition result]
	n=$((n + 1))
	if [ "$2" = "$3" ] && [ "${4:-0}" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 (exit $3, wanted $2)"
		sed 's/^/# /' "$TMP/out" | tail -n 20
		failed=$((failed + 1))
	fi
}

run() { "$MDT" "$@" >"$TMP/out" 2>&1; }

run stress --duration 2s --threads 2 --frames 4096 --seed 42 --json "$TMP/s.json"
rc=$?
grep -q 'seed 42' "$TMP/out" && grep -q 'after releasing everything): clean' "$TMP/out" &&
	grep -q '^total ' "$TMP/out" && grep -q 'mdt stress: PASS' "$TMP/out"
check "2 s stress run passes, prints seed, summary and both checks" 0 $rc $?
for k in seed threads duration_s variant ops retries tryget_zero revalidate eagain checkpoints failures stalls; do
	grep -q "\"$k\"" "$TMP/s.json" || { echo "# json lacks $k"; rc=9; }
done
check "--json writes every documented key" 0 $rc

run stress --bogus; check "unknown option exits 2" 2 $?
[ "$(wc -l <"$TMP/out")" -eq 1 ]; check "... with one line" 0 $?
run stress --duration 5x; check "bad duration exits 2" 2 $?
run stress --threads 0; check "out-of-range threads exits 2" 2 $?
run stress --frames 100; check "frames not a multiple of 64 exits 2" 2 $?
run stress --seed abc; check "bad seed exits 2" 2 $?
run stress --mutant no_such_bug; check "unknown mutant exits 2" 2 $?
run stress --duration 1s --json "$TMP/no/such/dir/x.json"; check "unwritable --json exits 3" 3 $?
run nonsense; check "unknown command exits 2" 2 $?
run stress --help; check "--help exits 0" 0 $?
run mutants; rc=$?
grep -q gup_no_recheck "$TMP/out"; check "mutants lists the registry" 0 $rc $?
if "$MDT" version | grep -q 'mutants off'; then
	run stress --duration 1s --mutant tryget_plain_inc
	check "a mutant in a build without mutants exits 2" 2 $?
else
	echo "ok $((n = n + 1)) - # SKIP mutants are compiled in"
fi

echo "1..$n"
[ $failed -eq 0 ]
