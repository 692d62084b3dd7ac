// Reference solution for exercise 05: the v4.11 shrinker unlock.
//
// A lock belongs to the frame that took it. When reclaim enters the
// shrinker inside an allocation made under struct_mutex, the lock call sees
// MUTEX_TRYLOCK_RECURSIVE and returns unlock = false: the lock is the outer
// frame's, and that frame will release it when its critical section ends.
// Releasing it here would let other tasks in while the outer frame is still
// half-way through changing GEM state, and the outer frame's own
// mutex_unlock() later would release a lock it no longer holds (lockdep:
// "bad unlock balance detected!"). When the lock call took the lock
// (MUTEX_TRYLOCK_SUCCESS, unlock = true), releasing it here, exactly once,
// is what keeps every later user of struct_mutex from blocking for ever.
//
// Model note: v4.11 followed a real unlock with synchronize_rcu_expedited()
// (c053b5a moved it here so that it never runs while an outer frame still
// holds struct_mutex); v4.12, which this exercise runs, dropped that wait.
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
}
