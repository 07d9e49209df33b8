#!/bin/sh
# mutants.sh - every seeded bug must be caught, and the correct code must not be.
#
#   mutants.sh MDT_BINARY SOURCE_ROOT [--repeat N] [--only NAME]
#
# For each mutant (mdt mutants --names gives name and declared detector),
# real threads hammer its racing pair through `mdt stress` with the op mix
# and the delays at race points listed below (chaos is fair; the oracles are
# never weakened), for a fixed budget.  PASS when the run with the mutant
# ends with the declared detector's verdict and the same run without it
# passes.  A bug seeded for a sanitizer the build has must be reported by
# that sanitizer; otherwise an oracle's or the stall watchdog's verdict
# (they watch every run) also counts.  Detector verdicts: oracle = exit 1 (a
# postcondition, the checker or md_core_bug); tsan = exit 66; asan = exit 67
# (ASan or UBSan); ubsan = 68 (UBSan-only build); stall = exit 4 (the
# watchdog).  TAP output; a mutant whose detector is a sanitizer this build
# lacks, with no other verdict listed, is skipped.  With --repeat N, prints
# the hit rate.
set -u
MDT=$1
ROOT=$2
shift 2
REPEAT=1
ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--repeat) REPEAT=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	*) echo "mutants.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
. "$ROOT/sanitizers/env.sh"
md_sanitizer_env "$ROOT"

BUDGET="--threads 2 --compactors 0 --duration 4s --stall 3s --frames 256"
# name | extra accepted verdicts | stress arguments for the racing pair
# (isolated_flag_nonatomic gets 10 s and delays between its read and its
# write, for builds without TSan where only the lost lock bit can show it:
# with 4 s and delays before the read it missed on loaded machines; a run
# stops at the first detection anyway)
TABLE='
tryget_plain_inc||--mix alloc=10,put=10,lookup=30,lockframe=20,gup_read=10 --chaos 0.01
gup_no_recheck||--mix split=10,alloc=10,put=8,lookup=30,file_alloc=10,index_remove=5 --chaos 0.01
lock_no_recheck||--mix split=10,alloc=10,put=8,lockframe=30,file_alloc=10,index_remove=5 --chaos 0.01
unlock_relaxed||--mix alloc=10,put=5,write=20,lockframe=20,file_alloc=10,index_write=20 --chaos 0.01
index_no_recheck||--mix split=10,file_alloc=10,index_lookup=30,index_remove=5 --chaos 0.01
free_no_grace||--mix alloc=10,put=10,lookup=30,gup_read=10 --chaos 0.01
split_publish_early||--mix split=10,alloc=10,put=8,lockframe=20,gup_read=20,file_alloc=10 --chaos 0.5 --chaos-at split.build
migrate_no_freeze||--mix migrate=20,file_alloc=10,lookup=10,lockframe=20,gup_read=10,index_write=10,index_remove=3 --chaos 0.01
migrate_switch_before_copy||--mix migrate=20,file_alloc=10,gup_read=30,index_write=10,index_remove=3 --chaos 0.01
trylock_before_ref||--frames 128 --mix compact=20,file_alloc=10,index_remove=10,alloc=5,put=5 --chaos 0.3 --chaos-at lock.try --chaos-sleep 200
isolated_flag_nonatomic|stall|--duration 10s --mix migrate=20,alloc=10,put=5,write=20,lockframe=20 --chaos 0.3 --chaos-at flags.clear
isolate_twice||--frames 128 --mix migrate=40,file_alloc=10,index_remove=8
zs_free_vs_migrate|asan|--mix zs_alloc=20,zs_free=18,zs_rw=20,migrate=20 --chaos 0.01
buddy_check_unlocked||--mix compact=10,alloc=10,put=10,file_alloc=10,index_remove=5,lockframe=10 --chaos 0.01
contig_ignore_pin||--mix contig=10,pin=30,unpin=5,file_alloc=20,put=10,alloc=5 --chaos 0.01
stack_aba||explore --target stack --runs 20000
'

