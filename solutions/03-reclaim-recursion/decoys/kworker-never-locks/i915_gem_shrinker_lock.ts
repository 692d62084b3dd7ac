// Decoy: "i915's free worker runs on a kworker and needs struct_mutex: a
// kworker that takes the lock from reclaim could hold up the free worker
// queued behind it, so from a kworker never take it (answer 'not locked')".
// Wrong: a trylock never waits, so a kworker's shrinker call cannot
// deadlock on the lock; refusing every kworker (writeback, another
// driver's work, i915's own retire worker allocating under struct_mutex,
// which is then not even told the lock is its own) hides all of i915's
// memory from their reclaim: early allocation failures and OOM kills.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (current.flags & PF_WQ_WORKER) return { locked: false, unlock: false }; // keep kworkers off i915's lock
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false }; // someone else's: hands off, and no waiting
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
