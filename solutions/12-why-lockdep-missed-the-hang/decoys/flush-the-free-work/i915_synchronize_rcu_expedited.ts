// Exercise 12, decoy: a real flush of the free worker instead of an annotation
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';
/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // flush_work() carries the very annotation lockdep needs, and makes sure the freed memory is back.
  await flush_work(i915.mm.free_work);
  await synchronize_rcu_expedited();
}
