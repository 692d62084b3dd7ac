// Decoy: decode the owner right, then compare names: "the owner is the task
// called like me". Two threads or processes may share a comm (two Xorg
// ioctls, two kworkers): the one in reclaim then walks i915's lists under
// the other's lock.
import { __mutex_owner, mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export function mutex_trylock_recursive(lock: mutex): number {
  if (__mutex_owner(lock)?.comm === current.comm) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
