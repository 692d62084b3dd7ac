// Decoy: look before you lock: if the owner word says struct_mutex is free,
// take it with mutex_lock() ("on a free lock that is the fast path, it
// cannot sleep"). Check-then-act: on another CPU the lock can be taken
// between the look and the lock, and then reclaim sleeps on struct_mutex.
// Lockdep says it without the race: a sleeping acquisition in reclaim of
// a lock that is held across __GFP_FS allocations elsewhere (every GEM
// ioctl) is the "inconsistent lock state" the kernel reports.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const owner = __mutex_owner(i915.struct_mutex);
  if (owner !== null && owner !== current) return 0; // another task holds it
  const unlock = owner === null;
  if (unlock) await mutex_lock(i915.struct_mutex); // free: "the fast path, it cannot sleep"

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
