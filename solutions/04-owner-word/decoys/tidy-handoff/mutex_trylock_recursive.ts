// Decoy: mask the flags right, and "tidy up" when the lock is ours: clear a
// stale HANDOFF so the waiter "stops asking". HANDOFF is the first waiter's
// claim on the next unlock; clearing it lets a running task steal the lock
// from it again, the starvation the handoff was added to end. A lock the
// function does not take must be left exactly as it was.
import { atomic_long_andnot, atomic_long_read } from '../../../../kernel/lib/atomic';
import { MUTEX_FLAG_HANDOFF, mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  if ((atomic_long_read(lock.owner) & ~MUTEX_FLAGS) === task_ptr(current)) {
    atomic_long_andnot(MUTEX_FLAG_HANDOFF, lock.owner);
    return MUTEX_TRYLOCK_RECURSIVE;
  }
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
