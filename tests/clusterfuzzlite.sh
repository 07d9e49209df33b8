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
# What the OSS-Fuzz base-builder image (Ubuntu 20.04) would meet, as far as
# Debian's packages let it be emulated here: no meson feature newer than the
# minimum meson.build declares (that minimum is what the Dockerfile's pip
# installs), and an older libck stops the configure with one clear line.
DF=$ROOT/.clusterfuzzlite/Dockerfile
want=$(sed -n "s/.*meson_version: '>=\([0-9.]*\)'.*/\1/p" "$ROOT/meson.build")
grep -q '^FROM gcr.io/oss-fuzz-base/base-builder$' "$DF" && grep -q "pip3 install 'meson>=$want" "$DF" &&
	grep -q 'COPY . $SRC/mdtorture' "$DF" && grep -q 'COPY .clusterfuzzlite/build.sh $SRC/' "$DF"
check "Dockerfile: base-builder as it is, meson >= $want from pip, the source and build.sh in \$SRC" $?
meson setup --fatal-meson-warnings "$TMP/fmw" "$ROOT" >"$TMP/fmw.log" 2>&1
rc=$?
check "meson.build uses no meson feature newer than its declared $want" $rc
[ $rc -eq 0 ] || grep -iE 'warning|feature' "$TMP/fmw.log" | head -n 5 | sed 's/^/# /'
mkdir "$TMP/oldck"
sed 's/^Version:.*/Version: 0.6.0/' "$(pkg-config --variable=pcfiledir ck)/ck.pc" >"$TMP/oldck/ck.pc"
PKG_CONFIG_PATH=$TMP/oldck meson setup "$TMP/oldck-build" "$ROOT" >"$TMP/oldck.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'ERROR: .*Concurrency Kit >= 0.7.0 is needed (found: 0.6.0)' "$TMP/oldck.log"
check "an older libck (0.6.0) stops meson setup with one line naming the version" $?
echo "1..$n"
exit $failed
