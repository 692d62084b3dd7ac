// Exercise 02: scan must say STOP.
// Read lessons/02-scan-must-say-stop.md first.
//
// This is i915's scan_objects callback (drivers/gpu/drm/i915/i915_gem_shrinker.c).
// Reclaim calls it after count_objects() reported releasable pages, asking it
// to release sc.nr_to_scan of them. It returns the number it released, or
// SHRINK_STOP when it cannot make progress now (then do_shrink_slab() in
// mm/vmscan.c stops calling it and keeps the unfinished work in nr_deferred).
//
// Check your work: npx shrinker-lab run 02
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_UNBOUND } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../kernel/mm/vmscan';

/**
 * i915_gem_shrinker_scan - release pages of GEM objects on reclaim's request.
 * Returns the pages released.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  // TODO: what should reclaim hear when another task holds struct_mutex, how
  // much should one call release, and what should it release first?
  if (!locked) return 0;

  const freed = await i915_gem_shrink(i915, Number.MAX_SAFE_INTEGER, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);

  await i915_gem_shrinker_unlock(i915, unlock);
  return freed;
}
