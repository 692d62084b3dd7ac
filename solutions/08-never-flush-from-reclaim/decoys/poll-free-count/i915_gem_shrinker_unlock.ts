// Decoy: "no flush, so no warning: just wait, a tick at a time, until the
// free worker has freed everything". The wait is the same, only hidden from
// check_flush_dependency().
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  while (i915.mm.free_count > 0) await schedule_timeout_uninterruptible(1);
}
