// v4.10 waits under struct_mutex (the nested case); since c053b5a (v4.11) the
// only reclaim wait left is kswapd's, after a real unlock (direct reclaim
// enters i915 from a GEM ioctl that holds struct_mutex, so it never reaches
// the wait). Annotate those two cases, as flush_work() annotates its own wait.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { lock_map_acquire, lock_map_release, lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { current } from '../../../../kernel/sched/core';
import { PF_KSWAPD } from '../../../../kernel/sched/task';

export async function i915_synchronize_rcu_expedited(i915: drm_i915_private): Promise<void> {
  if (lockdep_is_held(i915.struct_mutex) || current.flags & PF_KSWAPD) {
    lock_map_acquire(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
    lock_map_release(i915.mm.free_work.lockdep_map, 'i915_synchronize_rcu_expedited');
  }
  await synchronize_rcu_expedited();
}
