// Decoy: "in reclaim, do nothing that could possibly wait": return at once
// when the caller is reclaiming (PF_MEMALLOC).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (current.flags & PF_MEMALLOC) return; // reclaim: touch nothing
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
}
