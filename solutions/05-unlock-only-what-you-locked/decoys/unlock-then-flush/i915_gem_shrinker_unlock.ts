// Decoy: Andrea's 2/5, "after a real unlock, flush the free worker so that
// the objects it frees count as reclaimed". A task in reclaim (PF_MEMALLOC)
// then waits for a work item on system_wq, which has no rescuer:
// check_flush_dependency() WARNs, and under memory pressure the worker may
// never run. Releasing a mutex never needs to wait for anything.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_work } from '../../../../kernel/workqueue';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  await flush_work(i915.mm.free_work);
}
