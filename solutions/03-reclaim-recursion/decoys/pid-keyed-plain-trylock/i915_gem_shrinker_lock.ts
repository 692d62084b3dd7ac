// Decoy: "kernel threads and early tasks recurse into reclaim; user
// processes get Andrea's plain trylock": mutex_trylock() for pids from 300
// up (RESERVED_PIDS), mutex_trylock_recursive() below. Every GEM client on a
// desktop (Xorg, firefox) has a pid in the thousands, so for every one of
// them the owner's own reclaim is told the lock is taken and can never
// shrink i915's buffers while it holds struct_mutex ("users' oom"). What
// the lock answers must not depend on who is asking.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (current.pid >= 300) {
    const took = mutex_trylock(i915.struct_mutex);
    return { locked: took, unlock: took };
  }
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}
