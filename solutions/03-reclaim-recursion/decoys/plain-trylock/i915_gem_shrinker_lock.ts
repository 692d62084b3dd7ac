// Decoy: Andrea's suggestion, "just call mutex_trylock in the shrinker
// instead of mutex_trylock_recursive". It never deadlocks, but it also fails
// for the task that already holds struct_mutex.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (!mutex_trylock(i915.struct_mutex)) return { locked: false, unlock: false };
  return { locked: true, unlock: true };
}
