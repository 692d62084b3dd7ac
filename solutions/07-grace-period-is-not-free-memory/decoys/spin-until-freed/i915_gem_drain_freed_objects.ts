// Decoy: wait for the callbacks properly, then spin on the counter without
// sleeping ("cond_resched() lets the worker run").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { cond_resched } from '../../../../kernel/sched/core';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (i915.mm.free_count === 0) return;
  await rcu_barrier();
  while (i915.mm.free_count > 0) await cond_resched();
}
