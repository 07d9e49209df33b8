#!/bin/sh
# mutants.sh - every seeded bug is caught by its declared detector, exactly,
# and the correct code passes the same program.
#
#   mutants.sh MDT_BINARY SOURCE_ROOT
#
# For each mutant in the registry (`mdt mutants --names`: name, detector, target) the
# proof is its exact reproducer: corpus/regressions/NAME.bin for the oracles,
# corpus/regressions/tsan/NAME.bin or asan/NAME.bin for a bug seeded for a
# sanitizer.  Replayed by the deterministic scheduler, so the verdict cannot
# depend on timing or on the load of the machine:
#   - the file names the mutant (its trailer), and `mdt repro` replays it
#     with that detector's verdict: an oracle's kind (postcondition,
#     invariant, deadlock, livelock), or a crash whose report is the
#     sanitizer's own ("WARNING: ThreadSanitizer:", "ERROR: AddressSanitizer:"
#     and, for free_no_grace, a heap-use-after-free), or for a bug whose
#     detector is the fault itself (signal) a SIGSEGV the engine caught
#     (corpus/regressions/fault/, proved in a build without a sanitizer,
#     which would report the bad access first);
#   - `mdt repro FILE --mutant none` passes.
# A sanitizer bug is proved in the build that has its sanitizer and skipped
# elsewhere; an oracle bug is proved by the oracle in a build without a
# sanitizer (debug), while a sanitizer build may report the same replay
# first (say, ASan at the use after free an invariant would find later):
# the output says which.  ./mdt test runs the debug, tsan and asan builds.  A mutant without a
# reproducer fails the test: find one with explore (in the sanitizer's build
# for a sanitizer bug) or stress --rounds, minimize it, add it to
# corpus/regressions/ with its readable .mdt.  The regress suite replays each
# file 100 times; the real-thread hit rate is a benchmark (./mdt bench
# hitrate), not a test.  TAP.
set -u
MDT=$1
ROOT=$2
. "$ROOT/sanitizers/env.sh"
md_sanitizer_env "$ROOT"
REG=$ROOT/corpus/regressions

if "$MDT" version | grep -q 'mutants off'; then
	echo "1..0 # SKIP mutants are not compiled into this build"
	exit 0
fi
san=$("$MDT" version | sed -n 's/.*sanitize \([^,]*\),.*/\1/p')

# has_detector DET: the build can give that verdict
has_detector() {
	case $1 in
	oracle) return 0 ;;
	signal) [ "$san" = none ] ;;
	tsan) [ "$san" = thread ] ;;
	asan) case $san in *address*) return 0 ;; esac; return 1 ;;
	*) return 1 ;;
	esac
}

# reproducer DET NAME: where the proof of NAME lives
reproducer() {
	case $1 in
	oracle) echo "$REG/$2.bin" ;;
	signal) echo "$REG/fault/$2.bin" ;;
	*) echo "$REG/$1/$2.bin" ;;
	esac
}

# sanitizer_report ERR: the build's own sanitizer reported (its name), else fails
sanitizer_report() {
	case $san in
	thread) grep -q 'WARNING: ThreadSanitizer: ' "$1" && echo tsan ;;
	*address*) # the asan build has UBSan too
		if grep -q 'ERROR: AddressSanitizer: ' "$1"; then echo asan; else grep -q 'runtime error: ' "$1" && echo ubsan; fi ;;
	undefined) grep -q 'runtime error: ' "$1" && echo ubsan ;;
	*) return 1 ;;
	esac
}

# verdict DET NAME OUT ERR: who caught the replay, when it is DET (or, for an
# oracle bug in a sanitizer build, that sanitizer); fails otherwise
verdict() {
	case $1 in
	oracle)
		if grep -Eq ': FAIL (postcondition|invariant|deadlock|livelock) at step ' "$3"; then
			echo oracle
		elif grep -q ': FAIL crash at step ' "$3" && by=$(sanitizer_report "$4"); then
			echo "$by, before the oracle"
		else
			return 1
		fi
		;;
	tsan) grep -q ': FAIL crash at step ' "$3" && grep -q 'WARNING: ThreadSanitizer: ' "$4" && echo tsan ;;
	signal) grep -Eq ': FAIL crash at step [0-9]+: SIG(SEGV|BUS) ' "$3" && echo signal ;;
	asan)
		grep -q ': FAIL crash at step ' "$3" || return 1
		case $2 in
		free_no_grace) grep -q 'ERROR: AddressSanitizer: heap-use-after-free' "$4" ;;
		*) grep -q 'ERROR: AddressSanitizer: ' "$4" ;;
		esac && echo asan
		;;
	esac
}

n=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MDT" mutants --names >"$TMP/names"
while read -r name det _target; do
	n=$((n + 1))
	file=$(reproducer "$det" "$name")
	rel=${file#"$ROOT"/}
	if ! has_detector "$det"; then
		echo "ok $n - $name # SKIP its detector $det is not in this build (sanitize=$san): proved in the $det build"
		continue
	fi
	if [ ! -f "$file" ]; then
		echo "not ok $n - $name ($det): no exact reproducer $rel yet"
		failed=$((failed + 1))
		continue
	fi
	named=$("$MDT" decompile "$file" 2>/dev/null | sed -n 's/^mutant //p')
	"$MDT" repro "$file" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	"$MDT" repro "$file" --mutant none >"$TMP/clean" 2>&1
	clean=$?
	if [ "$named" = "$name" ] && [ $rc -eq 1 ] && by=$(verdict "$det" "$name" "$TMP/out" "$TMP/err") &&
		[ $clean -eq 0 ]; then
		echo "ok $n - $name caught by $by: $(sed 's/^[^:]*: //' "$TMP/out"); correct code passes"
		continue
	fi
	echo "not ok $n - $name ($det): $rel names mutant '$named', replay exit $rc, correct code exit $clean"
	sed 's/^/# /' "$TMP/out" | tail -n 3
	grep -E 'ThreadSanitizer|AddressSanitizer|runtime error' "$TMP/err" | head -n 3 | sed 's/^/# /'
	[ $clean -ne 0 ] && tail -n 3 "$TMP/clean" | sed 's/^/# correct: /'
	failed=$((failed + 1))
done <"$TMP/names"
echo "1..$n"
[ "$failed" -eq 0 ]
