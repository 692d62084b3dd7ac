// Decoy (barrier-once-then-flush-loop): one rcu_barrier() "to get every
// callback queued", then flush the worker for as long as flush_work() finds
// it queued or running ("the worker may re-queue itself").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  await rcu_barrier();
  while (await flush_work(i915.mm.free_work)) {
    // the worker ran: look again
  }
}
