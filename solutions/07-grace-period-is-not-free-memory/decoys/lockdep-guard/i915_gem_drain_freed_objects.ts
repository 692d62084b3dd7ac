// Decoy: the reference's loop, with a guard against the deadlock the lesson
// warns about: "never drain with struct_mutex held, so bail out if we hold it".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { rcu_barrier } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  if (lockdep_is_held(i915.struct_mutex)) return; // the worker needs it: waiting would deadlock
  while (i915.mm.free_count > 0) {
    await rcu_barrier();
    await flush_work(i915.mm.free_work);
  }
}
