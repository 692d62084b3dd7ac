// Decoy: a "draining" mark on the device, so that a second caller does not
// start a second drain while one is running ("someone is already draining").
// The second caller (unload racing suspend, a test and drop_caches) returns
// at once while objects it released are still in flight, then frees or
// suspends what they point to. A waiter must wait for the drain, not skip it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

/** The mark, kept on the device itself (module state would be refused by the course's static rule). */
type marked = drm_i915_private & { draining?: boolean };

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all). Process context only,
 * and never with struct_mutex held.
 */
export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  const dev = i915 as marked;
  if (dev.draining) return; // "another drain is on it"
  dev.draining = true;
  while (i915.mm.free_count > 0) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
  }
  dev.draining = false;
}