san=$("$MDT" version | sed -n 's/.*sanitize \([^,]*\),.*/\1/p')
if "$MDT" version | grep -q 'mutants off'; then
	echo "1..0 # SKIP mutants are not compiled into this build"
	exit 0
fi

codes_for() { # codes_for DETECTOR -> exit codes that mean "caught"
	case $1 in
	oracle) echo 1 ;;
	tsan) echo 66 ;;
	asan) echo 67 ;;
	stall) echo 4 ;;
	esac
}

verdict() { # exit code -> what caught it
	case $1 in
	1) echo oracle ;; 4) echo stall ;; 66) echo tsan ;; 67) echo asan/ubsan ;; 68) echo ubsan ;;
	*) echo "exit $1" ;;
	esac
}

has_detector() {
	case $1 in
	oracle | stall) return 0 ;;
	tsan) [ "$san" = thread ] ;;
	asan) case $san in *address*) return 0 ;; esac; return 1 ;;
	esac
}

n=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$MDT" mutants --names >"$TMP/names"
while read -r name det; do
	[ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
	n=$((n + 1))
	row=$(printf '%s\n' "$TABLE" | grep "^$name|")
	if [ -z "$row" ]; then
		echo "not ok $n - $name: no racing-pair entry in tests/mutants.sh"
		failed=$((failed + 1))
		continue
	fi
	extra=$(printf '%s' "$row" | cut -d'|' -f2)
	args=$(printf '%s' "$row" | cut -d'|' -f3)
	want=""
	case $det in
	tsan | asan)
		# the build has the sanitizer this bug is seeded for: only its
		# report counts (the proof that the annotations hide nothing)
		has_detector "$det" && want=$(codes_for "$det") ;;
	esac
	if [ -z "$want" ]; then
		for d in $det $extra; do has_detector "$d" && want="$want $(codes_for "$d")"; done
		if [ -z "$want" ]; then
			echo "ok $n - $name # SKIP detector $det${extra:+ or $extra} is not in this build (sanitize=$san)"
			continue
		fi
		# the oracles watch every run (postconditions, the checker, the
		# stall watchdog): their verdict counts; an oracle mutant may be
		# caught first by the sanitizer of the build
		want="$want 1 4"
		[ "$det" = oracle ] && case $san in thread) want="$want 66" ;; *address*) want="$want 67" ;; undefined) want="$want 68" ;; esac
	fi
	# a row's driver is stress, unless its arguments start with "explore"
	drive="stress $BUDGET"
	case $args in explore\ *) drive="explore --artifacts $TMP/art" args=${args#explore } ;; esac
	# the report must also say what the bug is, where the issue names it
	must=
	case $name:$san in free_no_grace:*address*) must="AddressSanitizer: heap-use-after-free" ;; esac
	hits=0
	for r in $(seq 1 "$REPEAT"); do
		# shellcheck disable=SC2086
		timeout -k 5 120 "$MDT" $drive $args --seed "$r" --mutant "$name" >"$TMP/out" 2>&1
		rc=$?
		case " $want " in *" $rc "*)
			if [ -z "$must" ] || grep -q "$must" "$TMP/out"; then hits=$((hits + 1)); fi ;;
		esac
	done
	# shellcheck disable=SC2086
	timeout -k 5 120 "$MDT" $drive $args --seed 1 >"$TMP/clean" 2>&1
	clean=$?
	if [ "$hits" -eq "$REPEAT" ] && [ "$clean" -eq 0 ]; then
		echo "ok $n - $name caught by $(verdict "$rc"): $hits/$REPEAT; correct code passes"
	else
		echo "not ok $n - $name ($det): caught $hits/$REPEAT (last exit $rc, wanted one of:$want); correct code exit $clean"
		tail -n 15 "$TMP/out" | sed 's/^/# /'
		[ "$clean" -ne 0 ] && tail -n 15 "$TMP/clean" | sed 's/^/# correct: /'
		failed=$((failed + 1))
	fi
done <"$TMP/names"
echo "1..$n"
[ "$failed" -eq 0 ]
