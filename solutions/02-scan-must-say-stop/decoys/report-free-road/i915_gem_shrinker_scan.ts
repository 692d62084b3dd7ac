// Decoy (red team 13, report_free_road): scan adds i915.mm.free_count to
// what it returns when it took the lock, "the objects on the free road come
// back within a grace period". free_count counts objects, not pages, and
// none of it is free: a closed buffer waits on mm.free_list until the free
// worker, which needs struct_mutex, frees it. do_shrink_slab() reads scan's
// return as objects freed (lesson 02: report what you released).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  // Buffers already closed (on the free road: a grace period and the free
  // worker away) were released by i915 as far as userspace is concerned; when
  // we took the lock ourselves, dropping it lets the worker free them now.
  if (unlock) freed += i915.mm.free_count;
  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
