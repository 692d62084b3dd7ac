// An accepted alternative for exercise 04: the two questions in the other
// order. Try the lock first; only when mutex_trylock() fails, ask whether
// the owner it failed on is current.
//
// mutex_trylock() on a lock current already owns fails and leaves the word
// and lockdep alone, so every state a running task can meet gives the same
// answer as v4.11's owner-first order. The one word where the orders differ
// is "current | PICKUP" (the lock handed to current): there mutex_trylock()
// picks the handoff up. No task can call this function in that state: the
// task a lock is handed to is inside mutex_lock(), preemption disabled, and
// picks it up before it returns (kernel/locking/mutex.c __mutex_lock_common).
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  if (mutex_trylock(lock)) return MUTEX_TRYLOCK_SUCCESS;
  // The trylock failed: someone owns the lock. Ours (an outer frame took it), or another task's?
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  return owner === task_ptr(current) ? MUTEX_TRYLOCK_RECURSIVE : MUTEX_TRYLOCK_FAILED;
}
