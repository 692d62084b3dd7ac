// Decoy: "one grace period may not be enough for a backlog: wait for grace
// periods, and the worker, until nothing is left".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await synchronize_rcu();
    await flush_work(i915.mm.free_work);
  }
}
