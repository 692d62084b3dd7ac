// Decoy: "the shrinker needs the lists, so wait for struct_mutex, but never
// sleep on the mutex itself": mutex_trylock() again every tick until it
// succeeds. From reclaim inside the ioctl that holds the lock (the thread's
// case) the lock is never free: the task polls its own lock for ever, with
// struct_mutex held, and the allocation never returns. A poll is a wait.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock } from '../../../../kernel/locking/mutex';
import { schedule_timeout_uninterruptible } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  for (;;) {
    if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
    await schedule_timeout_uninterruptible(1); // wait for the holder, a tick at a time
  }
}
