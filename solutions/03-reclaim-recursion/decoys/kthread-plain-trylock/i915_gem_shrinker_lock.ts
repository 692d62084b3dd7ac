// Decoy: "recursion comes from a GEM ioctl, a system call of a user
// process; a kernel thread (or a kworker) never holds struct_mutex further
// up its own stack, so for kernel threads a plain mutex_trylock() is
// enough".
// Wrong: i915's retire and free workers, kernel threads all, take
// struct_mutex and allocate under it; their reclaim re-enters the shrinker
// as the owner, the plain trylock fails for the owner, and their allocation
// gets none of i915's memory (the thread's "users' oom", from a kworker).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock, mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_KTHREAD } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (current.flags & PF_KTHREAD) {
    // a kernel thread is not an ioctl: it cannot be recursing
    return mutex_trylock(i915.struct_mutex) ? { locked: true, unlock: true } : { locked: false, unlock: false };
  }
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false }; // someone else's: hands off, and no waiting
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
