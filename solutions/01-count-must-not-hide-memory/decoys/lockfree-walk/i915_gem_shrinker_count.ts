// Decoy (was an accepted alternative until red team 5): a count that takes
// no lock and walks the lists, "count only reads, and modern i915 counts
// without a lock". Modern i915 reads running totals kept under its locks
// (READ_ONCE of counters), never the lists. In v4.11 mm.bound_list and
// mm.unbound_list are protected by struct_mutex alone: its holder
// list_move()s objects between them and frees them while this walk follows
// obj->global_link (an endless walk through the other list's head, or a
// use-after-free). Exercise 03 teaches the same rule for scan.
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
