/* SPDX-License-Identifier: MIT */
/*
 * md_rand.h - the one pseudo-random generator of the tree (splitmix64):
 * every driver's randomness is a pure function of a printed seed, so every
 * run can be repeated.
 */
#ifndef MD_RAND_H
#define MD_RAND_H

#include <stdint.h>

/** md_rand() - the next value of the sequence whose state is *@s. */
static inline uint64_t md_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
