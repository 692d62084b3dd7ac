// Decoy: "the worker frees them, so flush it until free_count reads 0".
// Without rcu_barrier() first, the objects are still waiting for their RCU
// callbacks: free_work is not queued, flush_work() finds nothing to wait for
// and returns at once, and the loop never sleeps.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) await flush_work(i915.mm.free_work);
}
