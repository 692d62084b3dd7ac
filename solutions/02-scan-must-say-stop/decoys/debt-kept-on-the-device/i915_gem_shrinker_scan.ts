// Decoy: when struct_mutex is busy, remember on the device the work that was
// not done, and pay it back on the next call that gets the lock ("reclaim
// asked for it; do not lose it"). do_shrink_slab() already keeps that work in
// shrinker->nr_deferred and hands it back as a bigger total_scan: kept twice,
// it is paid twice, and one call releases far beyond its nr_to_scan (needed
// buffers go to swap: the working set thrown away, the wind-up of lesson 11
// built into the driver).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/** The debt, kept on the device itself (module state would be refused by the course's static rule). */
type indebted = drm_i915_private & { shrink_debt?: number };

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const dev = i915 as indebted;
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) {
    dev.shrink_debt = (dev.shrink_debt ?? 0) + sc.nr_to_scan; // "owed: do it next time"
    return SHRINK_STOP;
  }
  const target = sc.nr_to_scan + (dev.shrink_debt ?? 0);
  dev.shrink_debt = 0;

  let freed = await i915_gem_shrink(i915, target, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < target) {
    freed += await i915_gem_shrink(i915, target - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
