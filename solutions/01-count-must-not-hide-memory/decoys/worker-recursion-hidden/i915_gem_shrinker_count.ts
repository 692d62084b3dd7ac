// Decoy: "when a kworker already holds struct_mutex and recurses into
// count, it is i915's own worker halfway through its housekeeping: report
// 0 so that reclaim leaves its lists alone".
// Wrong: the task holding the lock is the only one that can shrink i915 at
// that moment (the thread's "users' oom"): the retire worker allocating
// under struct_mutex is told nothing is releasable, and its allocation
// fails or OOM-kills while its own lists hold releasable pages. The lists
// are stable under the caller's own lock, whatever kind of task it is.
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
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look
  if (!unlock && current.flags & PF_WQ_WORKER) return 0; // i915's worker holds it: leave its lists alone

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
