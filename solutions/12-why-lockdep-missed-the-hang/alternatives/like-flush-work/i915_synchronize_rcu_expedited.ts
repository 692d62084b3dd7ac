// Exercise 12, accepted alternative: every annotation flush_work() makes for
// a work item on system_wq (kernel/workqueue.c v4.11): the work's map for
// write, then the workqueue's map as a recursive read (system_wq has no
// rescuer and runs many items at once). The second one adds nothing in
// v4.11, as the lesson explains, but it says exactly what flush_work() says.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_acquire_read, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { system_wq } from '../../../../kernel/workqueue';

/** i915_synchronize_rcu_expedited - the expedited grace-period wait, annotated as a flush of the free worker. */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_acquire_read(system_wq.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(system_wq.lockdep_map, 'i915_synchronize_rcu_expedited');
  await synchronize_rcu_expedited();
}
