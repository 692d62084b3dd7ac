// Decoy: "look for struct_mutex in this task's list of held locks". That list
// is lockdep's bookkeeping (current->held_locks): with lockdep off it is
// always empty, so the task that holds struct_mutex never sees itself in it
// and gives up, exactly like a plain trylock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (current.held_locks.some((h) => h.class_name === i915.struct_mutex.name)) return { locked: true, unlock: false };
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
  return { locked: false, unlock: false };
}
