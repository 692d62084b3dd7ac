// Decoy: after rcu_barrier() and flush_work(), take struct_mutex once and drop
// it, "so that no free is half done" (the worker frees under struct_mutex).
// flush_work() has already waited for the worker to finish: the lock adds
// nothing but a wait for whichever GEM ioctl got struct_mutex next, which may
// hold it for as long as it waits for the GPU. Suspend and unload then stall
// behind an unrelated client.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_lock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all). Process context only,
 * and never with struct_mutex held.
 */
export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
    await mutex_lock(i915.struct_mutex); // "and no free is half done under the lock"
    mutex_unlock(i915.struct_mutex);
  }
}
