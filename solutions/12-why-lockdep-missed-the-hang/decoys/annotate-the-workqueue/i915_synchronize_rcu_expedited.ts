// Exercise 12, decoy: the workqueue's map instead of the work's
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { system_wq } from '../../../../kernel/workqueue';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // The grace period's work runs on system_wq: wait for the workqueue, as flush_workqueue() does.
  void i915;
  lock_map_acquire(system_wq.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(system_wq.lockdep_map, 'i915_synchronize_rcu_expedited');
  await synchronize_rcu_expedited();
}
