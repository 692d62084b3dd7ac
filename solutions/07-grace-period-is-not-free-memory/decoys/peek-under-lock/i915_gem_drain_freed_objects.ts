// Decoy: look at free_count under struct_mutex "so that it is stable", and
// leave early when there is nothing to do.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_lock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  await mutex_lock(i915.struct_mutex);
  if (i915.mm.free_count === 0) return; // nothing to drain
  mutex_unlock(i915.struct_mutex);
  while (i915.mm.free_count > 0) {
    await rcu_barrier();
    await flush_work(i915.mm.free_work);
  }
}
