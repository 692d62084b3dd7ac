// Exercise 12, decoy: the annotation kept, the wait made a normal grace period
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu } from '../../../../kernel/rcu/update';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  // A normal grace period is driven by the RCU kthread: it cannot sit behind the free worker.
  await synchronize_rcu();
}
