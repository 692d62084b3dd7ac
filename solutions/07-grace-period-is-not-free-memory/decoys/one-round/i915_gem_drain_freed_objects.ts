// Decoy (one-round): one pass, no loop. "rcu_barrier() returns once every
// earlier callback has run, so free_work is queued; flush_work() waits for
// it: every object released before the call is freed."
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  await rcu_barrier();
  await flush_work(i915.mm.free_work);
}
