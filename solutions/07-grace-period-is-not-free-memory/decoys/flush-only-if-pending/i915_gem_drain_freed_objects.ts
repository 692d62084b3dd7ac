// Decoy: the right waits, but flush the worker only if it is queued
// ("flush_work() on an idle work is pointless").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work, work_pending } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  await rcu_barrier();
  if (work_pending(i915.mm.free_work)) await flush_work(i915.mm.free_work);
}
