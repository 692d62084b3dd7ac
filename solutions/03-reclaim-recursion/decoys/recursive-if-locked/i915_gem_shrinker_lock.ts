// Decoy: "if the mutex is already locked, we must be recursing". It asks
// whether anyone holds the lock, not whether this task does, so it treats
// every other holder as itself and walks the object lists under their feet.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_is_locked, mutex_trylock } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (mutex_is_locked(i915.struct_mutex)) return { locked: true, unlock: false }; // "recursive"
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
  return { locked: false, unlock: false };
}
