// Decoy: "swapping is slow, let others have struct_mutex between the two
// passes": unlock after purging and take the lock again for the second
// pass. If another task takes it in between, the scan returns what the
// first pass freed (0 when nothing was purgeable): do_shrink_slab() reads
// that as nr_to_scan objects scanned, and the pressure is dropped rather
// than deferred. The lock is held across both passes, or the answer is
// SHRINK_STOP.
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
    // Swapping is slow: let the lock go for the others in between, and take it again for the second pass.
    await i915_gem_shrinker_unlock(i915, unlock);
    const again = await i915_gem_shrinker_lock(i915);
    if (!again.locked) return freed;
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
    await i915_gem_shrinker_unlock(i915, again.unlock);
    return freed;
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
