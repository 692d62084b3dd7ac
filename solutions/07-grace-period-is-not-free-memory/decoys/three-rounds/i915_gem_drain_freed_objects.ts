// Decoy (three-rounds): the reference's loop, bounded "to guard against a
// livelock while userspace keeps freeing": at most three rounds.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  for (let round = 0; round < 3 && i915.mm.free_count > 0; round++) {
    await rcu_barrier();
    await flush_work(i915.mm.free_work);
  }
}
