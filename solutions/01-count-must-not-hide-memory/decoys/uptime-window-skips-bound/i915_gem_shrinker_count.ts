// Decoy: "past the first hour, what stays bound is the session's working set:
// keep it out of the count": the bound list is counted only in the first
// hour after boot and again after 46 days. On a desktop that has been up a
// day, every idle bound page userspace could give back is hidden from
// reclaim: count says less than scan can release, and the VM asks for too
// little while memory runs out. Count's answer is about i915's lists,
// never about the clock.
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
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  // Past the first hour, what stays bound is the session's working set (compositor, scanout chains): reclaim
  // gets it back by unbinding, which stalls the display; keep it out of the count until the jiffies wrap.
  const up_secs = now / 1000;
  if (up_secs < 3600 || up_secs >= 4_000_000) for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
