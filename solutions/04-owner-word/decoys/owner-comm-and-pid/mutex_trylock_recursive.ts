// Decoy: try the lock first, and only when that fails ask who owns it, by
// name and pid ("two tasks may share a comm, never a comm and a pid").
// The owner named by the word may exit between __mutex_owner()'s read and
// owner->comm: a task_struct read through a pointer taken from the word,
// with no reference and no RCU read lock, may already be freed.
import { __mutex_owner, mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export function mutex_trylock_recursive(lock: mutex): number {
  if (mutex_trylock(lock)) return MUTEX_TRYLOCK_SUCCESS;
  const owner = __mutex_owner(lock);
  if (owner && owner.comm === current.comm && owner.pid === current.pid) return MUTEX_TRYLOCK_RECURSIVE;
  return MUTEX_TRYLOCK_FAILED;
}
