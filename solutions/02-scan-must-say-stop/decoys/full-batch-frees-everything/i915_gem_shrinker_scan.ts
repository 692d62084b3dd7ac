// Decoy (red team 9's full-batch-shrink-all): when do_shrink_slab() asks for
// a full SHRINK_BATCH, "there is more work behind it", so release everything
// releasable, purgeable and needed alike. Slab pressure is proportional by
// design: total_scan comes in batches, each call does its share and the
// rest waits for the next call (or nr_deferred). One kswapd or drop_caches
// batch then evicts the GPU's whole working set to swap.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/** What do_shrink_slab() asks per call at most (batch 0). */
const SHRINK_BATCH = 128;

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  // A full batch means do_shrink_slab() has more than SHRINK_BATCH of work for us: do all of it now.
  const target = sc.nr_to_scan >= SHRINK_BATCH ? Number.MAX_SAFE_INTEGER : sc.nr_to_scan;
  let freed = await i915_gem_shrink(i915, target, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < target) {
    freed += await i915_gem_shrink(i915, target - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
