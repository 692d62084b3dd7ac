// Decoy: "outside reclaim (no PF_MEMALLOC: drop_caches, the OOM notifier, an
// ioctl's own i915_gem_shrink()) a free struct_mutex cannot make us sleep, so
// take it the ordinary way". The owner read and mutex_lock() race: a GEM
// ioctl on the other CPU takes struct_mutex in between, and the shrinker
// then sleeps on it (from the OOM notifier, under oom_lock, behind a holder
// that may be waiting for memory).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_lock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (!(current.flags & PF_MEMALLOC) && __mutex_owner(i915.struct_mutex) === null) {
    await mutex_lock(i915.struct_mutex); // "nobody holds it: this cannot sleep"
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
