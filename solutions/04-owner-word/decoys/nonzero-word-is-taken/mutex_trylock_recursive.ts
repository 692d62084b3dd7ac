// Decoy: "a nonzero owner word means somebody holds the lock": try the lock
// only when the word is 0. A free mutex whose woken waiter has not run yet
// has WAITERS set and no owner; mutex_trylock() takes it (that is why
// HANDOFF exists), but this answers FAILED, so reclaim skips i915 for no
// reason. The owner is the word with the flags masked off, nothing else.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  const word = atomic_long_read(lock.owner);
  if ((word & ~MUTEX_FLAGS) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  if (word !== 0) return MUTEX_TRYLOCK_FAILED;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
