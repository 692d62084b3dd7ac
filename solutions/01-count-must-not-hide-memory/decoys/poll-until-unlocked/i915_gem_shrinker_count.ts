// Decoy: "a count must be exact, and the lists are struct_mutex's: wait,
// a tick at a time, until the lock is free, then walk them". From the
// reclaim of the task that holds struct_mutex (the thread's case) the lock
// is never free: count never returns, and neither does the allocation.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock, mutex_unlock } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  while (!mutex_trylock(i915.struct_mutex)) await schedule_timeout_uninterruptible(1); // wait for the holder to let go

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  mutex_unlock(i915.struct_mutex);
  return count;
}
