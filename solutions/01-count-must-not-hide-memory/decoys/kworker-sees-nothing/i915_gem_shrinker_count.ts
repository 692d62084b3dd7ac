// Decoy: "i915's own workers (the free worker, the retire worker) run as
// kworkers and take struct_mutex: keep kworkers' reclaim out of i915 by
// counting nothing for them".
// Wrong: any kworker allocates and reclaims (writeback, another driver's
// work, i915's retire worker under struct_mutex); count 0 makes
// do_shrink_slab() skip i915 for every one of those allocations, which then
// fail early or head for the OOM killer while i915 holds releasable pages.
// A trylock never waits, so counting from a kworker cannot hold up the
// free worker.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  if (current.flags & PF_WQ_WORKER) return 0; // a kworker: stay away from i915's workers
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
