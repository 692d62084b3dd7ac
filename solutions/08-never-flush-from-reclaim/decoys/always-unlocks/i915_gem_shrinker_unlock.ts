// Decoy: the flush is gone, and with it the early return: "we are done with
// the lists, release the lock", even when an outer frame of this task took it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_is_locked, mutex_unlock } from '../../../../kernel/locking/mutex';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  void unlock;
  if (mutex_is_locked(i915.struct_mutex)) mutex_unlock(i915.struct_mutex);
}
