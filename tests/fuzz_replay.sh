#!/bin/sh
# fuzz_replay.sh FUZZ_TARGET MDT FILE EXPECT - the fuzz target's plain
# replay driver on one corpus file.  EXPECT=pass: it runs clean.
# EXPECT=fail: it aborts with the same FAIL line `mdt repro` prints (a
# regression reproducer means the same thing to the fuzzer and to repro).
# TAP.  Skipped when the file names a mutant this build lacks.
set -u
FUZZ=$1 MDT=$2 FILE=$3 EXPECT=$4
. "$(dirname "$0")/../sanitizers/env.sh"
md_sanitizer_env "$(dirname "$0")/.."
name=$(basename "$FILE")
if [ "$EXPECT" = fail ] && "$MDT" version | grep -q 'mutants off'; then
	echo "1..0 # SKIP mutants are not compiled into this build"
	exit 0
fi
out=$("$FUZZ" "$FILE" 2>&1)
rc=$?
fail=$(printf '%s\n' "$out" | grep -m1 '^FAIL')
status=0
if [ "$EXPECT" = pass ]; then
	if [ $rc -eq 0 ]; then
		echo "ok 1 - $name runs clean"
	else
		echo "not ok 1 - $name: exit $rc"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/# /'
		status=1
	fi
else
	want=$("$MDT" repro "$FILE" 2>/dev/null | head -n 1 | sed 's/^[^:]*: //')
	if [ $rc -ne 0 ] && [ "$fail" = "$want" ]; then
		echo "ok 1 - $name: the fuzz target aborts with $fail"
	elif [ $rc -ne 0 ] && [ "${want#FAIL crash }" != "$want" ]; then
		# a sanitizer report or a signal: the target dies of it, no FAIL line of ours
		echo "ok 1 - $name: the fuzz target dies (exit $rc) as repro says: $want"
	else
		echo "not ok 1 - $name: exit $rc, '$fail' (mdt repro: '$want')"
		status=1
	fi
fi
echo "1..1"
exit $status
