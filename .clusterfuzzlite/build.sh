#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: fuzz_sched and fuzz_decode built with the
# engine's $CC $CFLAGS $LIB_FUZZING_ENGINE into $OUT, with seed corpora,
# dictionaries and options.  ASan and UBSan only there (TSan campaigns,
# fuzz_parallel, stay local: `./mdt --build fuzz-tsan fuzz fuzz_parallel`).
# tests/clusterfuzzlite.sh runs this script here with local values.
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "$SRC_DIR/meson.build" ] || SRC_DIR=$SRC/mdtorture
BUILD=${WORK:-/tmp}/mdtorture-build
rm -rf "$BUILD"
# meson takes $CC and $CFLAGS (instrumentation, sanitizers) from the environment
meson setup "$BUILD" "$SRC_DIR" -Dfuzzing_engine=oss-fuzz -Dbuildtype=plain \
	-Db_lundef=false -Dc_link_args="$CFLAGS" >"$BUILD.log" 2>&1 || { cat "$BUILD.log"; exit 1; }
ninja -C "$BUILD" fuzz/fuzz_sched fuzz/fuzz_decode cli/mdt >>"$BUILD.log" 2>&1 || { cat "$BUILD.log"; exit 1; }
for t in fuzz_sched fuzz_decode; do
	cp "$BUILD/fuzz/$t" "$OUT/$t"
	cp "$BUILD/fuzz/mdt.dict" "$OUT/$t.dict" # made from the target list
	# fibers switch stacks at every race point: ASan's fake stacks triple a run's cost
	printf '[libfuzzer]\ndict = %s.dict\n\n[asan]\ndetect_stack_use_after_return = 0\n' "$t" >"$OUT/$t.options"
done
# the seed corpora: the targets' seed programs, compiled (and as text for the decoder)
sh "$SRC_DIR/fuzz/seeds.sh" "$SRC_DIR" "$BUILD/cli/mdt" "$BUILD/seeds"
(cd "$BUILD/seeds" && zip -q -j "$OUT/fuzz_sched_seed_corpus.zip" ./*.bin)
(cd "$BUILD/seeds" && zip -q -j "$OUT/fuzz_decode_seed_corpus.zip" ./*.bin "$SRC_DIR"/targets/*/*.mdt)
