// The wait depends on i915's free worker. Give lockdep a map that stands for
// it, named as lockdep names the free worker's work item, and take and release
// it before sleeping, as flush_work() does with a work's map. A static map,
// like the kernel's own annotation maps (fs_reclaim_map, the workqueue maps),
// so every device and every call share one class.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release, lockdep_map } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';

const i915_free_work_map = new lockdep_map('(&i915->mm.free_work)');

export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  void i915;
  lock_map_acquire(i915_free_work_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(i915_free_work_map, 'i915_synchronize_rcu_expedited');
  await synchronize_rcu_expedited();
}
