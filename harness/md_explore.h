/* SPDX-License-Identifier: MIT */
/*
 * md_explore.h - `mdt explore` (generate programs, explore schedules, stop at
 * the first failure and write its reproducer) and `mdt repro` (replay
 * reproducers exactly).
 *
 * A reproducer is a program in the binary encoding whose schedule bytes are
 * the decisions the failing run took, followed by a trailer naming the
 * mutant: [name][name length]["MDT1"].  The decoder ignores nothing: a file
 * without the trailer (a raw fuzzer input) is replayed in bytes mode.
 */
#ifndef MD_EXPLORE_H
#define MD_EXPLORE_H

int md_explore_main(int argc, char **argv);
int md_repro_main(int argc, char **argv);

#endif
