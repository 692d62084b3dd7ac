// Decoy: "a kworker that is already in direct reclaim is writeback or a
// driver's work under pressure; reaching into i915 from there risks
// meeting i915's own workers: count nothing for it and leave i915 to
// kswapd".
// Wrong: that is exactly when the kworker needs memory: its direct reclaim
// sizes its scan of i915 by this count, and 0 hides every releasable page
// from it (kswapd may be busy or asleep), so its allocation fails or
// OOM-kills. A trylock never waits; the kind of task and whether it is in
// reclaim do not change what the lists hold.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC, PF_WQ_WORKER } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  // a kworker already in direct reclaim: leave i915 to kswapd
  if ((current.flags & PF_WQ_WORKER) && (current.flags & PF_MEMALLOC)) return 0;
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
