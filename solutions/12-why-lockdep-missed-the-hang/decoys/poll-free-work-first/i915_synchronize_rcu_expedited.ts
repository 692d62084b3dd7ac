// The expedited grace period's work item can queue behind the free worker on
// system_wq. So first let a queued free work item get picked up by a kworker
// (a cond_resched() poll: no sleep, no lock), and tell lockdep what the wait
// depends on, the way flush_work() does, before waiting.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { cond_resched } from '../../../../kernel/sched/core';
import { work_pending } from '../../../../kernel/workqueue';

export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  while (work_pending(i915.mm.free_work)) await cond_resched();
  await synchronize_rcu_expedited();
}
