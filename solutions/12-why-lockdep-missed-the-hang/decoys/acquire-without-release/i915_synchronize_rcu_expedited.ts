// Exercise 12, decoy: the map is taken and never given back
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // Acquiring is what records the dependency; there is nothing to release: no real lock was taken.
  lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  await synchronize_rcu_expedited();
}
