// Decoy: "recursion into the shrinker comes from a GEM ioctl allocating
// under struct_mutex; a kworker is not an ioctl, so a kworker that owns the
// lock is not legitimately re-entering it: tell it FAILED, the shrinker
// then leaves the lock alone".
// Wrong: i915's own workers (the retire worker, the free worker) take
// struct_mutex and allocate under it; their reclaim re-enters the shrinker
// as the owner. Told FAILED, count reports 0 and scan stops: the
// allocation gets none of i915's memory, the thread's OOM from a kworker.
// Only owner == current decides, whatever kind of task current is.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_WQ_WORKER, task_ptr } from '../../../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return current.flags & PF_WQ_WORKER ? MUTEX_TRYLOCK_FAILED : MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
