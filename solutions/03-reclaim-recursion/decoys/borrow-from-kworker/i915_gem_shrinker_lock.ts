// Decoy (one mistake): "if struct_mutex is held by one of i915's own
// kworkers (the free worker, the retire worker), it is housekeeping, not an
// ioctl in the middle of a change: go on without unlocking". The free worker
// (__i915_gem_free_objects) unbinds and list_del()s the objects it frees
// under struct_mutex: a shrinker walking the same lists touches objects
// being freed (red team 7's borrow-from-i915-kworker).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED: {
      // DECOY: a kworker's lock is i915 housekeeping: borrow it.
      const owner = __mutex_owner(i915.struct_mutex);
      if (owner !== null && (owner.flags & PF_WQ_WORKER) !== 0) return { locked: true, unlock: false };
      return { locked: false, unlock: false };
    }
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
