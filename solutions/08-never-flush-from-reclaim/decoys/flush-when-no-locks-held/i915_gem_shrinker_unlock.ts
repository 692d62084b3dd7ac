// Decoy: "flush_work() only deadlocks if we hold a lock the worker needs:
// flush when lockdep says this task holds no lock at all".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (current.held_locks.length === 0) await flush_work(i915.mm.free_work); // nothing held: nothing to deadlock on
}
