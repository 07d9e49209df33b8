#!/usr/bin/env python3
"""bench_detector.py - `bench detect` names the detector from a run's own failure record.

Each case is what a driver really prints (explore, stress, a replay) and the
detector it must be filed under.  Usage: bench_detector.py SRCDIR (TAP).
"""
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "bench"))
import bench  # noqa: E402

TSAN = "==================\nWARNING: ThreadSanitizer: data race (pid=1)\n"
CASES = [
    ("explore oracle", "FAIL postcondition at step 9 (run 3): lookup(9) ...\n", 1, "oracle"),
    ("explore invariant", "FAIL invariant at step 9 (run 3): held\n", 1, "oracle"),
    ("replay oracle", "x.bin: FAIL postcondition at step 138: gup(14)\n", 1, "oracle"),
    ("stress oracle", "\nFAIL: gup(3): torn snapshot (2 failures)\n", 1, "oracle"),
    ("stress killed by TSan", TSAN + "\nFAIL: sanitizer report after 84 ms and 2930 ops\n", 66, "tsan"),
    ("stress killed by ASan", "==1==ERROR: AddressSanitizer: heap-use-after-free\n"
     "\nFAIL: sanitizer report after 5 ms and 9 ops\n", 67, "asan"),
    ("stress segfault, no sanitizer", "\nFAIL: SIGSEGV after 5 ms and 9 ops\n", 139, "signal"),
    ("stress segfault under TSan", "ThreadSanitizer: SEGV on unknown address\n"
     "\nFAIL: sanitizer report after 5 ms and 9 ops\n", 66, "signal"),
    ("stress stall", "STALL: thread 1 made no progress for 2000 ms\n", 4, "stall"),
    ("explore crash by TSan", "FAIL crash at step 70: sanitizer report in t1 after lock.try\n" + TSAN, 66,
     "tsan"),
    ("UBSan", "core/x.c:3:1: runtime error: signed integer overflow\n", 68, "ubsan"),
    ("clean", "mdt stress: PASS\n", 0, "clean"),
    ("hung", "", None, "hung"),
]

print(f"1..{len(CASES)}")
bad = 0
for i, (name, out, rc, want) in enumerate(CASES, 1):
    got = bench.detector_of(out, rc)
    ok = got == want
    bad += not ok
    print(f"{'ok' if ok else 'not ok'} {i} - {name}: {got}" + ("" if ok else f", wanted {want}"))
sys.exit(1 if bad else 0)
