// Accepted alternative: loop on mm.free_count as the reference does; in each
// round wait for every earlier RCU callback, then flush the worker until it
// is neither queued nor running (it may have re-queued itself after giving
// the CPU back on need_resched()). A second flush_work() on an idle work
// returns at once without sleeping.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await rcu_barrier();
    while (await flush_work(i915.mm.free_work)) {
      // it ran (or ran again): look once more
    }
  }
}
