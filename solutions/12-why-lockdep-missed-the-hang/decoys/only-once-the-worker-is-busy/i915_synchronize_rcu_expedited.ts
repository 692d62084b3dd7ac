// Exercise 12, decoy: annotates only when the free work is pending
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { work_pending } from '../../../../kernel/workqueue';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // The wait can only sit behind the free work if that work is queued right now.
  if (work_pending(i915.mm.free_work)) {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
