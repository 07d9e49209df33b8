// SPDX-License-Identifier: MIT
/*
 * md_ck.c - the logical thread hosted ck code runs as (md_ck.h).
 */
#include "md_ck.h"

_Thread_local struct md_thread *md_ck_self;
