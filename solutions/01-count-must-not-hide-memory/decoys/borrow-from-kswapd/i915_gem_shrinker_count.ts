// Decoy: "kswapd only ever takes struct_mutex to shrink, and shrinking does
// not add objects: while kswapd holds it, a count from elsewhere may read the
// lists".
// Wrong: kswapd holding struct_mutex is inside i915's scan, unbinding objects
// and moving them from bound_list to unbound_list and off it (put_pages):
// exactly the changes the lock keeps other walkers away from. Who holds the
// lock does not matter; that someone else holds it does.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { PF_KSWAPD } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked && ((__mutex_owner(i915.struct_mutex)?.flags ?? 0) & PF_KSWAPD) === 0) return 0;

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  if (locked) await i915_gem_shrinker_unlock(i915, unlock);
  return count;
}
