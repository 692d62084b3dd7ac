// Reference solution for exercise 03: the v4.11 shrinker lock.
//
// Reclaim runs inside whatever allocation triggered it, so the shrinker can
// be called by a task that already holds struct_mutex (a GEM ioctl that
// allocates under the lock). mutex_lock() there waits for the lock's owner
// to release it, and the owner is the waiter: a deadlock no other task can
// break. The shrinker must therefore never sleep on struct_mutex, and it
// must tell three cases apart, which is exactly what
// mutex_trylock_recursive() reports:
//   FAILED     another task holds the lock. Its lists are changing under it:
//              do not touch them. Give up at once (count says 0, scan says
//              SHRINK_STOP); never wait, because that task may itself be
//              waiting for the memory this reclaim is trying to find.
//   SUCCESS    we took it: walk the lists, then release it.
//   RECURSIVE  our own task took it, in a frame further up the stack. The
//              lists are stable (nobody else can hold the lock), so go on,
//              but the lock belongs to that outer frame: do not release it.
// A plain mutex_trylock() cannot see the third case: it fails for the owner
// too, and the task holding the lock can then never shrink i915's buffers,
// however much memory they hold ("users' oom", in Chris's words).
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false }; // someone else's: hands off, and no waiting
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    default:
      return { locked: true, unlock: true }; // we took it: we release it
  }
}
