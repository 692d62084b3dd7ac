// Decoy (red team 9's unlock-before-shrink): probe the lock, let go of it at
// once ("i915_gem_shrink() takes struct_mutex itself"), then shrink. Between
// the unlock and i915_gem_shrink()'s own trylock another CPU can take the
// lock: both passes then release nothing and scan returns 0, which
// do_shrink_slab() reads as nr_to_scan objects scanned: the work is dropped,
// not deferred (SHRINK_STOP). And every real unlock of v4.11's helper costs
// an expedited grace period.
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
  // We only needed to know the lock was available: i915_gem_shrink() takes struct_mutex itself.
  await i915_gem_shrinker_unlock(i915, unlock);

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  return freed;
}
