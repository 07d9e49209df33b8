#!/bin/sh
# triage.sh ROOT VARIANT TARGET WORK MUTANT - replay, deduplicate, minimize
# and keep the crashes of a campaign (see campaign.sh).  Exit 1 when there
# were crashes, 0 when none.
set -u
ROOT=$1 VARIANT=$2 TARGET=$3 WORK=$4 MUTANT=$5
MDT=$ROOT/build/$VARIANT/cli/mdt
BIN=$ROOT/build/$VARIANT/fuzz/$TARGET
REPORT=$WORK/triage.md
SEEN=$WORK/signatures
: >"$SEEN"
rm -f "$WORK/rows"
# a crash file kept as found is a raw input: it names no mutant itself
MUT_ARG=" --raw"
[ -n "$MUTANT" ] && [ "$MUTANT" != none ] && MUT_ARG=" --raw --mutant $MUTANT"
# a campaign of one target (mdt fuzz --target): its raw inputs are that target's programs
TG=${MDT_FUZZ_TARGET:-core}
MUT_ARG="$MUT_ARG${MDT_FUZZ_TARGET:+ --target $MDT_FUZZ_TARGET}"
n=0
{
	echo "# $TARGET campaign triage (mutant $MUTANT)"
	echo
	echo "| signature | count | first seen | reproducer | replay |"
	echo "|---|---|---|---|---|"
} >"$REPORT"
for f in "$WORK"/crashes/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if [ "$TARGET" = fuzz_decode ]; then
		line="FAIL decode: $("$BIN" "$f" 2>&1 | grep -m1 '^FAIL' | sed 's/^FAIL decode: //')"
	else
		line=$("$MDT" repro --raw --target "$TG" "$f" --mutant "$MUTANT" 2>/dev/null | head -n 1 | sed 's/^[^:]*: //')
	fi
	# real threads (fuzz_parallel): the input rarely fails again as it is;
	# search its schedules for an exact reproducer and name the crash by it
	found=
	if [ "$TARGET" = fuzz_parallel ] && [ "${line%% *}" = PASS ]; then
		"$MDT" repro --raw --target "$TG" "$f" --mutant "$MUTANT" --search 60s --artifacts "$WORK/search" >"$WORK/search.log" 2>&1
		found=$(sed -n 's/^repro: .* repro //p' "$WORK/search.log" | head -n 1)
		[ -n "$found" ] && line=$("$MDT" repro "$found" 2>/dev/null | head -n 1 | sed 's/^[^:]*: //')
	fi
	# a fuzz_sched input that crashed the engine but passes alone (the target
	# is deterministic; fuzz_parallel's replays search below): the crash
	# depended on what an earlier input of the same persistent process left
	# (both engines' builds have ASan, which reports a use after free at the
	# input that causes it, so this is what ASan cannot see)
	[ "$TARGET" = fuzz_sched ] && case $line in PASS*) line="PASS alone: crash carried over from an earlier input of the same process" ;; esac
	sig=$(printf '%s' "$line" | sed 's/[0-9][0-9]*/N/g')
	if grep -qxF "$sig" "$SEEN"; then
		echo "$sig" >>"$SEEN"
		continue
	fi
	echo "$sig" >>"$SEEN"
	kind=$(printf '%s' "$line" | awk '{ print $2 }')
	case $line in "PASS alone"*) kind=unreplayable ;; esac
	id=$(printf '%s' "$sig" | cksum | cut -c1-8)
	keep=$ROOT/corpus/crashers/$TARGET-${kind:-unknown}-$id.bin
	if [ -e "$keep" ]; then
		note="known: $(basename "$keep")"
	elif [ "$kind" = unreplayable ]; then
		cp "$f" "$keep"
		note="does not replay alone"
	elif [ "$TARGET" = fuzz_sched ] && "$MDT" minimize --raw --target "$TG" "$f" -o "$keep" --mutant "$MUTANT" >"$WORK/minimize.log" 2>&1; then
		note=$(sed -n 's/^  \(ops .*\)/\1/p' "$WORK/minimize.log" | head -n 1)
	elif [ -n "$found" ]; then
		cp "$found" "$keep"
		note="exact schedule found by search"
	else
		cp "$f" "$keep"
		note="kept as found"
	fi
	printf '%s\t%s\t%s\t%s\n' "$sig" "$(basename "$f")" "$(basename "$keep")" "$note" >>"$WORK/rows"
	echo "mdt fuzz: new crash: $line"
	echo "  kept: corpus/crashers/$(basename "$keep") ($note)"
	echo "  replay: ./mdt --build $VARIANT repro$MUT_ARG corpus/crashers/$(basename "$keep")"
done
# one row per signature, with how often it was hit
[ -f "$WORK/rows" ] && while IFS="$(printf '\t')" read -r sig first keep note; do
	c=$(grep -cxF "$sig" "$SEEN")
	echo "| \`$sig\` | $c | $first | corpus/crashers/$keep | \`./mdt --build $VARIANT repro$MUT_ARG corpus/crashers/$keep\` ($note) |" >>"$REPORT"
done <"$WORK/rows"
echo "mdt fuzz: $n crash file(s), $(sort -u "$SEEN" | grep -c .) distinct; triage in $REPORT"
[ "$n" -eq 0 ]
