// Decoy: the owner test is right, and a free lock is taken with
// mutex_trylock(), but its answer is ignored: "it was free a moment ago, the
// trylock cannot fail". On SMP another CPU can take struct_mutex between the
// read and the cmpxchg; the caller is told SUCCESS for a lock it does not hold.
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
  if (owner !== 0) return MUTEX_TRYLOCK_FAILED;
  // DECOY: "it was free a moment ago, so the trylock cannot fail": on SMP
  // another CPU can take it between the read and mutex_trylock()'s cmpxchg.
  mutex_trylock(lock);
  return MUTEX_TRYLOCK_SUCCESS;
}
