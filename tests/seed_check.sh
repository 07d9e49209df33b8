#!/bin/sh
# seed_check.sh MDT SEED.mdt SEED.bin - the committed binary seed is what
# compiling its text gives (the two never drift apart).  TAP.
set -u
MDT=$1 SRC=$2 BIN=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if "$MDT" compile "$SRC" -o "$TMP/x.bin" >"$TMP/err" 2>&1 && cmp -s "$TMP/x.bin" "$BIN"; then
	echo "ok 1 - $(basename "$BIN") is $(basename "$SRC") compiled"
	echo "1..1"
	exit 0
fi
echo "not ok 1 - $(basename "$BIN") differs from $(basename "$SRC") compiled (run: mdt compile $SRC -o $BIN)"
sed 's/^/# /' "$TMP/err"
echo "1..1"
exit 1
