#!/bin/sh
# campaign.sh - `mdt fuzz`: one fuzzing campaign, then triage.
#
#   campaign.sh ROOT VARIANT TARGET [--time T] [--jobs N] [--mutant M] [--out DIR]
#
# Runs TARGET (fuzz_sched, fuzz_decode, fuzz_parallel) of build/VARIANT under
# libFuzzer for T (default 10m) on a working corpus seeded from
# corpus/TARGET/, with N jobs (-fork: crashes do not stop the campaign).
# Afterwards: the corpus is merged (minimal set) into DIR/merged; crashes are
# replayed, deduplicated by failure kind and message (numbers blanked),
# minimized, and each new one is written to corpus/crashers/; DIR/triage.md
# lists them with counts and repro commands.  Exit: 0 no crash, 1 crashes
# found, 2 usage, 3 environment.
set -u
ROOT=$1 VARIANT=$2
shift 2
usage() {
	echo "usage: mdt fuzz fuzz_sched|fuzz_decode|fuzz_parallel [--time T] [--jobs N] [--mutant M] [--out DIR]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
TARGET=$1
shift
TIME=10m JOBS=1 MUTANT=${MDT_MUTANT:-} OUT="" ENGINE=libfuzzer
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--time) TIME=$2 ;;
	--jobs) JOBS=$2 ;;
	--mutant) MUTANT=$2 ;;
	--out) OUT=$2 ;;
	--engine) ENGINE=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $TARGET in fuzz_sched | fuzz_decode | fuzz_parallel) ;; *) usage ;; esac
case $ENGINE:$VARIANT in libfuzzer:fuzz | libfuzzer:fuzz-tsan | afl:afl) ;;
*) echo "mdt fuzz: engine '$ENGINE' does not go with build/$VARIANT (libfuzzer: fuzz, fuzz-tsan; afl: afl)" >&2; exit 2 ;;
esac
case $JOBS in '' | *[!0-9]* | 0) echo "mdt fuzz: --jobs wants a positive integer" >&2; exit 2 ;; esac
secs=$(echo "$TIME" | awk '/^[0-9]+s?$/ { print $0 + 0; next } /^[0-9]+m$/ { print $0 * 60; next }
	/^[0-9]+h$/ { print $0 * 3600; next } { print "" }')
[ -n "$secs" ] && [ "$secs" -gt 0 ] || { echo "mdt fuzz: bad --time '$TIME' (like 60s, 10m, 2h)" >&2; exit 2; }
BIN=$ROOT/build/$VARIANT/fuzz/$TARGET
MDT=$ROOT/build/$VARIANT/cli/mdt
[ -x "$BIN" ] || { echo "mdt fuzz: $BIN is missing" >&2; exit 3; }
"$MDT" mutants --names | grep -q "^${MUTANT:-none} " || [ -z "$MUTANT" ] || [ "$MUTANT" = none ] ||
	{ echo "mdt fuzz: unknown mutant '$MUTANT'" >&2; exit 2; }
WORK=${OUT:-fuzz-out/$TARGET-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$WORK/corpus" "$WORK/crashes" "$WORK/merged" "$ROOT/corpus/crashers" 2>/dev/null &&
	[ -w "$WORK" ] || { echo "mdt fuzz: cannot write '$WORK'" >&2; exit 3; }
[ -d "$ROOT/corpus/$TARGET" ] && cp "$ROOT/corpus/$TARGET"/* "$WORK/corpus/" 2>/dev/null
export MDT_MUTANT="$MUTANT"
# fibers switch stacks at every race point: ASan's fake stacks triple the
# cost of a run, and the core's objects live on the heap anyway
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_stack_use_after_return=0"
export ASAN_OPTIONS
echo "mdt fuzz: $TARGET (build/$VARIANT, $ENGINE), $TIME, $JOBS job(s), mutant ${MUTANT:-none}; work dir $WORK"
if [ "$ENGINE" = afl ]; then
	sh "$ROOT/fuzz/afl.sh" "$ROOT" "$BIN" "$WORK" "$secs" "$JOBS" || exit $?
else
	set -- -max_total_time="$secs" -artifact_prefix="$WORK/crashes/" -print_final_stats=1
	[ -f "$ROOT/fuzz/mdt.dict" ] && set -- "$@" -dict="$ROOT/fuzz/mdt.dict"
	[ "$JOBS" -gt 1 ] && set -- "$@" -fork="$JOBS" -ignore_crashes=1
	"$BIN" "$@" "$WORK/corpus" >"$WORK/fuzz.log" 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null' INT TERM
	while kill -0 $pid 2>/dev/null; do
		sleep 10
		line=$(grep -E '^#[0-9]+' "$WORK/fuzz.log" | tail -n 1 | cut -c1-100)
		[ -n "$line" ] && echo "  $line"
	done
	wait $pid
	echo "mdt fuzz: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$WORK/fuzz.log" | tail -n 1), $(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$WORK/fuzz.log" | tail -n 1)"
	# a crashing input in the corpus crashes the merge too: its artifact
	# stays in the work dir, not in the caller's directory
	"$BIN" -merge=1 -artifact_prefix="$WORK/merge-" "$WORK/merged" "$WORK/corpus" >"$WORK/merge.log" 2>&1 &&
		echo "mdt fuzz: corpus merged: $(ls "$WORK/merged" | wc -l) inputs in $WORK/merged"
fi
sh "$ROOT/fuzz/triage.sh" "$ROOT" "$VARIANT" "$TARGET" "$WORK" "${MUTANT:-none}"
