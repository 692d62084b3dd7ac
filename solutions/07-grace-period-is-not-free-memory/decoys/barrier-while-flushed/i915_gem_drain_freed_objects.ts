// Decoy (barrier-while-flushed): rcu_barrier(), then flush the worker, and
// go round again only as long as flush_work() found something to wait for
// (the shape of v4.11's own i915_gem_drain_freed_objects()). A worker
// that had already finished when flush_work() looked makes it return false,
// though what that worker freed may have sent more objects through call_rcu().
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  do {
    await rcu_barrier();
  } while (await flush_work(i915.mm.free_work));
}
