// The wait can only deadlock in two situations: it runs under struct_mutex
// (v4.10's nested case: the free worker it sits behind needs that lock), or in
// reclaim (a GEM ioctl allocates under struct_mutex, so reclaim may be waiting
// on its own holder). Everywhere else the wait is legitimate: annotate only
// where it can hang, so lockdep is not told about dependencies that cannot bite.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release, lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { current } from '../../../../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC } from '../../../../kernel/sched/task';

export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  const under_lock = lockdep_is_held(i915.struct_mutex);
  const in_reclaim = (current.flags & (PF_MEMALLOC | PF_KSWAPD)) !== 0;
  if (under_lock || in_reclaim) {
    // As flush_work() does: the map process_one_work() holds while the free worker runs.
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
