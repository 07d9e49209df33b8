#!/bin/sh
# afl.sh ROOT BIN WORK SECONDS JOBS [AFL-FLAGS...] - the AFL++ half of `mdt fuzz`: a main
# instance (-M) and JOBS-1 secondaries (-S) on one sync dir, persistent mode
# (the libFuzzer-style harness linked with AFL++'s driver), the
# structure-aware custom mutator and the dictionary.  Crashes are copied to
# WORK/crashes for triage; the first instance's stability and exec/s are
# printed.
#
# Several machines (from mdt fuzz's options, in the environment):
# SYNC_DIR (--sync-dir) the -o directory, default WORK/afl: on a shared
# filesystem every machine's instances sync through it; AFL_NAME (--name)
# this machine's main instance, its secondaries NAME-s1...; AFL_ROLE
# (--secondary) "secondary": only -S instances, the main runs elsewhere;
# FOREIGN (--foreign DIR:DIR) queue directories of instances with their own
# sync directory (copied from other machines) that the main imports (-F).
set -u
ROOT=$1 BIN=$2 WORK=$3 SECS=$4 JOBS=$5
shift 5
EXTRA=$(for a in "$@"; do printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done)
SYNC=${SYNC_DIR:-$WORK/afl} NAME=${AFL_NAME:-main} ROLE=${AFL_ROLE:-main} FOREIGN=${FOREIGN:-}
mkdir -p "$SYNC" "$WORK/seeds" 2>/dev/null || { echo "mdt fuzz: cannot write '$SYNC'" >&2; exit 3; }
cp "$WORK/corpus"/* "$WORK/seeds/" 2>/dev/null
# afl-fuzz needs one input at least: an empty program is one
ls "$WORK/seeds" | grep -q . || printf '\000\000' >"$WORK/seeds/empty"
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# the afl build is ASan+UBSan, with the options afl-fuzz accepts
. "$ROOT/sanitizers/env.sh"
md_afl_sanitizer_env "$ROOT"
export AFL_CUSTOM_MUTATOR_LIBRARY="$(dirname "$BIN")/libmdt_afl_mutator.so"
[ -f "$AFL_CUSTOM_MUTATOR_LIBRARY" ] || { echo "mdt fuzz: $AFL_CUSTOM_MUTATOR_LIBRARY is missing" >&2; exit 3; }
eval "set -- $EXTRA"
set -- "$@" -i "$WORK/seeds" -o "$SYNC" -V "$SECS" -x "$(dirname "$BIN")/mdt.dict"
pids="" first=$NAME i=1 n=$JOBS
if [ "$ROLE" = main ]; then
	f=""
	for d in $(printf '%s' "$FOREIGN" | tr ':' ' '); do
		[ -d "$d" ] || { echo "mdt fuzz: --foreign '$d' is not a directory" >&2; exit 2; }
		f="$f -F $d"
	done
	# shellcheck disable=SC2086
	afl-fuzz "$@" -M "$NAME" $f -- "$BIN" >"$WORK/afl-$NAME.log" 2>&1 &
	pids="$pids $!"
	n=$((JOBS - 1))
else
	first=$NAME-s1
fi
# the first secondary adds CMPLOG (input-to-state) from the afl-cmplog build
CMPLOG=$ROOT/build/afl-cmplog/fuzz/$(basename "$BIN")
while [ $i -le "$n" ]; do
	c=""
	[ $i -eq 1 ] && [ -x "$CMPLOG" ] && c="-c $CMPLOG"
	# shellcheck disable=SC2086
	afl-fuzz "$@" -S "$NAME-s$i" $c -- "$BIN" >"$WORK/afl-$NAME-s$i.log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
interrupted=0
trap 'interrupted=1; kill $pids 2>/dev/null' INT TERM
stats=$SYNC/$first/fuzzer_stats
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
	tail -n 20 "$WORK/afl-$first.log" >&2
	exit 3
fi
echo "mdt fuzz: afl $first: $(grep -E '^(execs_done|execs_per_sec|stability|saved_crashes)' "$stats" | tr -s ' ' | tr '\n' ' ')"
execs=$(sed -n 's/^execs_done *: *\([0-9]*\).*/\1/p' "$stats")
if [ $interrupted -eq 0 ] && [ "${execs:-0}" -eq 0 ]; then
	echo "mdt fuzz: afl-fuzz ran no input: $(grep -m1 -E 'PROGRAM ABORT|ERROR|Error' "$WORK/afl-$first.log")" >&2
	exit 3
fi
n=0
# this machine's instances' crashes (a shared sync dir holds the others' too)
for f in "$SYNC/$NAME"/crashes/id:* "$SYNC/$NAME"-s*/crashes/id:*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$WORK/crashes/afl-crash-$n"
done
cp "$SYNC/$first"/queue/id:* "$WORK/merged/" 2>/dev/null
exit 0
