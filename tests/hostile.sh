#!/bin/sh
# hostile.sh - hostile but realistic use: every bad value, bad file, unwritable
# output, full disk and interrupt gets the exit code of the one table
# (cli/md_exit.h, the README: 0 clean, 1 failure found, 2 usage or damaged
# input, 3 environment, 130 interrupted), a usage or environment error is
# one line on stderr, and no earlier file is destroyed.
#
#   hostile.sh MDT_BINARY SOURCE_ROOT [SECTION...]
#
# SECTIONs (default: all): values names usage files outputs signals verdicts.
# TAP; the last lines count the cases by category.  Cases that need what the
# machine does not allow (a tmpfs to fill, a sanitizer build) are skipped
# with the reason.
set -u
MDT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: its build is build/<variant>
ROOT=$2
shift 2
SECTIONS="$*"
. "$ROOT/sanitizers/env.sh"
md_sanitizer_env "$ROOT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0
CATS=""

count() { # count CATEGORY
	CATS="$CATS
$1"
}

ok() { # ok CATEGORY DESCRIPTION
	n=$((n + 1))
	count "$1"
	echo "ok $n - [$1] $2"
}

not_ok() { # not_ok CATEGORY DESCRIPTION WHY
	n=$((n + 1))
	count "$1"
	failed=$((failed + 1))
	echo "not ok $n - [$1] $2: $3"
	head -c 600 "$TMP/err" | sed 's/^/# stderr: /'
	head -c 300 "$TMP/out" | sed 's/^/# stdout: /'
}

skip() { # skip CATEGORY DESCRIPTION WHY
	n=$((n + 1))
	count "$1"
	echo "ok $n - [$1] $2 # SKIP $3"
}

