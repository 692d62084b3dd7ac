// Decoy: "if the task that owns struct_mutex is called like me, it is me".
// A comm is a name, not an identity: two GEM clients (two "Xorg" threads, two
// "i915_ioctl" tasks) share one, and then reclaim in one of them walks the
// object lists while the other is changing them.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (__mutex_owner(i915.struct_mutex)?.comm === current.comm) return { locked: true, unlock: false };
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
  return { locked: false, unlock: false };
}
