// Decoy: bound the drain by the backlog it starts with ("each object needs
// at most one more round, plus a few for the workqueue"). The objects a
// cascade releases are not in mm.free_count when the drain starts: each is
// released only when the one holding it is freed, one link per grace period.
// A chain longer than the bound leaves objects in flight when it returns.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  const max_rounds = 2 * i915.mm.free_count + 8; // one round per object and then some
  for (let round = 0; round < max_rounds && i915.mm.free_count > 0; round++) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
  }
}
