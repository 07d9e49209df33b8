#!/bin/sh
# clusterfuzzlite.sh SOURCE_ROOT - .clusterfuzzlite/build.sh, run here the
# way ClusterFuzzLite/OSS-Fuzz runs it ($CC $CFLAGS $LIB_FUZZING_ENGINE $OUT
# $WORK pointing at the local clang-19 and libFuzzer): it must leave both
# targets with seed corpora, dictionaries and options in $OUT, and the
# targets must run their seeds.  TAP.
set -u
ROOT=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/out" "$TMP/work"
export CC=clang-19 CFLAGS="-O1 -g -fsanitize=address,undefined -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer" OUT="$TMP/out" WORK="$TMP/work" SRC="$ROOT/.."
n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}
bash "$ROOT/.clusterfuzzlite/build.sh" >"$TMP/log" 2>&1
check "build.sh builds with the engine's variables" $?
[ $failed -eq 0 ] || sed 's/^/# /' "$TMP/log" | tail -n 20
for t in fuzz_sched fuzz_decode; do
	ok=0
	for f in "$t" "$t.dict" "$t.options" "${t}_seed_corpus.zip"; do [ -s "$OUT/$f" ] || ok=1; done
	check "$t: binary, dict, options and seed corpus in \$OUT" $ok
	mkdir -p "$TMP/seeds-$t" && unzip -q "$OUT/${t}_seed_corpus.zip" -d "$TMP/seeds-$t" 2>/dev/null
	ASAN_OPTIONS=detect_stack_use_after_return=0 "$OUT/$t" -runs=0 "$TMP/seeds-$t" >"$TMP/run" 2>&1
	check "$t runs its seed corpus clean" $?
done
echo "1..$n"
exit $failed
