#!/bin/sh
# seed_run.sh MDT SEED.mdt [FUZZ_TARGET] - a seed program (targets/NAME/
# SEED.mdt) compiles, names its folder's target, and runs clean in the fuzz
# target's replay driver.  TAP.
set -u
MDT=$1 SRC=$2 FUZZ=${3:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
name=$(basename "$SRC" .mdt) folder=$(basename "$(dirname "$SRC")")
n=1 status=0
if "$MDT" compile "$SRC" -o "$TMP/$name.bin" >"$TMP/err" 2>&1 &&
	[ "$("$MDT" decompile "$TMP/$name.bin" | sed -n 's/^target //p')" = "$folder" ]; then
	echo "ok 1 - $name compiles, a program of target $folder"
else
	echo "not ok 1 - $name does not compile to a program of target $folder (its folder)"
	sed 's/^/# /' "$TMP/err"
	status=1
fi
if [ -n "$FUZZ" ] && [ $status -eq 0 ]; then
	n=2
	if sh "$(dirname "$0")/fuzz_replay.sh" "$FUZZ" "$MDT" "$TMP/$name.bin" pass >"$TMP/tap" 2>&1; then
		echo "ok 2 - $name runs clean in $(basename "$FUZZ")"
	else
		echo "not ok 2 - $name fails in $(basename "$FUZZ")"
		sed 's/^/# /' "$TMP/tap"
		status=1
	fi
fi
echo "1..$n"
exit $status
