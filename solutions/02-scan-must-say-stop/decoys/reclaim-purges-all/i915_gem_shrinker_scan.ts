// Decoy: the reference, except that a caller in reclaim (PF_MEMALLOC) purges every DONTNEED buffer whatever nr_to_scan asked.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  // Decoy: a task in reclaim is short of memory; purgeable buffers cost nothing to drop, so drop them all.
  const in_reclaim = (current.flags & PF_MEMALLOC) !== 0;
  let freed = await i915_gem_shrink(i915, in_reclaim ? Number.MAX_SAFE_INTEGER : sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
