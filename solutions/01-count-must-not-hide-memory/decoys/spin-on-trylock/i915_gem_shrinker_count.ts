// Decoy: never sleep on the lock: spin on the trylock, calling cond_resched() between tries.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import { cond_resched } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  let how = mutex_trylock_recursive(i915.struct_mutex);
  for (let tries = 0; how === MUTEX_TRYLOCK_FAILED && tries < 100000; tries++) {
    await cond_resched();
    how = mutex_trylock_recursive(i915.struct_mutex);
  }
  if (how === MUTEX_TRYLOCK_FAILED) return 0;
  const unlock = how === MUTEX_TRYLOCK_SUCCESS;
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
