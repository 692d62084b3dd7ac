// Decoy: the owner test is right, but the trylock's answer is replaced by
// "the owner word changed, so my cmpxchg took it". Another CPU's cmpxchg
// changes the word just as well.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  // DECOY: "if the trylock changed the word, I took it": another CPU's
  // cmpxchg changes it just as well, and this answers SUCCESS for its lock.
  mutex_trylock(lock);
  return (atomic_long_read(lock.owner) & ~MUTEX_FLAGS) !== owner ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
