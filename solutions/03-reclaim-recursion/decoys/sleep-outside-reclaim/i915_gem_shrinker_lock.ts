// Decoy: "only reclaim (PF_MEMALLOC) must not sleep; elsewhere (the ioctl's
// own i915_gem_shrink(), drop_caches, the OOM notifier) waiting for the lock
// is fine". The OOM notifier runs under oom_lock while the holder may be
// the very task waiting for memory, and the ioctl path already holds
// struct_mutex: mutex_lock() there waits for itself.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (!(current.flags & PF_MEMALLOC)) {
    await mutex_lock(i915.struct_mutex); // not in reclaim: "we may sleep"
    return { locked: true, unlock: true };
  }
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}
