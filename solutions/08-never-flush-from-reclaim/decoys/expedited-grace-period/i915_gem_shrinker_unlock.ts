// Decoy: v4.11's own unlock: no flush, but an expedited grace period after a
// real unlock, so that the objects freed under the lock reach their RCU
// callbacks sooner.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  await synchronize_rcu_expedited();
}
