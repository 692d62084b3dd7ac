// Decoy: no flush, and "make sure the lock is really free before leaving
// reclaim": unlock again if it still looks locked.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_is_locked, mutex_unlock } from '../../../../kernel/locking/mutex';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (mutex_is_locked(i915.struct_mutex)) mutex_unlock(i915.struct_mutex);
}
