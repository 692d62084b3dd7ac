// Decoy: "don't give up at the first try: another task usually drops
// struct_mutex within a tick or two". A short sleep is still a sleep: the
// task in reclaim waits for a holder that may itself be waiting for the
// memory this reclaim should find, and every allocation stalls meanwhile.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  for (let tries = 0; ; tries++) {
    const ret = mutex_trylock_recursive(i915.struct_mutex);
    if (ret === MUTEX_TRYLOCK_RECURSIVE) return { locked: true, unlock: false };
    if (ret !== MUTEX_TRYLOCK_FAILED) return { locked: true, unlock: true };
    if (tries === 3) return { locked: false, unlock: false };
    await schedule_timeout_uninterruptible(1); // give the holder a tick
  }
}
