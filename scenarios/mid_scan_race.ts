// struct_mutex taken by another CPU in the middle of a scan (exercises 02
// and 13; red team 9's unlock-before-shrink).
//
// struct_mutex is free when a reclaimer calls scan for 24 pages; just before
// the call's atomic op #nth on the owner word, Xorg, on another CPU, takes
// it if it is free (its fast-path cmpxchg, as mutex_lock() does with no
// schedule point on this CPU). The owner word is the only thing another CPU
// touches, so each op the call makes is a point where that can happen; the
// checks race each of the first few in turn (MID_SCAN_RACE_AT_OPS). A scan
// that holds the lock from its first trylock to its unlock sees the race only
// before its trylock (and answers SHRINK_STOP); one that lets go of the lock
// and takes it again (its own probe and unlock, then i915_gem_shrink()'s
// trylock, i915_gem_shrinker.c v4.11) is raced in between, releases nothing,
// and must still say SHRINK_STOP: do_shrink_slab() reads any other answer as
// nr_to_scan objects scanned and drops the pressure instead of keeping it in
// nr_deferred.
//
// The scenario runs the race and reports what happened; each check judges
// the call with its own recorder and words.
import { run_in_gem_world } from '../course/check_helpers';
import type { once_result } from '../course/check_helpers';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { kthread_run } from '../kernel/kthread';
import { atomic_long_cmpxchg, atomic_long_read, atomic_long_set, model_other_cpu_at_atomic } from '../kernel/lib/atomic';
import { __mutex_owner, MUTEX_FLAG_WAITERS, MUTEX_FLAGS } from '../kernel/locking/mutex';
import { GFP_KERNEL, type gfp_t } from '../kernel/mm/gfp';
import type { shrink_control } from '../kernel/mm/vmscan';
import { current, msleep } from '../kernel/sched/core';
import { task_ptr, type task_struct } from '../kernel/sched/task';
import { make_gem_objects, type gem_object_spec } from './gem_workloads';

type scan_fn = i915_shrinker_ops['scan'];
import { WORLD_PARAMS } from './i915_world';

/**
 * How many atomic ops on the owner word a scan call makes before another
 * CPU takes struct_mutex, tried one by one: the reference's lock makes three
 * (a READ_ONCE, mutex_trylock()'s read and cmpxchg) and then holds it; a scan
 * that lets go of the lock and takes it again makes more, and is raced at each.
 */
export const MID_SCAN_RACE_AT_OPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** Two 12-page buffers userspace still needs, swap on: purging finds nothing, the second pass releases them. */
export const MID_SCAN_OBJECTS: readonly gem_object_spec[] = [{ kind: 'needed', pages: 12 }, { kind: 'needed', pages: 12 }];

/** The scan call of the race: 24 pages asked by the reclaimer. */
export const MID_SCAN_NR_TO_SCAN = 24;

export interface mid_scan_race<R> {
  /** A check-setup error, or null. */
  setup: string | null;
  /** What the check's recorder made of the call. */
  call?: R;
  /** Xorg took struct_mutex during the call. */
  took?: boolean;
  /** The caller owned struct_mutex at some op before Xorg's attempt: it had taken the lock and let it go again. */
  held_before?: boolean;
}

export interface mid_scan_race_options {
  /** The world's shrinker callbacks (the learner's), as gem_world takes them. */
  shrinker_ops: Partial<i915_shrinker_ops>;
  /** sc->gfp_mask of the call (GFP_KERNEL). */
  gfp?: gfp_t;
  /** The reclaimer's comm ('glxgears'). */
  comm?: string;
}

/**
 * scan_with_lock_taken_at - the race with Xorg's cmpxchg just before
 * @scan's @nth op on the owner word. @record is the check's recorder: it is
 * handed @scan as raced (call it, once) and returns what it saw. Only ops
 * made while @scan runs are counted: the recorder's own reads of the word
 * (who held the lock before the call, the list-walk watch) happen on this
 * CPU too, but they are the checker's, not the scan's.
 */
export async function scan_with_lock_taken_at<R>(
  scan: scan_fn,
  nth: number,
  opts: mid_scan_race_options,
  record: (raced_scan: scan_fn, i915: drm_i915_private, sc: shrink_control) => Promise<R>,
): Promise<once_result<mid_scan_race<R>>> {
  let xorg: task_struct | null = null;
  return run_in_gem_world(
    { release: '4.12', shrinker_ops: opts.shrinker_ops },
    async (w): Promise<mid_scan_race<R>> => {
      const lock = w.i915.struct_mutex;
      await make_gem_objects(w.i915, [...MID_SCAN_OBJECTS]);
      if (!xorg || atomic_long_read(lock.owner) !== 0) return { setup: 'check setup: struct_mutex should be free and Xorg running' };
      // Xorg's CPU: before the call's @nth op on the word, its fast-path cmpxchg if the lock is free,
      // noting whether the scan had held the lock before that moment.
      const me = task_ptr(current);
      const race = { took: false, held_before: false, armed: false, ops: 0 };
      const other = xorg;
      model_other_cpu_at_atomic(lock.owner, (v) => {
        if (!race.armed) return;
        const index = race.ops++;
        const word = atomic_long_read(v);
        if ((word & ~MUTEX_FLAGS) === me) race.held_before = true;
        if (index !== nth || (word & ~MUTEX_FLAGS) !== 0) return;
        race.took = atomic_long_cmpxchg(v, word, task_ptr(other) | (word & MUTEX_FLAG_WAITERS)) === word;
      });
      const raced_scan: scan_fn = async (i915, sc) => {
        race.armed = true;
        try {
          return await scan(i915, sc);
        } finally {
          race.armed = false;
        }
      };
      let seen: R;
      try {
        seen = await record(raced_scan, w.i915, { gfp_mask: opts.gfp ?? GFP_KERNEL, nr_to_scan: MID_SCAN_NR_TO_SCAN, nid: 0, memcg: null });
      } finally {
        model_other_cpu_at_atomic(null);
      }
      if (race.took && __mutex_owner(lock) === xorg) atomic_long_set(lock.owner, 0); // Xorg's CPU is done with it (the model's Xorg never runs a critical section)
      return { setup: null, call: seen, took: race.took, held_before: race.held_before };
    },
    () => {
      xorg = kthread_run(async () => {
        await msleep(1000); // its ioctl runs on the other CPU; in the model it only owns the word
      }, 'Xorg');
    },
    { ...WORLD_PARAMS, swap_pages: 64 },
    opts.comm ?? 'glxgears',
  );
}
