// Decoy (red team 9's bounded-passes): the v4.12 loop with a "livelock
// guard": give up after 40 rounds of rcu_barrier() + flush_work(). Freeing
// an object can drop the last reference of another (a PRIME import of an
// import, a context keeping a batch keeping a buffer), one link per grace
// period, and a chain's depth has no bound. Past the 40th link the drain
// returns with objects in flight, and its callers (module unload, suspend,
// shrink_all for the OOM path) free i915 or count memory under them.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

/** Rounds before giving up: "objects freed faster than we drain would livelock us". */
const MAX_DRAIN_ROUNDS = 40;

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  for (let round = 0; round < MAX_DRAIN_ROUNDS && i915.mm.free_count > 0; round++) {
    await rcu_barrier(); // every earlier RCU callback has run: the objects are on free_list, free_work is queued
    await flush_work(i915.mm.free_work); // the worker has run: pages and objects are freed
  }
}
