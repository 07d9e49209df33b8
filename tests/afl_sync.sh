#!/bin/sh
# afl_sync.sh ROOT - AFL++ on two "machines": two campaigns with separate
# sync directories (--name a, --name b), each main importing the other's
# queue (--foreign), as two hosts with copied queues would.  Each must end
# with inputs the other found (AFL++ names them ...,sync:...) and the inputs
# must replay here as raw inputs.  TAP.  Needs the afl build (./mdt --build
# afl), about 40 s on two cores.
set -u
ROOT=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0 status=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; status=1; fi
}
# the other side's queue exists before its campaign starts (AFL++ -F reads
# what is there each sync round), as a copied directory would
mkdir -p "$TMP/qa" "$TMP/qb"
run() { # run NAME OTHER: a campaign, and its queue copied out every 2 s, as rsync would
	(cd "$ROOT" && ./mdt fuzz fuzz_sched --engine afl --time 30s --out "$TMP/$1" --name "$1" \
		--foreign "$TMP/q$2") >"$TMP/$1.log" 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		cp "$TMP/$1/afl/$1/queue"/id:* "$TMP/q$1/" 2>/dev/null
		sleep 2
	done
	wait $pid
}
run a b &
pa=$!
run b a &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
check "both campaigns ran (exit $ra, $rb)" "$([ $ra -eq 0 ] && [ $rb -eq 0 ]; echo $?)"
[ $ra -eq 0 ] || tail -n 5 "$TMP/a.log" | sed 's/^/# /'
for me in a b; do
	got=$(ls "$TMP/$me/afl/$me/queue" 2>/dev/null | grep -c 'sync:')
	check "$me imported $got of the other's inputs" "$([ "$got" -gt 0 ]; echo $?)"
done
f=$(ls "$TMP"/a/afl/a/queue/id:*sync:* 2>/dev/null | head -n 1)
if [ -n "$f" ]; then
	(cd "$ROOT" && ./mdt --build afl repro "$f") >"$TMP/r.log" 2>&1
	check "an imported input replays here as a raw input" "$([ $? -le 1 ] && grep -q 'raw input' "$TMP/r.log"; echo $?)"
fi
echo "1..$n"
exit $status
