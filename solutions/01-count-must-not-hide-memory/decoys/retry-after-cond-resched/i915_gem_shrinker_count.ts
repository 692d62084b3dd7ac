// Decoy: "a 0 hides memory, so give a busy lock one more chance": when the
// trylock fails, cond_resched() and try again once. It never sleeps and
// never takes a jiffy, yet it is a poll for struct_mutex from reclaim: the
// retry can only succeed if the holder ran in between, i.e. if reclaim
// waited for it. count is called for every shrinker at every priority;
// when it cannot take the lock it answers at once (0), and scan's
// SHRINK_STOP keeps the work in nr_deferred for whoever can.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { cond_resched } from '../../../../kernel/sched/core';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  let how = mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) {
    await cond_resched(); // not a sleep: give the holder a moment, then look again
    how = mutex_trylock_recursive(i915.struct_mutex);
  }
  if (how === MUTEX_TRYLOCK_FAILED) return 0;
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
