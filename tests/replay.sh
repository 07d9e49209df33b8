#!/bin/sh
# replay.sh - a reproducer replays exactly: N replays fail identically (same
# kind, step and message), and the correct code passes the same program.
#
#   replay.sh MDT_BINARY FILE [N]
#
# TAP.  Skipped in a build without mutants (the file's seeded bug is not there).
set -u
MDT=$1
FILE=$2
N=${3:-100}
# the sanitizer options of every runner (halt on the first report), also
# when meson test runs this directly
. "$(dirname "$0")/../sanitizers/env.sh"
md_sanitizer_env "$(dirname "$0")/.."
if "$MDT" version | grep -q 'mutants off'; then
	echo "1..0 # SKIP mutants are not compiled into this build"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
name=$(basename "$FILE")
i=0
set --
while [ $i -lt "$N" ]; do set -- "$@" "$FILE"; i=$((i + 1)); done
"$MDT" repro "$@" >"$TMP/out" 2>"$TMP/err"
rc=$?
fails=$(grep -c ": FAIL " "$TMP/out")
kinds=$(sort -u "$TMP/out" | wc -l)
failed=0
if [ $rc -eq 1 ] && [ "$fails" -eq "$N" ] && [ "$kinds" -eq 1 ]; then
	echo "ok 1 - $name: $N/$N replays fail identically: $(head -n 1 "$TMP/out" | sed 's/^[^:]*: //')"
else
	echo "not ok 1 - $name: exit $rc, $fails/$N replays failed, $kinds distinct outputs"
	sort "$TMP/out" | uniq -c | head -n 5 | sed 's/^/# /'
	tail -n 5 "$TMP/err" | sed 's/^/# /'
	grep -q ': DIVERGED ' "$TMP/out" &&
		echo "# the code's race points changed under the recorded schedule: corpus/update.sh $FILE"
	failed=1
fi
"$MDT" repro "$FILE" --mutant none >"$TMP/out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	echo "ok 2 - $name passes with --mutant none"
else
	echo "not ok 2 - $name with --mutant none: exit $rc"
	sed 's/^/# /' "$TMP/out" | tail -n 5
	failed=1
fi
echo "1..2"
exit $failed
