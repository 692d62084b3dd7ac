// Decoy: both waits, in the wrong order (and once).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  await flush_work(i915.mm.free_work); // the worker frees them...
  await rcu_barrier(); // ...and the RCU callbacks are done too
}
