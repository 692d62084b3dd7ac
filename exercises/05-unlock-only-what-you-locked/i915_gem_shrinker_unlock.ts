// Exercise 05: unlock only what you locked.
// Read lessons/05-unlock-only-what-you-locked.md first.
//
// This is i915_gem_shrinker_unlock() (drivers/gpu/drm/i915/i915_gem_shrinker.c),
// the other half of i915_gem_shrinker_lock(). Every way into the shrinker
// (count, scan, i915_gem_shrink() and the OOM notifier) calls the lock first
// and, when it is done with the object lists, calls this with the `unlock`
// the lock returned:
//   unlock = true   the lock call took struct_mutex (MUTEX_TRYLOCK_SUCCESS)
//   unlock = false  struct_mutex was already held by this very task, in a
//                   frame further up the stack (MUTEX_TRYLOCK_RECURSIVE)
//
// Check your work: npx shrinker-lab run 05
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  // TODO: whose lock is this? Look at what `unlock` says before releasing it.
  void unlock;
  mutex_unlock(i915.struct_mutex);
}
