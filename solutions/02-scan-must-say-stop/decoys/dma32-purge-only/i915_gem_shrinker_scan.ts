// Decoy (red team 14, dma32_purge_only): scan skips its second pass (needed
// buffers to swap) when sc->gfp_mask has __GFP_DMA or __GFP_DMA32 ("swapping
// needed buffers does not help a zone-restricted allocation"). v4.11's scan
// never reads the mask; shrinkers are not zone-aware (shrink_slab is per
// node), and on a 32-bit DMA GPU i915's own shmem mapping is __GFP_DMA32:
// those allocations fail or OOM with releasable buffers left.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/** Zone modifiers (include/linux/gfp.h, v4.11). */
const __GFP_DMA = 0x01;
const __GFP_DMA32 = 0x04;

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  // A zone-restricted allocation (__GFP_DMA / __GFP_DMA32: a 32-bit device's
  // buffer) gains nothing from needed buffers going to swap: their pages come
  // back over time and may be in any zone. Purge only for it.
  const zone_restricted = (sc.gfp_mask & (__GFP_DMA | __GFP_DMA32)) !== 0;
  if (!zone_restricted && freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
