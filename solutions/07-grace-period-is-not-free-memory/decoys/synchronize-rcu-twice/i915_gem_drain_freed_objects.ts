// Decoy: "one grace period was not enough? wait for two" (3d3d18f086cd's belief, doubled).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu } from '../../../../kernel/rcu/update';

export async function i915_gem_drain_freed_objects(_i915: drm_i915_private): Promise<void> {
  await synchronize_rcu();
  await synchronize_rcu(); // "to wait for our earlier RCU delayed frees"
}
