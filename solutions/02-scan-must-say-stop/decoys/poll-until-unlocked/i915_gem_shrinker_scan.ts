// Decoy: "count promised these pages, so scan must release them: wait, a
// tick at a time, until struct_mutex is free, then shrink". From the
// reclaim of the task that holds struct_mutex (the thread's case) the lock
// is never free: scan never returns, and neither does the allocation.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  while (!mutex_trylock(i915.struct_mutex)) await schedule_timeout_uninterruptible(1); // wait for the holder to let go

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, true);
  return freed;
}
