// Decoy: "wait for the lock, but let a fatal signal end the wait". A killable
// sleep is still a sleep: nobody sends the waiting task a signal, and when the
// owner is the waiter itself, nothing ever will.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock_killable } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (await mutex_lock_killable(i915.struct_mutex)) return { locked: false, unlock: false };
  return { locked: true, unlock: true };
}
