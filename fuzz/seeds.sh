#!/bin/sh
# seeds.sh ROOT MDT OUT [SYSTEM] - the fuzzers' seed corpus: every target's
# seed programs (targets/NAME/*.mdt), or only SYSTEM's, compiled into
# OUT/SEED.bin.  A design of a target (core:one-typesafe) gets its target's
# seeds, recorded for that design.  Exit 0; 2 when a seed does not compile (its error shown);
# 3 when OUT cannot be written.
set -u
ROOT=$1 MDT=$2 OUT=$3 SYSTEM=${4:-}
BASE=${SYSTEM%%:*}
# a design: its target's seeds, recorded for it
if [ "$SYSTEM" != "$BASE" ]; then set -- --target "$SYSTEM"; else set --; fi
mkdir -p "$OUT" 2>/dev/null && [ -w "$OUT" ] || { echo "seeds.sh: cannot write '$OUT'" >&2; exit 3; }
for f in "$ROOT"/targets/*/*.mdt; do
	[ -f "$f" ] || continue
	[ -z "$SYSTEM" ] || [ "$(basename "$(dirname "$f")")" = "$BASE" ] || continue
	"$MDT" compile "$@" "$f" -o "$OUT/$(basename "$f" .mdt).bin" >/dev/null || exit 2
done
exit 0
