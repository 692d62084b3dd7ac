// Decoy: mask the one bit the failing run showed (MUTEX_FLAG_WAITERS).
// Passes the scenario, but the owner still reads as "someone else" when
// HANDOFF is set: a woken waiter asks for a handoff while we hold the lock.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAG_WAITERS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  if ((atomic_long_read(lock.owner) & ~MUTEX_FLAG_WAITERS) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
