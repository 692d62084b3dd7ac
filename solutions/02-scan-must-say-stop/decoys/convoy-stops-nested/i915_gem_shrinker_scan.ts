// Decoy: "nested, with a convoy queued behind our outer frame, don't make the
// lock's critical section any longer": SHRINK_STOP when the caller's own
// frame holds struct_mutex and two or more tasks wait for it. The waiters
// wait for the owner, and the owner is in reclaim waiting for memory: told
// to stop, its reclaim gets nothing from i915 exactly when the GPU is
// busiest, and the work piles up in nr_deferred for a kswapd that cannot take
// the lock either. The lists are the owner's however many tasks wait.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP;
  if (!unlock && i915.struct_mutex.wait_list.length >= 2) return SHRINK_STOP;

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock);
  return freed;
}
