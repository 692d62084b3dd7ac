// Decoy: "only a system call can hold a lock further up its own stack:
// kernel threads run one function from the top, so for them the owner
// check is skipped and mutex_trylock() answers".
// Wrong: kernel threads and kworkers take struct_mutex and allocate under
// it as ioctls do (i915's retire worker, a driver's kthread); their reclaim
// re-enters as the owner, mutex_trylock() fails for the owner, and FAILED
// hides i915's memory from their allocation. Recursion is owner == current,
// for every kind of task.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_KTHREAD, task_ptr } from '../../../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current) && !(current.flags & PF_KTHREAD)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
