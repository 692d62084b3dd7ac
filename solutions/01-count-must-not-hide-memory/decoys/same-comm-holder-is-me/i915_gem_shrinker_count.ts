// Decoy: "the GEM ioctl that allocates under struct_mutex runs in my own
// program: if the lock's owner has my name, it is me (a frame further up),
// and the lists are mine to count". Two threads of one program share a comm
// (every thread of Xorg is "Xorg"), and another task with the same name is
// still another task: it is changing the lists under its lock right now.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

function releasable(i915: drm_i915_private): number {
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  return count;
}

/**
 * i915_gem_shrinker_count - how many pages i915 could release now.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const owner = __mutex_owner(i915.struct_mutex);
  if (owner && owner.comm === current.comm) return releasable(i915); // "our own ioctl holds it"
  if (!mutex_trylock(i915.struct_mutex)) return 0; // someone else's: cannot look
  const count = releasable(i915);
  mutex_unlock(i915.struct_mutex);
  return count;
}
