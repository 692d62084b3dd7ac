// Decoy: walk the lists without taking struct_mutex when nobody holds it
// ("taking a free lock only to read is a waste"), count under the caller's
// own lock when it is ours, and answer 0 when another task holds it. Nobody
// holding the lock at the instant count looks does not make the lists
// stable: another CPU may take struct_mutex one instruction later and
// list_move() or free an object under the walk. The lists are struct_mutex's:
// walk them holding it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_is_locked, mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const free = !mutex_is_locked(i915.struct_mutex); // nobody holds it: the lists cannot change, read them as they are
  const how = free ? MUTEX_TRYLOCK_RECURSIVE : mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) return 0; // another task holds it: we cannot walk the lists
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
