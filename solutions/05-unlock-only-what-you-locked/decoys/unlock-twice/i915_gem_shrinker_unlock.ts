// Decoy: respects `unlock`, but releases twice "to be sure the lock is free".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  mutex_unlock(i915.struct_mutex);
}
