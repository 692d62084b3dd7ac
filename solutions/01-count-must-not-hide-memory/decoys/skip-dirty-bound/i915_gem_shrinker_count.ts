// Decoy: skips bound buffers whose pages are dirty. The GPU dirties every
// buffer it renders into, and Mesa's BO cache is bound, idle, DONTNEED and
// dirty: purging truncates them whatever dirty says, and dirty WILLNEED ones
// go to swap like any other. v4.11's can_release_pages() ignores dirty.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const how = mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) return 0; // another task holds it: we cannot walk the lists
  const unlock = how === MUTEX_TRYLOCK_SUCCESS; // RECURSIVE: the outer frame owns the lock

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    // DECOY: "a dirty bound buffer must be written back first: not releasable now".
    if (!i915_gem_object_is_active(obj, now) && !obj.mm.dirty && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  if (unlock) mutex_unlock(i915.struct_mutex);
  return count;
}
