// Accepted alternative: one pass, no loop. rcu_barrier() returns once every
// earlier callback has run (so free_work is queued, or already done), and
// flush_work() waits for its last queueing. With nothing in flight neither
// sleeps. (The loop only matters if freeing released more objects.)
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  await rcu_barrier();
  await flush_work(i915.mm.free_work);
}
