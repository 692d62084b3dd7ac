// Decoy: "the owner word holds the owner's task pointer: compare it with
// mine". It also holds MUTEX_FLAG_WAITERS and MUTEX_FLAG_HANDOFF in its low
// bits. As soon as another task queues on struct_mutex, the word no longer
// equals current's pointer, the recursion goes unseen, and the task holding
// the lock cannot shrink i915's buffers (__mutex_owner masks the flags off).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (atomic_long_read(i915.struct_mutex.owner) === task_ptr(current)) return { locked: true, unlock: false };
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true };
  return { locked: false, unlock: false };
}
