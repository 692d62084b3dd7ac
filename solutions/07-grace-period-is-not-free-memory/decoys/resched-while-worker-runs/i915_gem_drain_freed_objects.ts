// Decoy: flush the free worker only while it is pending; otherwise
// cond_resched() and look again ("flush_work() on a work that is not queued
// returns at once anyway"). A worker that already took the objects and is
// blocked on struct_mutex is running, not pending: the drain then spins on
// its CPU for as long as another task holds the lock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { cond_resched } from '../../../../kernel/sched/core';
import { flush_work, work_pending } from '../../../../kernel/workqueue';

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all). Process context only,
 * and never with struct_mutex held.
 */
export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    if (work_pending(i915.mm.free_work)) await flush_work(i915.mm.free_work);
    else await cond_resched(); // "the worker is on it: look again"
  }
}
