// Decoy (red team 13, report_via_reclaim_state): "tell reclaim what came
// back so direct reclaim stops as soon as it has enough": scan adds the pages
// it released to current->reclaim_state->reclaimed_slab. That counter is the
// slab allocator's (slab pages it freed during reclaim); shrink_node() adds
// it to sc->nr_reclaimed as pages freed. A needed buffer's pages go back to
// shmem and the LRU still allocated: reclaim reports progress that freed
// nothing, the allocation's retry finds no free page, should_reclaim_retry()
// loops, the OOM killer is held off, kswapd sleeps early. v4.11's i915 never
// touches reclaim_state: scan reports through its return value alone.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';

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
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  // Reclaim counts what shrinkers gave back through current->reclaim_state
  // (shrink_node adds reclaimed_slab to sc->nr_reclaimed): tell it, so that
  // direct reclaim stops as soon as it has enough instead of scanning on.
  if (current.reclaim_state) current.reclaim_state.reclaimed_slab += freed;
  return freed;
}
