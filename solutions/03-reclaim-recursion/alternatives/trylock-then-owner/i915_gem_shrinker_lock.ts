// Accepted alternative: the three cases in another order, without
// mutex_trylock_recursive(). Try the lock first; if that fails, ask the owner
// word (__mutex_owner masks the WAITERS/HANDOFF flags off) whether this very
// task holds it. Same answer as the reference in every state of the lock, and
// it never sleeps.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true }; // we took it: we release it
  if (__mutex_owner(i915.struct_mutex) === current) return { locked: true, unlock: false }; // an outer frame's
  return { locked: false, unlock: false }; // someone else's: hands off, at once
}
