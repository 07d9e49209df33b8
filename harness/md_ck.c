// SPDX-License-Identifier: MIT
/*
 * md_ck.c - the logical thread hosted ck code runs as (md_ck.h).
 */
#include "md_ck.h"

_Thread_local struct md_thread *md_ck_self;

const char *const md_ck_rp_names[MD_RP_ENGINE__COUNT - MD_RP__COUNT] = {"ck.load", "ck.store",
									"ck.rmw", "ck.stall"};
