// Decoy: the v4.11 answer, but when another task holds struct_mutex, watch
// its owner word for a while first ("cheaper than a trylock: only a read"),
// and try again if it comes free. Reading the word in a loop is the same
// busy wait as spinning on the trylock: the CPU burns while the holder
// keeps the lock, and on one CPU the word cannot change under the loop.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_is_locked, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';

/** Reads of the owner word before giving up. */
const POLLS = 200;

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  let ret = mutex_trylock_recursive(i915.struct_mutex);
  if (ret === MUTEX_TRYLOCK_FAILED) {
    for (let i = 0; i < POLLS && mutex_is_locked(i915.struct_mutex); i++);
    ret = mutex_trylock_recursive(i915.struct_mutex);
  }
  switch (ret) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false }; // someone else's: hands off
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
