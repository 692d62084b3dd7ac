// Decoy: "recursion happens through reclaim, so a task in reclaim that finds
// the lock taken must be its holder": RECURSIVE when PF_MEMALLOC is set and
// the mutex is locked. kswapd and every other task in direct reclaim have
// PF_MEMALLOC too: they walk i915's lists under the real holder's lock and
// never unlock what they never took.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_is_locked, mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC, task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  if ((atomic_long_read(lock.owner) & ~MUTEX_FLAGS) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  if (current.flags & PF_MEMALLOC && mutex_is_locked(lock)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
