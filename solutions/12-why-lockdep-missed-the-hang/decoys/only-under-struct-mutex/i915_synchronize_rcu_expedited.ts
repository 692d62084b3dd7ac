// Exercise 12, decoy: annotates only when lockdep says struct_mutex is held
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // Waiting is only dangerous with struct_mutex held: annotate just then, and spare the other callers a false alarm.
  if (lockdep_is_held(i915.struct_mutex)) {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
