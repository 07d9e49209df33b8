#!/bin/sh
# sanitizers.sh - the sanitizer matrix: builds tsan, asan (+UBSan) and
# ubsan-only, runs the unit, smoke, regress and mutants suites in each, and
# prints one table: variant x suite -> pass/FAIL.  Sanitizer reports in unit
# and smoke (correct code) are counted and must be zero; regress and mutants
# require their seeded bugs' detections, and the three that prove the
# annotations hide nothing are listed by name.  A UBSan-only build exits 68
# on a report (sanitizers/md_san_defaults.c; UBSan's default, 1, would read
# as "failure found").
#
#   ci/sanitizers.sh [VARIANT...]        (default: tsan asan ubsan)
#
# Exit: 0 all suites pass with no report on correct code, 1 otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VARIANTS=${*:-tsan asan ubsan}
. "$ROOT/sanitizers/env.sh"
md_sanitizer_env "$ROOT"
status=0
TABLE=$(mktemp)
PROOF=$(mktemp)
trap 'rm -f "$TABLE" "$PROOF"' EXIT
reports() { # reports LOG: sanitizer reports in a meson test log
	grep -cE 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$1" 2>/dev/null || true
}
for v in $VARIANTS; do
	"$ROOT/mdt" --build "$v" version >/dev/null || { echo "sanitizers: cannot build $v" >&2; exit 3; }
	row="| $v |"
	for suite in unit smoke regress mutants; do
		log=$ROOT/build/$v/meson-logs/testlog.txt
		meson test -C "$ROOT/build/$v" --suite "$suite" --timeout-multiplier 4 >/dev/null 2>&1
		rc=$?
		n=$(reports "$log")
		# unit and smoke run the correct code: any report fails them; regress
		# and mutants judge their seeded bugs' detections themselves
		case $suite in
		unit | smoke)
			[ "$n" -eq 0 ] || rc=1
			cell=" ($n reports)" ;;
		*) cell="" ;;
		esac
		[ $rc -eq 0 ] && row="$row pass$cell |" || { row="$row FAIL$cell |"; status=1; }
		[ "$suite" = mutants ] && grep -E '^(not )?ok .* - (unlock_relaxed|isolated_flag_nonatomic|free_no_grace)' "$log" |
			sed "s/^/$v: /" >>"$PROOF"
	done
	echo "$row" >>"$TABLE"
done
echo "| variant | unit | smoke | regress | mutants |"
echo "|---|---|---|---|---|"
cat "$TABLE"
echo
echo "annotations hide nothing (mutants suite):"
sed 's/^/  /' "$PROOF"
echo "suppression files: $(ls "$ROOT"/sanitizers/*supp* 2>/dev/null | wc -l)"
exit $status
