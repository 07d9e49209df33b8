/* SPDX-License-Identifier: MIT */
/*
 * md_asan.h - let AddressSanitizer see the core's atomic accesses.
 *
 * ck_pr_* are inline asm, which ASan does not instrument: a try-get, lock or
 * put on a freed descriptor would go unreported.  core/md_atomic.h calls
 * these checks before every access, with the access's size and direction,
 * exactly as the compiler's own instrumentation would for a plain access.
 * They report; they never declare anything safe.
 */
#ifndef MD_ASAN_H
#define MD_ASAN_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MD_ASAN 1
#endif
#endif
#if !defined(MD_ASAN) && defined(__SANITIZE_ADDRESS__)
#define MD_ASAN 1
#endif

#ifdef MD_ASAN
void __asan_load1(void *p);
void __asan_store1(void *p);
void __asan_load4(void *p);
void __asan_store4(void *p);
void __asan_load8(void *p);
void __asan_store8(void *p);
#define md_asan_load8(p)   __asan_load1((void *)(p))
#define md_asan_store8(p)  __asan_store1((void *)(p))
#define md_asan_load32(p)  __asan_load4((void *)(p))
#define md_asan_store32(p) __asan_store4((void *)(p))
#define md_asan_load64(p)  __asan_load8((void *)(p))
#define md_asan_store64(p) __asan_store8((void *)(p))
#else
#define md_asan_load8(p)   ((void)(p))
#define md_asan_store8(p)  ((void)(p))
#define md_asan_load32(p)  ((void)(p))
#define md_asan_store32(p) ((void)(p))
#define md_asan_load64(p)  ((void)(p))
#define md_asan_store64(p) ((void)(p))
#endif

#endif
