// Decoy: "a kworker runs background work nobody is waiting for: when
// another task holds struct_mutex it can afford to wait for it, and then
// shrink i915 properly instead of giving up".
// Wrong: a kworker in the shrinker is in reclaim, on behalf of an
// allocation (writeback, another driver's work); the holder of struct_mutex
// may itself be waiting for that memory, or for work queued behind this
// kworker on system_wq. A shrinker never sleeps on struct_mutex, whoever
// calls it: give up at once.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      if (current.flags & PF_WQ_WORKER) {
        await mutex_lock(i915.struct_mutex); // background work: it can afford to wait
        return { locked: true, unlock: true };
      }
      return { locked: false, unlock: false }; // someone else's: hands off, and no waiting
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
