// An accepted alternative for exercise 01: a count that takes no lock.
//
// Modern i915 keeps running totals of shrinkable memory, updated under its
// locks, and its count reads them once with READ_ONCE() and no lock at all:
// a slightly stale answer is fine, because count is only an estimate that
// scales how hard reclaim pushes. In the model every step between schedule
// points is atomic, so walking the lists without the lock reads the same
// totals such counters would hold.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) if (can_release_pages(obj)) count += obj_nr_pages(obj);
  for (const obj of i915.mm.bound_list) if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  return count;
}
