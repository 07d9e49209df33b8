#!/bin/sh
# update.sh - keep the regression corpus exact as the code evolves.
#
#   corpus/update.sh [--search T] [FILE...]     (default: every corpus/regressions/**.bin)
#
# A reproducer's schedule is tied to the race points the code passes; when
# they change, its replay says DIVERGED.  Each such file is re-searched in
# its build (tsan/ and asan/ files in theirs, the others in debug) for a
# schedule of the same program that fails as the file records (`./mdt repro
# FILE --update`); then its schedule is shrunk (`./mdt minimize`), and the
# smaller file replaces it only if it fails with the same kind.  Files that
# replay are left alone.  Exit: 0 every file replays, 1 some do not (listed),
# 2 usage.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEARCH=60s
while [ $# -gt 0 ]; do
	case $1 in
	--search)
		[ $# -ge 2 ] || { echo "update.sh: --search needs a duration" >&2; exit 2; }
		SEARCH=$2
		shift 2
		;;
	-*)
		echo "update.sh: unknown option $1 (usage: corpus/update.sh [--search T] [FILE...])" >&2
		exit 2
		;;
	*) break ;;
	esac
done
# shellcheck disable=SC2046
[ $# -eq 0 ] && set -- $(find "$ROOT/corpus/regressions" -name '*.bin' | sort)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bad=""

kind_of() { sed -n 's/^[^:]*: FAIL \([a-z]*\) .*/\1/p' "$1"; }
mdt() { "$ROOT/mdt" --build "$v" "$@" 2>/dev/null; }

for f in "$@"; do
	case $f in */tsan/*) v=tsan ;; */asan/*) v=asan ;; *) v=debug ;; esac
	mdt repro "$f" >"$TMP/out"
	if grep -q ': FAIL ' "$TMP/out"; then
		cat "$TMP/out"
		continue
	fi
	if ! mdt repro "$f" --update --search "$SEARCH" >"$TMP/up"; then
		tail -n 1 "$TMP/up"
		bad="$bad $f"
		continue
	fi
	mdt repro "$f" >"$TMP/out"
	rm -f "$TMP/min.bin"
	mdt minimize "$f" -o "$TMP/min.bin" >/dev/null
	if [ -f "$TMP/min.bin" ]; then
		mdt repro "$TMP/min.bin" >"$TMP/min"
		if [ "$(kind_of "$TMP/min")" = "$(kind_of "$TMP/out")" ]; then
			cp "$TMP/min.bin" "$f.new" && mv "$f.new" "$f"
		fi
	fi
	# the readable text beside it: its comment lines stay, the program is the new file's
	t=${f%.bin}.mdt
	if [ -f "$t" ]; then
		{ sed -n '/^#/!q;p' "$t"; mdt decompile "$f"; } >"$t.new" && mv "$t.new" "$t"
		echo "update.sh: check the steps in $t's comment against: ./mdt --build $v explain $f" >&2
	fi
	echo "updated: $(mdt repro "$f")"
done
[ -z "$bad" ] && exit 0
echo "update.sh: no failing schedule found for:$bad" >&2
exit 1
