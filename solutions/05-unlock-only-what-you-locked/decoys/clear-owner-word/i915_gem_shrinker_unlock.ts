// Decoy: "releasing is just clearing the owner word", written straight into
// lock->owner instead of calling mutex_unlock(). It skips everything the
// unlock does besides: waking the first waiter, honouring a HANDOFF, and
// telling lockdep the lock is gone (which then still lists struct_mutex
// among this task's held locks and reports the next acquisition).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { atomic_long_set } from '../../../../kernel/lib/atomic';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  atomic_long_set(i915.struct_mutex.owner, 0);
}
