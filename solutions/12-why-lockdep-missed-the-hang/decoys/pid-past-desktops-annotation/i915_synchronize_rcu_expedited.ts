// Exercise 12, decoy (one past the largest pid: red team 11's pid-keyed-annotation moved past the desktop pids its close
// added, 4001 and 4000001): annotate only for pids up to 4100000, 'every real task': tasks past it wait unannotated.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { current } from '../../../../kernel/sched/core';

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
  if (current.pid <= 4_100_000) {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
