// Decoy: "if other tasks are queued on struct_mutex (MUTEX_FLAG_WAITERS),
// don't make them wait behind reclaim: release it even when the outer frame
// took it". The outer frame is still inside its critical section; the
// first waiter gets the lock and finds GEM state half-changed, and the
// frame's own unlock later is unbalanced.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_unlock, MUTEX_FLAG_WAITERS } from '../../../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (unlock || atomic_long_read(i915.struct_mutex.owner) & MUTEX_FLAG_WAITERS) mutex_unlock(i915.struct_mutex);
}
