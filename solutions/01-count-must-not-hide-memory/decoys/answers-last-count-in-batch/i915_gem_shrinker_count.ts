// Decoy: when our own task already holds struct_mutex further up the stack,
// "the outer frame may be half-way through moving an object between the
// lists": answer the count taken the last time we held the lock ourselves,
// kept in shrinker->batch. The outer frame has been creating and releasing
// objects since (that is what it holds the lock for), so the answer is stale
// exactly for the task whose allocation needs the pages; and batch is i915's
// registration, read by do_shrink_slab() as the size of each scan call.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look
  const s = i915.mm.shrinker;
  if (!unlock && s.batch > 0) return s.batch; // the outer frame's lists may be mid-move: the last count we took

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  if (unlock) s.batch = count;

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
