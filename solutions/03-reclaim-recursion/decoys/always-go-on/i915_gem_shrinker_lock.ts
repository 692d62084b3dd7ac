// Decoy: "taking the lock is what deadlocks, and the model runs one task at
// a time anyway: just say we may go on, and that there is nothing to
// unlock". The lock exists because the object lists change under other
// tasks: the shrinker now unbinds objects nobody has locked, while another
// task holds struct_mutex and is changing them.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(_i915: drm_i915_private): Promise<shrinker_lock_state> {
  return { locked: true, unlock: false };
}
