// Decoy: the reference, except that kswapd is let off nr_to_scan and empties the cache (every kswapd pass drops the GPU working set).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { current_is_kswapd } from '../../../../kernel/mm/vmscan_lru';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  // Decoy: kswapd works in the background, so let it empty the cache in one go.
  const target = current_is_kswapd() ? Number.MAX_SAFE_INTEGER : sc.nr_to_scan;
  let freed = await i915_gem_shrink(i915, target, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < target) {
    freed += await i915_gem_shrink(i915, target - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
