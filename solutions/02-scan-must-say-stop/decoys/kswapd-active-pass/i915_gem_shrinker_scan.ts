// Decoy: v4.14's scan policy on v4.11: after the two passes (purgeable, then
// the rest), kswapd alone makes a third pass with I915_SHRINK_ACTIVE, "kswapd
// has time to wait". It releases buffers the GPU is still using; in the
// kernel i915_vma_unbind() first waits for the GPU, with struct_mutex held,
// so kswapd (reclaim for every allocating task) stalls on the GPU. v4.11's
// scan never takes active objects: only the OOM notifier does, after
// waiting for the GPU to go idle.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_ACTIVE, I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { current_is_kswapd } from '../../../../kernel/mm/vmscan_lru';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP;
  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  if (freed < sc.nr_to_scan && current_is_kswapd()) freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_ACTIVE | I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  await i915_gem_shrinker_unlock(i915, unlock);
  return freed;
}
