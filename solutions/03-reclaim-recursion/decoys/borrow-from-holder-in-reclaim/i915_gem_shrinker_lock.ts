// Decoy (one mistake): "if the task holding struct_mutex is itself in
// reclaim (PF_MEMALLOC), it is stuck in the allocator, not touching the
// object lists: borrow its lock (locked, but no unlock) so reclaim can still
// release i915's buffers". The holder asleep in reclaim returns to its ioctl
// at any moment, or is inside i915's own scan on another CPU, unbinding and
// moving objects between the lists: two tasks change the lists under one
// lock (red team 7's borrow-from-holder-in-reclaim).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED: {
      // DECOY: a holder in reclaim is not using the lists: borrow its lock.
      const owner = __mutex_owner(i915.struct_mutex);
      if (owner !== null && (owner.flags & PF_MEMALLOC) !== 0) return { locked: true, unlock: false };
      return { locked: false, unlock: false };
    }
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
