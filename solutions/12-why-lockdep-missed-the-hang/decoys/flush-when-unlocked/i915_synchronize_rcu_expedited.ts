// The real fix for the dependency is to make it hold: when struct_mutex is
// free, flushing the free worker cannot deadlock, and afterwards the grace
// period's work cannot sit behind it. Under struct_mutex, flush_work() would
// deadlock, so only the annotation (the map flush_work() takes) is made.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { mutex_is_locked } from '../../../../kernel/locking/mutex';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { flush_work } from '../../../../kernel/workqueue';

export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  if (!mutex_is_locked(i915.struct_mutex)) await flush_work(i915.mm.free_work);
  else {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
