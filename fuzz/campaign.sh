#!/bin/sh
# campaign.sh - `mdt fuzz`: one fuzzing campaign, then triage.
#
#   campaign.sh ROOT VARIANT TARGET [--time T] [--jobs N] [--mutant M] [--out DIR]
#               [--engine libfuzzer|afl] [--target SYSTEM] [-- FUZZER-FLAGS...]
#
# The options are checked by `mdt fuzz-opts` (the option parser every mdt
# command uses); what follows -- goes to libFuzzer or afl-fuzz as it is.
# Runs TARGET (fuzz_sched, fuzz_decode, fuzz_parallel) of build/VARIANT under
# libFuzzer for T (default 10m) on a working corpus seeded from the targets'
# seed programs (--target: only the seeds of that system under test, and
# raw inputs run on it), with N jobs (-fork: crashes do not stop the campaign).
# Afterwards: the corpus is merged (minimal set) into DIR/merged; crashes are
# replayed, deduplicated by failure kind and message (numbers blanked),
# minimized, and each new one is written to corpus/crashers/; DIR/triage.md
# lists them with counts and repro commands.  Exit: 0 no crash, 1 crashes
# found, 2 usage, 3 environment (the fuzzer refused its arguments, could not
# start, or ran no input: its own error line is shown), 130 interrupted
# (what was found by then is triaged).
set -u
ROOT=$1 VARIANT=$2
shift 2
MDT=$ROOT/build/$VARIANT/cli/mdt
# the one option parser: mdt checks the options and prints them for eval
opts=$("$MDT" fuzz-opts "$@") || exit $?
case " $* " in *" --help "* | *" -h "*) printf '%s\n' "$opts"; exit 0 ;; esac
eval "$opts"
case $ENGINE:$VARIANT in libfuzzer:fuzz | libfuzzer:fuzz-tsan | afl:afl) ;;
*) echo "mdt fuzz: engine '$ENGINE' does not go with build/$VARIANT (libfuzzer: fuzz, fuzz-tsan; afl: afl)" >&2; exit 2 ;;
esac
TIME=${SECS}s
BIN=$ROOT/build/$VARIANT/fuzz/$TARGET
[ -x "$BIN" ] || { echo "mdt fuzz: $BIN is missing" >&2; exit 3; }
WORK=${OUT:-fuzz-out/$TARGET-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$WORK/corpus" "$WORK/crashes" "$WORK/merged" "$ROOT/corpus/crashers" 2>/dev/null &&
	[ -w "$WORK" ] || { echo "mdt fuzz: cannot write '$WORK'" >&2; exit 3; }
# the seeds: every target's seed programs (targets/NAME/*.mdt), or with
# --target only that system's, compiled into the working corpus
sh "$ROOT/fuzz/seeds.sh" "$ROOT" "$MDT" "$WORK/corpus" "$SYSTEM" || exit $?
[ "$TARGET" = fuzz_decode ] && cp "$ROOT"/targets/${SYSTEM:-*}/*.mdt "$WORK/corpus/" 2>/dev/null
export MDT_MUTANT="$MUTANT" MDT_FUZZ_TARGET="$SYSTEM"
. "$ROOT/sanitizers/env.sh"
ASAN_OPTIONS="${ASAN_OPTIONS:-}:$(md_fuzz_asan_options "$ROOT")"
export ASAN_OPTIONS
echo "mdt fuzz: $TARGET (build/$VARIANT, $ENGINE), $TIME, $JOBS job(s), mutant ${MUTANT:-none}; work dir $WORK"
interrupted=0 ticks=0
if [ "$ENGINE" = afl ]; then
	SYNC_DIR=$SYNC_DIR AFL_NAME=$AFL_NAME AFL_ROLE=$AFL_ROLE FOREIGN=$FOREIGN \
		sh "$ROOT/fuzz/afl.sh" "$ROOT" "$BIN" "$WORK" "$SECS" "$JOBS" "$@" || exit $?
else
	# ours first: libFuzzer takes the last of a repeated flag, so the user's win
	[ "$JOBS" -gt 1 ] && set -- -fork="$JOBS" -ignore_crashes=1 "$@"
	[ -f "$(dirname "$BIN")/mdt.dict" ] && set -- -dict="$(dirname "$BIN")/mdt.dict" "$@"
	set -- -max_total_time="$SECS" -artifact_prefix="$WORK/crashes/" -print_final_stats=1 "$@"
	"$BIN" "$@" "$WORK/corpus" >"$WORK/fuzz.log" 2>&1 &
	pid=$!
	trap 'interrupted=1; kill $pid 2>/dev/null' INT TERM
	while kill -0 $pid 2>/dev/null; do
		sleep 1 & wait $! # a short sleep: a trapped signal ends the wait at once
		ticks=$((ticks + 1))
		[ $((ticks % 10)) -eq 0 ] || continue
		line=$(grep -E '^#[0-9]+' "$WORK/fuzz.log" | tail -n 1 | cut -c1-100)
		[ -n "$line" ] && echo "  $line"
	done
	wait $pid
	rc=$?
	execs=$(sed -n 's/.*stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$WORK/fuzz.log" | tail -n 1)
	# -fork mode prints no final stats: its progress lines count the executions
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$WORK/fuzz.log" | tail -n 1)
	rate=$(sed -n 's/.*stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$WORK/fuzz.log" | tail -n 1)
	echo "mdt fuzz: ${execs:-no} executions${rate:+, $rate per second}"
	# a campaign that never ran is no clean result: the fuzzer's own words, exit 3
	if [ $interrupted -eq 0 ] && { [ "${execs:-0}" -eq 0 ] || { [ $rc -ne 0 ] && ! ls "$WORK/crashes" | grep -q .; }; }; then
		echo "mdt fuzz: the fuzzer did not run (exit $rc, ${execs:-no} executions): $(grep -m1 -iE 'error|fatal|unknown|usage|cannot|failed' "$WORK/fuzz.log" || tail -n 1 "$WORK/fuzz.log")" >&2
		exit 3
	fi
	# a crashing input in the corpus crashes the merge too: its artifact
	# stays in the work dir, not in the caller's directory
	"$BIN" -merge=1 -artifact_prefix="$WORK/merge-" "$WORK/merged" "$WORK/corpus" >"$WORK/merge.log" 2>&1 &&
		echo "mdt fuzz: corpus merged: $(ls "$WORK/merged" | wc -l) inputs in $WORK/merged"
fi
sh "$ROOT/fuzz/triage.sh" "$ROOT" "$VARIANT" "$TARGET" "$WORK" "${MUTANT:-none}"
rc=$?
[ $interrupted -eq 1 ] && [ $rc -eq 0 ] && { echo "mdt fuzz: interrupted"; exit 130; }
exit $rc