# run CMD...: stdin empty, at most 120 s; exit code in $rc
run() {
	timeout -k 5 120 "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# expect CATEGORY WANT DESCRIPTION CMD...: the exit code is WANT; a usage or
# environment error is exactly one non-empty line on stderr
expect() {
	cat=$1 want=$2 desc=$3
	shift 3
	run "$@"
	if [ "$rc" != "$want" ]; then
		not_ok "$cat" "$desc" "exit $rc, wanted $want"
	elif { [ "$want" = 2 ] || [ "$want" = 3 ]; } &&
		{ [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ ! -s "$TMP/err" ]; }; then
		not_ok "$cat" "$desc" "stderr is $(wc -l <"$TMP/err") lines, wanted one"
	else
		ok "$cat" "$desc (exit $rc)"
	fi
}

# holds CATEGORY DESCRIPTION CONDITION...: the shell condition is true
holds() {
	cat=$1 desc=$2
	shift 2
	if "$@"; then ok "$cat" "$desc"; else not_ok "$cat" "$desc" "does not hold"; fi
}

started() { # started PID: wait until it has printed (up to 20 s): a loaded machine starts slowly
	i=0
	while [ ! -s "$TMP/out" ] && [ $i -lt 200 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}
interrupt() { # interrupt SIGNAL AFTER CMD...: run CMD, send SIGNAL AFTER seconds into its run
	sig=$1 after=$2
	shift 2
	: >"$TMP/out" # the child truncates it only once it runs: started must not see the last command's
	"$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	p=$!
	started $p
	sleep "$after"
	kill -s "$sig" $p
	wait $p
	rc=$?
}

REPRO=$ROOT/corpus/regressions/gup_no_recheck.bin
cp "$REPRO" "$TMP/good.bin"
"$MDT" decompile "$REPRO" >"$TMP/good.mdt"
MUTANTS=$("$MDT" version | grep -q 'mutants on' && echo on || echo off)
SAN=$("$MDT" version | sed -n 's/.*sanitize \([^,]*\),.*/\1/p')

# ---- option values: every duration, integer and probability option ----
sec_values() {

BAD_DURATIONS="'' nan inf -1 1e999 abc 5x 99999999999h 1.5.5s 10sx"
for spec in "stress --duration" "stress --stall" "stress --check-every" "stress --stutter" \
	"stress --rounds 1 --search-time" "explore --time" "repro $REPRO --search" \
	"minimize $REPRO -o $TMP/never.bin --time" "fuzz-opts fuzz_sched --time"; do
	for v in $BAD_DURATIONS; do
		eval "set -- $spec $v"
		expect duration 2 "$spec $v" "$MDT" "$@"
	done
done

BAD_INTS="'' -1 abc 1.5 99999999999999999999 12abc"
for spec in "stress --threads" "stress --frames" "stress --compactors" "stress --rounds" \
	"stress --chaos-sleep" "stress --seed" "explore --runs" "explore --threads" \
	"explore --ops" "explore --depth" "explore --seed" "minimize $REPRO -o $TMP/never.bin --tries" \
	"fuzz-opts fuzz_sched --jobs"; do
	for v in $BAD_INTS; do
		eval "set -- $spec $v"
		expect integer 2 "$spec $v" "$MDT" "$@"
	done
done
for spec in "stress --threads 0" "stress --threads 65" "stress --frames 100" "stress --frames 0" \
	"stress --frames 16777280" "stress --compactors 9" "explore --threads 9" "explore --ops 33" \
	"explore --depth 9" "explore --runs 0" "fuzz-opts fuzz_sched --jobs 257" \
	"fuzz-opts fuzz_sched --jobs 0"; do
	# shellcheck disable=SC2086
	expect range 2 "$spec" "$MDT" $spec
done
for v in "''" x 1:2:3 1:2:3:4:5 -1:0:0:0 1:2:3:4x 99999999999999999999:0:0:0 1::2:3 " 1:2:3:4"; do
	eval "set -- explore --runs 1 --resume '$v'"
	expect resume 2 "explore --resume '$v'" "$MDT" "$@"
done
for v in nan -0.1 2 "''" x 1e999; do
	eval "set -- stress --chaos $v"
	expect probability 2 "stress --chaos $v" "$MDT" "$@"
done

}

# ---- names and lists ----
sec_names() {

for v in "''" x lookup lookup= lookup=-1 lookup=1001 nosuch=1 lookup=0 ,, "lookup=1,,put=x"; do
	eval "set -- stress --mix $v"
	expect names 2 "stress --mix $v" "$MDT" "$@"
done
for spec in "stress --chaos-at nosuch.point" "stress --chaos-at ,x" "stress --chaos-kinds nap" \
	"stress --chaos-kinds ," "stress --chaos-kinds yield,,nap" "stress --target nosuch" \
	"stress --mutant nosuch" "stress --mutant .*" "explore --strategy nosuch" \
	"explore --target nosuch" "explore --target core:nosuch" "explore --target core:" \
	"explore --target :one-typesafe" "stress --target core:nosuch" \
	"explore --mutant nosuch" "explore --mutant .*" \
	"repro --mutant nosuch $REPRO" "fuzz-opts nosuch" "fuzz-opts fuzz_sched --engine nosuch" \
	"fuzz-opts fuzz_sched --mutant .*" "fuzz-opts fuzz_sched --mutant nosuch" "fuzz-opts" \
	"fuzz-opts fuzz_sched fuzz_decode" "fuzz-opts fuzz_sched --target nosuch" \
	"repro --raw --target nosuch $REPRO" "nosuchcommand" \
	"fuzz-opts fuzz_sched --sync-dir $TMP/s" "fuzz-opts fuzz_sched --name m2" \
	"fuzz-opts fuzz_sched --engine afl --secondary --foreign $TMP" \
	"fuzz-opts fuzz_sched --engine afl --name a/b" "fuzz-opts fuzz_sched --engine afl --name"; do
	# shellcheck disable=SC2086
	expect names 2 "$spec" "$MDT" $spec
done
if [ "$MUTANTS" = on ]; then
	expect names 2 "a mutant of another target: stress --mutant stack_aba" "$MDT" stress --mutant stack_aba
	expect names 2 "a mutant of another target: explore --target stack --mutant gup_no_recheck" \
		"$MDT" explore --target stack --mutant gup_no_recheck
	expect names 2 "a mutant of another target: repro --mutant stack_aba" "$MDT" repro --mutant stack_aba "$REPRO"
	expect names 2 "a mutant of another design: explore --mutant dcache_link_over_count" \
		"$MDT" explore --mutant dcache_link_over_count
	expect names 2 "a mutant of another target: fuzz --target stack --mutant gup_no_recheck" \
		"$MDT" fuzz-opts fuzz_sched --target stack --mutant gup_no_recheck
else
	expect names 2 "a mutant in a build without mutants" "$MDT" stress --mutant gup_no_recheck
fi

}

# ---- the command line itself ----
sec_usage() {

for c in stress explore repro explain minimize compile decompile mutants version fuzz-opts; do
	expect usage 2 "$c --no-such-option" "$MDT" "$c" --no-such-option
	expect usage 0 "$c --help" "$MDT" "$c" --help
	holds usage "$c --help prints its usage on stdout" grep -q usage "$TMP/out"
done
for spec in "stress --duration" "explore --time" "repro --search" "stress --mix" "explore --seed" \
	"minimize --time" "fuzz-opts fuzz_sched --time"; do
	# shellcheck disable=SC2086
	expect usage 2 "a missing value: $spec" "$MDT" $spec
done
for spec in "stress extra" "explore extra" "version extra" "mutants extra" "repro" "explain" \
	"minimize $REPRO" "compile $TMP/good.mdt" "decompile" "explain a b"; do
	# shellcheck disable=SC2086
	expect usage 2 "operands: $spec" "$MDT" $spec
done
expect usage 0 "mdt --help" "$MDT" --help
expect usage 0 "mdt -h" "$MDT" -h
expect usage 0 "mdt help" "$MDT" help
expect usage "$([ "$MUTANTS" = on ] && echo 1 || echo 2)" "-- ends the options: repro -- FILE" "$MDT" repro -- "$TMP/good.bin"
expect usage 2 "./mdt --build= (empty) is no variant" sh "$ROOT/mdt" --build= version
expect usage 2 "./mdt --build nosuch" sh "$ROOT/mdt" --build nosuch version
if [ -f "$ROOT/build/release/build.ninja" ]; then
	expect usage 2 "./mdt test --bogus: meson's own error, before any build but the first" \
		sh "$ROOT/mdt" test --bogus
	holds usage "... naming the bad argument" grep -q bogus "$TMP/err"
else
	skip usage "./mdt test --bogus" "build/release is not set up (./mdt test sets it up first)"
fi
expect usage 2 "mdt fuzz with a regex for a mutant" sh "$ROOT/fuzz/campaign.sh" "$ROOT" debug fuzz_sched --time 5s --mutant '.*'
for v in /nonexistent /etc/passwd "''"; do
	eval "set -- exec --baseline $v"
	expect usage 2 "bench exec --baseline $v: not a fuzz_sched, before any measurement" sh "$ROOT/mdt" bench "$@"
done
for v in 0 11 x; do
	expect range 2 "bench exec --baseline ... --rounds $v" sh "$ROOT/mdt" bench exec --baseline "$MDT" --rounds "$v"
done

}

# ---- files: every file argument, missing, empty, damaged, of the wrong kind ----
sec_files() {

mkdir "$TMP/adir"
mkfifo "$TMP/fifo"
: >"$TMP/empty.bin"
head -c 200 /dev/urandom >"$TMP/random.bin"
size=$(wc -c <"$REPRO")
head -c $((size / 2)) "$REPRO" >"$TMP/half.bin"
head -c $((size - 1)) "$REPRO" >"$TMP/less1.bin"
cp "$TMP/good.mdt" "$TMP/text.bin"
cp "$REPRO" "$TMP/binary.mdt"
cp "$REPRO" "$TMP/flip.bin"
printf '\377' | dd of="$TMP/flip.bin" bs=1 seek=5 conv=notrunc 2>/dev/null
for f in nosuch.bin empty.bin adir fifo random.bin half.bin less1.bin text.bin binary.mdt flip.bin; do
	for c in repro explain decompile minimize; do
		extra=""
		[ $c = minimize ] && extra="-o $TMP/min-$f.out"
		# shellcheck disable=SC2086
		expect files 2 "$c $f" "$MDT" $c "$TMP/$f" $extra
	done
done
expect files 2 "repro /dev/null (a device)" "$MDT" repro /dev/null
expect files 2 "compile a binary reproducer" "$MDT" compile "$REPRO" -o "$TMP/c.bin"
expect files 2 "compile a directory" "$MDT" compile "$TMP/adir" -o "$TMP/c.bin"
printf 'threads 2\nthread 0\n  lookup frame=99\n' >"$TMP/bad.mdt"
expect files 2 "compile a text error" "$MDT" compile "$TMP/bad.mdt" -o "$TMP/c.bin"
holds files "... names its line and column" grep -q 'line 3, column' "$TMP/err"
expect files 2 "compile --target of another target" "$MDT" compile --target stack "$TMP/good.mdt" -o "$TMP/c.bin"
expect files 2 "compile --target of no target" "$MDT" compile --target core:nosuch "$TMP/good.mdt" -o "$TMP/c.bin"
for kw in "target core:one-typesafe" "mutant gup_no_recheck" "replay bytes" "expect crash" "sanitizer thread"; do
	{ echo "$kw"; cat "$TMP/good.mdt"; } >"$TMP/twice.mdt"
	expect files 2 "compile a text with '${kw%% *}' given twice" "$MDT" compile "$TMP/twice.mdt" -o "$TMP/c.bin"
	holds files "... and says so" grep -q "'${kw%% *}' is given twice" "$TMP/err"
done
# a program whose schedule is empty (no decision recorded): an honest verdict,
# not the tool's own crash (a NULL trace once reached memcpy under UBSan)
grep -v '^schedule' "$TMP/good.mdt" >"$TMP/nosched.mdt"
"$MDT" compile "$TMP/nosched.mdt" -o "$TMP/nosched.bin" 2>/dev/null
run "$MDT" repro "$TMP/nosched.bin"
holds files "repro of a program with an empty schedule: a verdict (exit $rc)" test "$rc" -le 1
holds files "... and no runtime error of the tool's own" sh -c "! grep -q 'runtime error\|Sanitizer' '$TMP/err'"
expect files 2 "explore --seeds a missing folder" "$MDT" explore --runs 1 --seeds "$TMP/nosuch"
expect files 2 "explore --seeds a file, not a folder" "$MDT" explore --runs 1 --seeds "$TMP/random.bin"
mkdir "$TMP/seeds" && cp "$TMP/good.mdt" "$TMP/seeds/a.mdt" && cp "$TMP/half.bin" "$TMP/seeds/b.bin"
expect files 2 "explore --seeds with a damaged seed among good ones" "$MDT" explore --runs 1 --seeds "$TMP/seeds"
holds files "... names the damaged seed" grep -q 'b.bin' "$TMP/err"
expect files "$([ "$MUTANTS" = on ] && echo 1 || echo 2)" "repro GOOD missing GOOD: the failure found is not hidden" \
	"$MDT" repro "$TMP/good.bin" "$TMP/nosuch.bin" "$TMP/good.bin"
holds files "... both good files replayed" test "$(grep -c ': FAIL ' "$TMP/out")" -eq "$([ "$MUTANTS" = on ] && echo 2 || echo 0)"
run "$MDT" repro --raw "$TMP/random.bin"
holds files "repro --raw takes random bytes as a raw input (exit $rc)" test "$rc" -le 1
holds files "... and says so" grep -q 'raw input' "$TMP/err"
cp "$TMP/random.bin" "$TMP/crash-0123"
run "$MDT" repro "$TMP/crash-0123"
holds files "a campaign's crash file replays raw without --raw (exit $rc)" test "$rc" -le 1
# a mutation that keeps the trailer's magic but breaks its checksum: the fuzzer
# read those bytes as a raw input, so its crash file replays as one
cp "$TMP/flip.bin" "$TMP/crash-flip"
run "$MDT" repro "$TMP/crash-flip"
holds files "a crash file with a broken trailer replays raw as the fuzzer read it (exit $rc)" test "$rc" -le 1
run "$MDT" repro --raw "$TMP/flip.bin"
holds files "repro --raw takes a broken trailer as a raw input (exit $rc)" test "$rc" -le 1
if [ "$SAN" = none ] && [ "$MUTANTS" = on ]; then
	expect files 2 "a TSan reproducer replayed here: the wrong build" "$MDT" repro "$ROOT/corpus/regressions/tsan/unlock_relaxed.bin"
	holds files "... names the build to use" grep -q 'mdt --build tsan repro' "$TMP/err"
	expect files 2 "an ASan reproducer minimized here: the wrong build" "$MDT" minimize "$ROOT/corpus/regressions/asan/free_no_grace.bin" -o "$TMP/never2.bin"
fi

# the damage sweep: every truncation and every flipped byte of a reproducer is refused
for len in $(seq 0 $((size - 1))); do
	head -c "$len" "$REPRO" >"$TMP/t.bin"
	run "$MDT" repro "$TMP/t.bin"
	if [ $rc -eq 2 ]; then ok damage "cut to $len of $size bytes: refused"; else not_ok damage "cut to $len of $size bytes" "exit $rc, wanted 2"; fi
done
for pos in $(seq 0 $((size - 1))); do
	cp "$REPRO" "$TMP/f.bin"
	b=$(od -An -tu1 -j "$pos" -N1 "$REPRO" | tr -d ' ')
	printf "\\$(printf '%03o' $(((b + 1) % 256)))" | dd of="$TMP/f.bin" bs=1 seek="$pos" conv=notrunc 2>/dev/null
	run "$MDT" repro "$TMP/f.bin"
	if [ $rc -eq 2 ]; then ok damage "byte $pos changed: refused"; else not_ok damage "byte $pos changed" "exit $rc, wanted 2"; fi
done

}

# ---- outputs: unwritable places, full disks, never a destroyed file ----
sec_outputs() {

: >"$TMP/afile"
expect outputs 3 "stress --json in a missing directory" "$MDT" stress --duration 1s --json "$TMP/nodir/x.json"
expect outputs 3 "stress --json under a file" "$MDT" stress --duration 1s --json "$TMP/afile/x.json"
expect outputs 3 "explore --json in a missing directory" "$MDT" explore --runs 1 --json "$TMP/nodir/x.json"
expect outputs 3 "explore --json under a file" "$MDT" explore --runs 1 --json "$TMP/afile/x.json"
if "$MDT" version | grep -q 'race points on'; then
	expect outputs 3 "explore --artifacts under a file" "$MDT" explore --runs 1 --artifacts "$TMP/afile/a"
	expect outputs 3 "repro --search --artifacts under a file" "$MDT" repro "$TMP/good.bin" --mutant none --search 1s --artifacts "$TMP/afile/a"
fi
expect outputs 3 "stress --rounds --artifacts under a file" "$MDT" stress --rounds 1 --artifacts "$TMP/afile/a"
echo keep >"$TMP/exists.bin"
expect outputs 3 "compile -o an existing file" "$MDT" compile "$TMP/good.mdt" -o "$TMP/exists.bin"
holds outputs "... left intact" grep -qx keep "$TMP/exists.bin"
if [ "$MUTANTS" = on ]; then
	expect outputs 3 "minimize -o an existing file" "$MDT" minimize "$REPRO" -o "$TMP/exists.bin" --tries 5
	holds outputs "... left intact" grep -qx keep "$TMP/exists.bin"
fi
for c in "mutants" "version" "decompile $REPRO" "mutants --names" "stress --list-ops" "help"; do
	# shellcheck disable=SC2086
	run "$MDT" $c
	# shellcheck disable=SC2086
	"$MDT" $c >/dev/full 2>"$TMP/err"
	r=$?
	holds outputs "$c >/dev/full: exit 3, not 0 (exit $r)" test $r -eq 3
done
# an output that is no regular file (a FIFO here; /dev/stdout, /dev/null for a user) is
# written in place, never renamed over
mkfifo "$TMP/jfifo"
for c in "explore --runs 100 --json" "stress --duration 1s --json"; do
	cat "$TMP/jfifo" >"$TMP/fifo.out" &
	reader=$!
	exec 3<>"$TMP/jfifo" # opened both ways: the reader's open returns, a reader is there
	# shellcheck disable=SC2086
	run "$MDT" $c "$TMP/jfifo"
	exec 3>&- # the last writer gone: the reader reads to the end and exits
	i=0
	while kill -0 $reader 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill $reader 2>/dev/null
	wait $reader 2>/dev/null
	holds outputs "$c FIFO: the JSON goes through it, it stays a FIFO (exit $rc)" \
		sh -c "test $rc -eq 0 && test -p '$TMP/jfifo' && grep -q '\"seed\"' '$TMP/fifo.out'"
done
expect outputs 3 "explore --json a FIFO nobody reads" "$MDT" explore --runs 1 --json "$TMP/jfifo"
holds outputs "... it stays a FIFO" test -p "$TMP/jfifo"
mkdir "$TMP/jdir"
expect outputs 3 "explore --json a directory" "$MDT" explore --runs 1 --json "$TMP/jdir"
echo '{"previous": "run"}' >"$TMP/prev.json"
expect outputs 2 "a usage error with --json on an earlier summary" "$MDT" stress --json "$TMP/prev.json" --threads 0
holds outputs "... the earlier summary is intact" grep -q previous "$TMP/prev.json"
expect outputs 2 "explore usage error with --json on an earlier summary" "$MDT" explore --json "$TMP/prev.json" --strategy x
holds outputs "... the earlier summary is intact" grep -q previous "$TMP/prev.json"
# a full disk: a small tmpfs in a private mount namespace, where the machine allows it
if unshare -m sh -c "mount -t tmpfs -o size=32k tmpfs '$TMP/adir'" 2>/dev/null; then
	for c in "stress --duration 1s --json" "explore --runs 100 --json"; do
		# shellcheck disable=SC2086
		unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$TMP/adir' &&
			echo '{\"previous\": 1}' >'$TMP/adir/s.json' &&
			{ head -c 1000000 /dev/zero >'$TMP/adir/filler' 2>/dev/null; true; } &&
			'$MDT' $c '$TMP/adir/s.json' >'$TMP/out' 2>'$TMP/err'; echo \$? >'$TMP/rc';
			grep -q previous '$TMP/adir/s.json' && echo intact >'$TMP/intact'" </dev/null
		holds outputs "$c on a full disk: exit 3 ($(cat "$TMP/rc"))" test "$(cat "$TMP/rc")" = 3
		holds outputs "... the earlier summary is intact" test -f "$TMP/intact"
		rm -f "$TMP/intact"
	done
else
	skip outputs "--json on a full disk" "no private tmpfs here (unshare -m and mount need CAP_SYS_ADMIN)"
fi

}

# ---- interrupts: the end of a run still runs; exit 130; a second signal at once ----
sec_signals() {

echo '{"previous": "run"}' >"$TMP/int.json"
interrupt INT 2 "$MDT" stress --duration 60s --threads 2 --json "$TMP/int.json"
holds signals "stress, Ctrl-C: exit 130 ($rc)" test $rc -eq 130
holds signals "... the checks and the summary ran" grep -q 'after releasing everything): clean' "$TMP/out"
holds signals "... the rerun line" grep -q '^rerun: ./mdt' "$TMP/out"
holds signals "... the JSON says interrupted" grep -q '"interrupted": 1' "$TMP/int.json"
interrupt TERM 2 "$MDT" stress --rounds 100000000 --duration 60s
holds signals "stress --rounds, SIGTERM: exit 130 ($rc)" test $rc -eq 130
holds signals "... the summary and the rerun line" grep -q '^rerun: ./mdt' "$TMP/out"
if "$MDT" version | grep -q 'race points on'; then
	interrupt INT 1 "$MDT" explore --time 60s --json "$TMP/int.json" --artifacts "$TMP/art"
	holds signals "explore, Ctrl-C: exit 130 ($rc)" test $rc -eq 130
	holds signals "... the summary" grep -q 'runs, 0 failures' "$TMP/out"
	holds signals "... the JSON says interrupted" grep -q '"interrupted": 1' "$TMP/int.json"
	interrupt TERM 1 "$MDT" repro "$TMP/good.bin" --mutant none --search 60s --artifacts "$TMP/art"
	holds signals "repro --search, SIGTERM: exit 130 ($rc)" test $rc -eq 130
	holds signals "... says it was interrupted" grep -q interrupted "$TMP/out"
fi
: >"$TMP/out"
"$MDT" stress --duration 60s </dev/null >"$TMP/out" 2>"$TMP/err" &
p=$!
started $p
sleep 1
kill -INT $p
kill -INT $p
t0=$(date +%s)
wait $p
rc=$?
holds signals "a second Ctrl-C leaves at once: exit 130 ($rc) within 5 s" test $rc -eq 130 -a $(($(date +%s) - t0)) -le 5

}

# ---- honest verdicts and environment ----
sec_verdicts() {

if [ "$SAN" = address ] && [ "$MUTANTS" = on ]; then
	run "$MDT" stress --duration 30s --threads 2 --mutant free_no_grace --mix alloc=10,put=10,lookup=30,gup=10 --chaos 0.01 --seed 1
	holds verdicts "stress killed by ASan: exit 67 ($rc)" test $rc -eq 67
	holds verdicts "... still prints the rerun line" grep -q '^rerun: ./mdt' "$TMP/out"
else
	skip verdicts "stress killed by a sanitizer prints its rerun line" "this is the $SAN build; the asan build checks it"
fi
run sh -c "ulimit -v 2000000; sh '$ROOT/mdt' --build tsan version"
holds verdicts "./mdt under a virtual-memory limit, sanitizer build: exit 3, not a report ($rc)" test $rc -eq 3
holds verdicts "... one line saying why" grep -q 'virtual-memory limit' "$TMP/err"
run sh -c "ulimit -v 2000000; sh '$ROOT/mdt' --build asan stress --duration 1s"
holds verdicts "the same for stress in the asan build ($rc)" test $rc -eq 3
# a campaign whose fuzzer never ran is no clean result (in a libFuzzer build)
if [ "${MDT_FUZZ_ENGINE:-none}" = libfuzzer ]; then
	variant=$(basename "$(dirname "$(dirname "$MDT")")")
	run sh "$ROOT/fuzz/campaign.sh" "$ROOT" "$variant" fuzz_sched --time 5s --out "$TMP/camp" -- -dict="$TMP/nosuch.dict"
	holds verdicts "a campaign whose fuzzer refuses its flags: exit 3, not clean ($rc)" test $rc -eq 3
	holds verdicts "... with the fuzzer's own error line" grep -qi 'did not run.*dictionary' "$TMP/err"
	interrupt TERM 3 sh "$ROOT/fuzz/campaign.sh" "$ROOT" "$variant" fuzz_sched --time 60s --out "$TMP/camp2"
	holds verdicts "a campaign, SIGTERM: exit 130 after its triage ($rc)" test $rc -eq 130
	holds verdicts "... says so" grep -q 'interrupted' "$TMP/out"
else
	skip verdicts "a campaign whose fuzzer refuses its flags" "not a libFuzzer build; the fuzz build checks it"
fi

}

# the sections asked for (all by default), in order
for sec in values names usage files outputs signals verdicts; do
	case " ${SECTIONS:-$sec} " in *" $sec "*) "sec_$sec" ;; esac
done

echo "1..$n"
printf '%s\n' "$CATS" | sed '/^$/d' | sort | uniq -c | sed 's/^ */# cases: /'
[ $failed -eq 0 ]
