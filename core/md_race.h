/* SPDX-License-Identifier: MIT */
/*
 * md_race.h - race-point registry.
 *
 * A race point marks a place where another logical thread may run before
 * this one goes on: before every shared-memory access of the core and inside
 * every spin loop.  The deterministic scheduler switches fibers only there,
 * stress chaos injects delays there, and traces name them ("t2
 * lookup.after_load").  Adding one is one row in MD_RACE_POINTS.
 *
 * With the race_points meson option off (release/benchmark builds)
 * md_race_point() compiles to nothing; on, it costs one predictable branch
 * when no hook is installed.
 */
#ifndef MD_RACE_H
#define MD_RACE_H

/* X(id, "name") */
#define MD_RACE_POINTS(X)                                                                          \
	X(NONE, "none")                                                                            \
	X(LOOKUP_LOAD, "lookup.load")                                                              \
	X(LOOKUP_TRYGET, "lookup.tryget")                                                          \
	X(LOOKUP_RELOAD, "lookup.reload")                                                          \
	X(LOCKF_LOCK, "lockframe.lock")                                                            \
	X(LOCKF_RECHECK, "lockframe.recheck")                                                      \
	X(REF_GET, "ref.get")                                                                      \
	X(REF_PUT, "ref.put")                                                                      \
	X(REF_FREEZE, "ref.freeze")                                                                \
	X(REF_UNFREEZE, "ref.unfreeze")                                                            \
	X(REF_READ, "ref.read")                                                                    \
	X(LOCK_TRY, "lock.try")                                                                    \
	X(LOCK_SPIN, "lock.spin")                                                                  \
	X(UNLOCK, "lock.release")                                                                  \
	X(FLAGS_SET, "flags.set")                                                                  \
	X(FLAGS_CLEAR, "flags.clear")                                                              \
	X(FLAGS_READ, "flags.read")                                                                \
	X(FRAME_PUBLISH, "frame.publish")                                                          \
	X(FRAME_CLEAR, "frame.clear")                                                              \
	X(PAYLOAD_WRITE, "payload.write")                                                          \
	X(PAYLOAD_READ, "payload.read")                                                            \
	X(ZONE_LOCK, "zone.lock")                                                                  \
	X(ZONE_UNLOCK, "zone.unlock")                                                              \
	X(BUDDY_WORD, "buddy.word")                                                                \
	X(PAGEBLOCK_READ, "pageblock.read")                                                        \
	X(PAGEBLOCK_WRITE, "pageblock.write")                                                      \
	X(INDEX_LOAD, "index.load")                                                                \
	X(INDEX_TRYGET, "index.tryget")                                                            \
	X(INDEX_RELOAD, "index.reload")                                                            \
	X(INDEX_STORE, "index.store")                                                              \
	X(SLAB_LOCK, "slab.lock")                                                                  \
	X(SLAB_RECHECK, "slab.recheck")                                                            \
	X(EPOCH_BEGIN, "epoch.begin")                                                              \
	X(EPOCH_END, "epoch.end")                                                                  \
	X(EPOCH_RETIRE, "epoch.retire")                                                            \
	X(EPOCH_REGISTER, "epoch.register")                                                        \
	X(GLOBAL_LOCK, "global.lock")                                                              \
	X(MIGRATE_COPY, "migrate.copy")                                                            \
	X(ZS_LOCK, "zpool.lock")                                                                   \
	X(ZS_POOL, "zpool.pool")                                                                   \
	X(SPLIT_BUILD, "split.build")                                                              \
	X(SPLIT_ORDER, "split.order")                                                              \
	X(MIGRATE_START, "migrate.start")                                                          \
	X(PCP_LOCK, "pcp.lock")                                                                    \
	X(PCP_UNLOCK, "pcp.unlock")                                                                \
	X(PCP_WORD, "pcp.word")

enum md_rp {
#define MD_RP_ENUM(id, name) MD_RP_##id,
	MD_RACE_POINTS(MD_RP_ENUM)
#undef MD_RP_ENUM
	    MD_RP__COUNT
};

/* Every race point id: the core's, then the engine's and the targets' (md_target.c). */
#define MD_RP_MAX 96

/* Flags passed to the hook. */
enum {
	MD_RPF_SPIN = 1u << 0, /* inside a spin loop: no progress until another thread runs */
};

/**
 * md_race_point_name() - name of a race point for traces.
 * @rp: race point id; out-of-range ids return "?".
 */
const char *md_race_point_name(unsigned rp);

#endif
