// Decoy: "flush_work() warns, so cancel the free work instead: then there is
// nothing left to wait for". cancel_work_sync() still waits for a running
// item, and in v4.11 that wait is a flush_work() with the same check.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { cancel_work_sync } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  await cancel_work_sync(i915.mm.free_work);
}
