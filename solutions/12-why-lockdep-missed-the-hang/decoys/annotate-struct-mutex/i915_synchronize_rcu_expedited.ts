// Exercise 12, decoy: struct_mutex's own map: 'the wait needs struct_mutex'
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // What the wait really needs in the end is struct_mutex: tell lockdep that.
  lock_map_acquire(i915.struct_mutex.dep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(i915.struct_mutex.dep_map, 'i915_synchronize_rcu_expedited');
  await synchronize_rcu_expedited();
}
