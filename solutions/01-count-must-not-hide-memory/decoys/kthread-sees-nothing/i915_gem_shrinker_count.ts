// Decoy: "a kernel thread other than kswapd has no user memory and no GPU
// client: GEM memory is not for it, let kswapd and user tasks shrink i915".
// Wrong: kernel threads (jbd2 committing a journal, khugepaged, a driver's
// thread) allocate under pressure too, and their direct reclaim sizes its
// scan of i915 by this count: 0 hides i915's releasable pages from them.
// What count reports is a fact about i915's lists, not about who asks.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';
import { PF_KSWAPD, PF_KTHREAD } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  if ((current.flags & PF_KTHREAD) && !(current.flags & PF_KSWAPD)) return 0; // not kswapd, no user pages: nothing to gain
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
