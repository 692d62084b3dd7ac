// Decoy: "one more chance before SHRINK_STOP": when struct_mutex is busy,
// cond_resched() and try the shrinker lock once more. No sleep, no jiffy,
// but a poll for the lock from reclaim: the second try can only succeed if
// the holder ran in between, that is, if reclaim waited for it. SHRINK_STOP
// at once is what makes the work wait in nr_deferred for a reclaimer that
// can take the lock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { cond_resched } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  let { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) {
    await cond_resched(); // not a sleep: let the holder run a little, then look once more
    ({ locked, unlock } = await i915_gem_shrinker_lock(i915));
  }
  if (!locked) return SHRINK_STOP;

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
