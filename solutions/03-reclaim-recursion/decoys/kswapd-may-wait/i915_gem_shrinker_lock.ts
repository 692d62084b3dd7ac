// Decoy: "kswapd is a kernel thread that never holds struct_mutex, so it
// cannot deadlock on it: let it wait for the lock and do the work that
// direct reclaim had to skip". kswapd then sleeps behind whoever holds the
// lock, often a GEM ioctl that is itself allocating and waiting for kswapd
// to free memory: background reclaim stops for every task on the machine.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current_is_kswapd } from '../../../../kernel/mm/vmscan_lru';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  const ret = mutex_trylock_recursive(i915.struct_mutex);
  if (ret === MUTEX_TRYLOCK_RECURSIVE) return { locked: true, unlock: false };
  if (ret !== MUTEX_TRYLOCK_FAILED) return { locked: true, unlock: true };
  if (!current_is_kswapd()) return { locked: false, unlock: false };
  await mutex_lock(i915.struct_mutex); // kswapd "can afford to wait"
  return { locked: true, unlock: true };
}
