// Decoy (red team 10): the v4.11 count, but look at no more than the first
// 1024 objects of each list, "count must be cheap under struct_mutex". The
// lists are in creation order, boot buffers (scanout, pinned) first, and a
// desktop has thousands of GEM objects: every releasable page behind the
// first 1024 is hidden from reclaim.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  // Bound the walk: count runs with struct_mutex held and must be cheap (no cond_resched in it);
  // 1024 objects per list is a good sample of any real working set.
  const WALK = 1024;
  let seen = 0;
  for (const obj of i915.mm.unbound_list) {
    if (++seen > WALK) break;
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  seen = 0;
  for (const obj of i915.mm.bound_list) {
    if (++seen > WALK) break;
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
