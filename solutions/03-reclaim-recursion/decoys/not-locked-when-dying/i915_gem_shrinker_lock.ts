// Decoy: "a dying task must not start shrinking the GPU's buffers on its
// way out: it could be killed half-way through, and its memory comes back
// anyway. Tell it the lock is not ours to take" (SIGKILL pending, an OOM
// victim, PF_EXITING).
// Wrong: v4.11's i915_gem_shrinker_lock() is mutex_trylock_recursive() and
// looks at nothing else. A dying GEM client that holds struct_mutex (the
// OOM killer's victim is still in its ioctl until it returns to user space)
// and allocates is the only task whose reclaim can shrink i915 while it
// holds the lock; "not locked" sends it, and the OOM killer waiting on it,
// to an empty shrinker. A free lock is free for a dying task too.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { tsk_is_oom_victim } from '../../../../kernel/mm/oom_kill';
import { current } from '../../../../kernel/sched/core';
import { fatal_signal_pending, PF_EXITING } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (fatal_signal_pending(current) || current.flags & PF_EXITING || tsk_is_oom_victim(current)) return { locked: false, unlock: false }; // dying: hands off
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false }; // someone else's: hands off, and no waiting
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
