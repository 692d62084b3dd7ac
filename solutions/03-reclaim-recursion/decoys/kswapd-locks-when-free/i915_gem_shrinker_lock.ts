// Decoy: "kswapd is a kernel thread of its own: it holds no lock, so it
// cannot deadlock on struct_mutex; when the lock reads free, kswapd takes it
// properly". Between the owner read and mutex_lock() a GEM ioctl can take
// it; kswapd then sleeps on struct_mutex behind a holder that may be waiting
// for the very memory kswapd was woken to find, and every allocation that
// waits for kswapd waits with it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_lock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current_is_kswapd } from '../../../../kernel/mm/vmscan_lru';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (current_is_kswapd() && __mutex_owner(i915.struct_mutex) === null) {
    await mutex_lock(i915.struct_mutex); // "kswapd holds nothing, and the lock is free"
    return { locked: true, unlock: true };
  }
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}
