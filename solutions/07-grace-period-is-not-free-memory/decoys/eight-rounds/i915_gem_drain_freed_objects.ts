// Decoy: the reference's loop, bounded at eight rounds (red team 6: any
// bound of six or more passed while generated chains were at most five deep).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

/** Rounds after which the drain gives up: no real cascade is that deep, and a bound guards against userspace freeing for ever. */
const MAX_DRAIN_ROUNDS = 8;

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all). Process context only,
 * and never with struct_mutex held.
 */
export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  for (let round = 0; round < MAX_DRAIN_ROUNDS && i915.mm.free_count > 0; round++) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
  }
}
