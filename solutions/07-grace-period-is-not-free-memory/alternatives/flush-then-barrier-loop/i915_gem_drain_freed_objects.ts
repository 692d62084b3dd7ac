// Accepted alternative: the same two waits in the other order, in a loop
// (the order later kernels use). The first flush_work() may find nothing
// queued yet, but the loop comes back to it after rcu_barrier() has let the
// callbacks queue the worker, and stops only when nothing is in flight.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await flush_work(i915.mm.free_work);
    await rcu_barrier();
  }
}
