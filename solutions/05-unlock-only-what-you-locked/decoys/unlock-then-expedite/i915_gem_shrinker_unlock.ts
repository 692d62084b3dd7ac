// Decoy: the v4.11 shape, "after a real unlock, wait for an expedited grace
// period so that objects freed under the lock reach their RCU callbacks".
// It waits from reclaim: the expedited grace period needs a kworker, and
// under memory pressure none may be creatable (Andrea's hang, v4.11 too).
// v4.12 dropped the wait; releasing a mutex never needs to sleep.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  await synchronize_rcu_expedited();
}
