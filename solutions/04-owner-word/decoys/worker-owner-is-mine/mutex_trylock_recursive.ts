// Decoy: "a kworker that holds the lock is working for me (i915 queued it on
// my behalf), so its lock is as good as mine: RECURSIVE".
// A work item runs in its own task: i915's free worker owns struct_mutex
// while it unbinds and list_del()s the objects it frees. The caller is told
// RECURSIVE, walks lists being freed under it, and never unlocks.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { __mutex_owner, mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER, task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  if ((__mutex_owner(lock)?.flags ?? 0) & PF_WQ_WORKER) return MUTEX_TRYLOCK_RECURSIVE; // "my worker"
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
