#!/bin/sh
# afl.sh ROOT BIN WORK SECONDS JOBS [AFL-FLAGS...] - the AFL++ half of `mdt fuzz`: a main
# instance (-M) and JOBS-1 secondaries (-S) on one sync dir, persistent mode
# (the libFuzzer-style harness linked with AFL++'s driver), the
# structure-aware custom mutator and the dictionary.  Crashes are copied to
# WORK/crashes for triage; the main instance's stability and exec/s are
# printed.
set -u
ROOT=$1 BIN=$2 WORK=$3 SECS=$4 JOBS=$5
shift 5
EXTRA=$(for a in "$@"; do printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done)
mkdir -p "$WORK/afl" "$WORK/seeds"
cp "$WORK/corpus"/* "$WORK/seeds/" 2>/dev/null
# afl-fuzz needs one input at least: an empty program is one
ls "$WORK/seeds" | grep -q . || printf '\000\000' >"$WORK/seeds/empty"
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# the afl build has no sanitizer; afl-fuzz refuses sanitizer options it did not set
unset ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
export AFL_CUSTOM_MUTATOR_LIBRARY="$(dirname "$BIN")/libmdt_afl_mutator.so"
[ -f "$AFL_CUSTOM_MUTATOR_LIBRARY" ] || { echo "mdt fuzz: $AFL_CUSTOM_MUTATOR_LIBRARY is missing" >&2; exit 3; }
eval "set -- $EXTRA"
set -- "$@" -i "$WORK/seeds" -o "$WORK/afl" -V "$SECS" -x "$(dirname "$BIN")/mdt.dict"
pids=""
afl-fuzz "$@" -M main -- "$BIN" >"$WORK/afl-main.log" 2>&1 &
pids="$pids $!"
# the first secondary adds CMPLOG (input-to-state) from the afl-cmplog build
CMPLOG=$ROOT/build/afl-cmplog/fuzz/$(basename "$BIN")
i=1
while [ $i -lt "$JOBS" ]; do
	c=""
	[ $i -eq 1 ] && [ -x "$CMPLOG" ] && c="-c $CMPLOG"
	# shellcheck disable=SC2086
	afl-fuzz "$@" -S "s$i" $c -- "$BIN" >"$WORK/afl-s$i.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
interrupted=0
trap 'interrupted=1; kill $pids 2>/dev/null' INT TERM
stats=$WORK/afl/main/fuzzer_stats
while :; do
	alive=0
	for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ $alive -eq 1 ] || break
	sleep 10 & wait $! # a trapped signal ends the wait at once
	[ $interrupted -eq 1 ] && continue
	[ -f "$stats" ] && echo "  afl: $(grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|stability)' "$stats" | tr -s ' ' | tr '\n' ' ')"
done
for p in $pids; do wait "$p"; done
if [ ! -f "$stats" ]; then
	echo "mdt fuzz: afl-fuzz did not start:" >&2
	tail -n 20 "$WORK/afl-main.log" >&2
	exit 3
fi
echo "mdt fuzz: afl main: $(grep -E '^(execs_done|execs_per_sec|stability|saved_crashes)' "$stats" | tr -s ' ' | tr '\n' ' ')"
execs=$(sed -n 's/^execs_done *: *\([0-9]*\).*/\1/p' "$stats")
if [ $interrupted -eq 0 ] && [ "${execs:-0}" -eq 0 ]; then
	echo "mdt fuzz: afl-fuzz ran no input: $(grep -m1 -E 'PROGRAM ABORT|ERROR|Error' "$WORK/afl-main.log")" >&2
	exit 3
fi
n=0
for f in "$WORK"/afl/*/crashes/id:*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$WORK/crashes/afl-crash-$n"
done
cp "$WORK"/afl/main/queue/id:* "$WORK/merged/" 2>/dev/null
exit 0
