// Decoy: check_flush_dependency() only objects to PF_MEMALLOC tasks, so
// flush when the caller is not one.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (!(current.flags & PF_MEMALLOC)) await flush_work(i915.mm.free_work); // not in reclaim: safe to wait
}
