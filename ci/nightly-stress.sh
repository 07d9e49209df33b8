#!/bin/sh
# nightly-stress.sh - the nightly job: TSan stress, then ASan stress, DURATION
# each, into one directory: each run's JSON summary and full output (with
# any sanitizer report) and a short markdown report; then the real-thread hit
# rate of every seeded bug (./mdt bench hitrate, MDT_HITRATE_REPEAT runs a
# bug and build, default 8): how often one real-thread run catches it is a
# figure here, where a miss does not fail a build.
#
#   ci/nightly-stress.sh [DURATION] [OUTDIR]     (defaults: 1h, nightly-<date>)
#
# Extra stress options can be given in MDT_STRESS_ARGS.  Exit status: 0 when
# every run passed (and the hit-rate scenarios ran clean on the correct
# code), 1 when any found a failure or a stall, 2/3 as ./mdt (usage,
# environment).  Every failing run's line in the report carries the
# command that reruns it with the same seed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-1h}
OUT=${2:-nightly-$(date -u +%Y%m%d-%H%M%S)}
ARGS=${MDT_STRESS_ARGS:-}
mkdir -p "$OUT" || { echo "nightly-stress: cannot create $OUT" >&2; exit 3; }
[ -w "$OUT" ] || { echo "nightly-stress: $OUT is not writable" >&2; exit 3; }
REPORT=$OUT/report.md
status=0
{
	echo "# mdtorture nightly stress"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $DURATION per variant, $(nproc) CPUs"
	echo
	echo "| variant | verdict | exit | seed | ops | ops/s | rerun |"
	echo "|---|---|---|---|---|---|---|"
} >"$REPORT"
for v in tsan asan; do
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	echo "nightly-stress: $v for $DURATION (seed $seed)"
	# shellcheck disable=SC2086
	"$ROOT/mdt" --build "$v" stress --duration "$DURATION" --seed "$seed" \
		--json "$OUT/$v.json" $ARGS >"$OUT/$v.log" 2>&1
	rc=$?
	case $rc in
	0) verdict=PASS ;;
	1) verdict=FAIL ;;
	4) verdict=STALL ;;
	66) verdict="TSan report" ;;
	67) verdict="ASan/UBSan report" ;;
	2 | 3) tail -n 5 "$OUT/$v.log" >&2; exit $rc ;;
	*) verdict="exit $rc" ;;
	esac
	[ $rc -ne 0 ] && status=1
	ops=$(sed -n 's/.*"ops_total": \([0-9]*\).*/\1/p' "$OUT/$v.json" 2>/dev/null)
	dur=$(sed -n 's/.*"duration_s": \([0-9.]*\).*/\1/p' "$OUT/$v.json" 2>/dev/null)
	rate=$(awk -v o="${ops:-0}" -v d="${dur:-0}" 'BEGIN { if (d > 0) printf "%.0f", o / d; else print "-" }')
	echo "| $v | $verdict | $rc | $seed | ${ops:--} | $rate | \`./mdt --build $v stress --duration $DURATION --seed $seed $ARGS\` |" >>"$REPORT"
	tail -n 3 "$OUT/$v.log"
done
echo "nightly-stress: real-thread hit rate of the seeded bugs"
"$ROOT/mdt" bench hitrate --repeat "${MDT_HITRATE_REPEAT:-8}" --out "$OUT/hitrate" >"$OUT/hitrate.log" 2>&1
rc=$?
case $rc in
0) ;;
1) status=1 ;;
*) tail -n 5 "$OUT/hitrate.log" >&2; exit $rc ;;
esac
{
	echo
	cat "$OUT/hitrate/hitrate.md" 2>/dev/null | sed 's/^# /## /'
	echo
	echo "Logs: tsan.log, asan.log (sanitizer reports in full), hitrate.log; summaries: tsan.json, asan.json, hitrate/hitrate.json."
} >>"$REPORT"
echo "nightly-stress: report in $REPORT"
exit $status
