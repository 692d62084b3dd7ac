// Decoy: an expedited grace period is faster, then flush the worker.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  await synchronize_rcu_expedited();
  await flush_work(i915.mm.free_work);
}
