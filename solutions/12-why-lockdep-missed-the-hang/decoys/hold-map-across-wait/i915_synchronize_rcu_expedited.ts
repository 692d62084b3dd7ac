// Decoy (red team 10's hold-map-across-wait): hold the free worker's map across the whole wait instead of taking and
// releasing it before sleeping as flush_work() does: every lock the wait takes becomes a false dependency of the free worker.
// Exercise 12, reference solution: the wait annotated as flush_work()
// annotates its own (kernel/workqueue.c v4.11, lessons/sources.md §12).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';

/**
 * i915_synchronize_rcu_expedited - wait for an expedited grace period, for
 * the shrinker of @i915, telling lockdep what the wait depends on.
 *
 * The grace period is driven by a work item on system_wq, which can sit
 * behind i915's free worker (also on system_wq) while that worker waits for
 * struct_mutex. So this wait depends on the free worker finishing. Lockdep
 * knows what the free worker takes: process_one_work() holds the work's own
 * lockdep map (a write acquisition) while it runs, so the worker recorded
 * (&i915->mm.free_work) -> &dev->struct_mutex. Taking and releasing that map
 * here, before sleeping, as flush_work() does, records every lock this task
 * holds -> (&i915->mm.free_work), and in reclaim marks the map
 * IN-RECLAIM_FS. Either closes the loop the hang runs through, and lockdep
 * reports it in the first run that has both halves, whether or not it hangs.
 *
 * Not the workqueue's map: v4.11's process_one_work() takes that one as a
 * recursive read (lock_map_acquire_read), and check_prevs_add() adds no
 * dependency after a recursive-read lock, so nothing leads from "events" to
 * struct_mutex. Not a read acquisition either: a recursive read is checked
 * but not recorded, so it is only caught if the worker ran first.
 */
export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  // Hold the free worker's map for as long as we depend on it: the whole wait.
  lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  try {
    await synchronize_rcu_expedited();
  } finally {
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
}
