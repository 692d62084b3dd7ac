// Exercise 12, decoy: annotates only for the task names that hung
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { current } from '../../../../kernel/sched/core';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // The thread's hang was in the GEM ioctl task; kswapd never holds struct_mutex.
  if (current.comm.startsWith('i915')) {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
