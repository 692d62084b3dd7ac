// Decoy: "lockdep knows which locks this task holds: if it says struct_mutex
// is held, we are recursing". With lockdep off (every production kernel),
// lockdep_is_held() answers "held" for everyone: the shrinker then treats
// another task's lock, and a free lock, as its own outer frame's.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { mutex_trylock } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (lockdep_is_held(i915.struct_mutex)) return { locked: true, unlock: false }; // "recursive"
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
  return { locked: false, unlock: false };
}
