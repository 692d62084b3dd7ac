// Accepted alternative: release the lock and kick the free worker without
// waiting for it. schedule_work() only queues (a no-op if free_work is
// already pending): it never sleeps, so reclaim does not depend on a kworker.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { schedule_work } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (i915.mm.free_count > 0) schedule_work(i915.mm.free_work);
}
