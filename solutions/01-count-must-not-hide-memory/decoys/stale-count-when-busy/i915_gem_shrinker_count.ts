// Decoy: "0 hides memory; when the lock is busy, the last count is a good
// guess". The holder is changing the lists right now (that is why it holds
// the lock): objects are created, pinned, released, bound. An old number
// sends reclaim to scan pages that are gone, or hides pages that just
// became releasable. Without the lock, count reports 0 (or walks the
// lists now, lock-free); never a remembered answer.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** The last count each device gave. */
const last_count = new WeakMap<drm_i915_private, number>();

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const how = mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) return last_count.get(i915) ?? 0; // "a 0 hides memory; the last count is a good guess"
  const unlock = how === MUTEX_TRYLOCK_SUCCESS; // RECURSIVE: the outer frame owns the lock

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  last_count.set(i915, count);
  if (unlock) mutex_unlock(i915.struct_mutex);
  return count;
}
