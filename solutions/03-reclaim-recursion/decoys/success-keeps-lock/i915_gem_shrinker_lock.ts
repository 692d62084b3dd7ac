// Decoy: "the shrinker must never release struct_mutex: the frame that
// called it will". True only in the recursive case. When the lock call took
// a free lock itself (reclaim in a task that held nothing, kswapd,
// drop_caches), nobody else knows it was taken: it is never released, and
// the next mutex_lock() on struct_mutex blocks for ever.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (mutex_trylock_recursive(i915.struct_mutex) === MUTEX_TRYLOCK_FAILED) return { locked: false, unlock: false };
  return { locked: true, unlock: false };
}
