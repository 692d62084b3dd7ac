// Decoy: "am I the owner?" by comparing the owner word with my task pointer.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';
import { mutex_trylock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  // lock->owner holds the owner's task_struct pointer: if it is mine, my outer frame holds the lock.
  const mine = atomic_long_read(i915.struct_mutex.owner) === task_ptr(current);
  if (!mine && !mutex_trylock(i915.struct_mutex)) return 0;
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  if (!mine) mutex_unlock(i915.struct_mutex);
  return count;
}
