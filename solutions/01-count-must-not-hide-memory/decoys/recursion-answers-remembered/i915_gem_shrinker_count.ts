// Decoy: the same idea kept in a variable of its own: under recursion (our
// task holds struct_mutex further up) answer the count from the last call
// that took the lock itself. No kernel field is touched, and the answer is
// just as stale: the outer frame has been changing the lists since.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

const last_count = new WeakMap<drm_i915_private, number>();

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look
  const remembered = last_count.get(i915);
  if (!unlock && remembered !== undefined) return remembered; // the outer frame's lists may be mid-move

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  if (unlock) last_count.set(i915, count);

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
