// Decoy: mutex_trylock_recursive(), but on FAILED walk the lists without the
// lock instead of answering 0, "0 hides memory, and hiding memory is the
// bug". FAILED means another task holds struct_mutex and is changing the
// lists under it: the very case in which nobody else may walk them
// (list_move, list_del and the free of an object race the walk). Red team
// 5's failed-walks-anyway, as a whole copy of the reference with one change.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const how = mutex_trylock_recursive(i915.struct_mutex);
  // FAILED: another task holds it. Count anyway, without the lock: reporting 0 would hide the memory.
  const unlock = how === MUTEX_TRYLOCK_SUCCESS; // RECURSIVE: the outer frame owns the lock

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  if (unlock) mutex_unlock(i915.struct_mutex);
  return count;
}
