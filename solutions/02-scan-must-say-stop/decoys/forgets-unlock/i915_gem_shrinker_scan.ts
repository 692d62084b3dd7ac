// Decoy: the right answers, but the lock taken here is never released.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP;

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  return freed; // (the lock is released by whoever called us?)
}
