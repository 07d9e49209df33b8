/* SPDX-License-Identifier: MIT */
/*
 * stress.h - the real-thread stress driver (`mdt stress`).
 *
 * Worker threads run a weighted random mix of core operations on one shared
 * core instance for a duration, checking each operation's postcondition;
 * at the end the quiescent checker runs twice: with the workers' references
 * still held, and after everything was released (nothing may be left).
 */
#ifndef MD_STRESS_H
#define MD_STRESS_H

/**
 * md_stress_main() - `mdt stress [options]`.
 * Return: exit code: 0 clean, 1 failure found, 2 usage, 3 environment.
 */
int md_stress_main(int argc, char **argv);

#endif
