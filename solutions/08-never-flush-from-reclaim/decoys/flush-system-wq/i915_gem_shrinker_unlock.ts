// Decoy: "wait for the whole system workqueue instead of one item": the same
// wait on the same !WQ_MEM_RECLAIM workqueue, only longer.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_workqueue, system_wq } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  await flush_workqueue(system_wq);
}
