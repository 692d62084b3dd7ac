// Decoy: "not a flush, just give the free worker one tick to catch up, and
// only if something is waiting to be freed".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (i915.mm.free_count > 0) await schedule_timeout_uninterruptible(1); // a bounded wait, at most one tick
}
