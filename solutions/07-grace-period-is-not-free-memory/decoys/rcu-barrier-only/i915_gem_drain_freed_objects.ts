// Decoy: wait for every earlier RCU callback, and stop there.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count > 0) await rcu_barrier(); // the callbacks ran: surely the objects are gone?
}
