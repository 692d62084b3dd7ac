// Decoy: "the worker is on system_wq: wait for the whole workqueue, then no
// item can be missed".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_scheduled_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await rcu_barrier();
    await flush_scheduled_work();
  }
}
