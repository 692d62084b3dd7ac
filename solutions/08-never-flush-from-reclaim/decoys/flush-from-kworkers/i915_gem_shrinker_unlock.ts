// Decoy: the reference, except that a kworker caller still flushes the free worker ("a kworker is part of the workqueue already").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';
import { flush_work } from '../../../../kernel/workqueue';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  if (current.flags & PF_WQ_WORKER) await flush_work(i915.mm.free_work); // Decoy: only a kworker waits for its sibling work
  // No flush_work(&i915->mm.free_work) here: see above.
}
