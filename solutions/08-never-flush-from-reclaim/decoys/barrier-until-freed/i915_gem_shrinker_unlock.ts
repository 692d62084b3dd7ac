// Decoy: "no flush_work() from reclaim, as Chris says; wait for RCU instead,
// until the freed objects are gone". rcu_barrier() with no callback queued
// returns at once without sleeping: once the objects are on mm.free_list (or
// the worker holds them, blocked on struct_mutex), the loop spins in reclaim.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { rcu_barrier } from '../../../../kernel/rcu/update';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  while (i915.mm.free_count > 0) await rcu_barrier();
}
