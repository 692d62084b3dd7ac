// Decoy (loop-while-on-free-list): loop on what the worker has left to do,
// "as long as objects sit on mm.free_list or the worker is queued", instead
// of on mm.free_count.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work, work_pending } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  do {
    await rcu_barrier();
    await flush_work(i915.mm.free_work);
  } while (i915.mm.free_list.items.length > 0 || work_pending(i915.mm.free_work));
}
