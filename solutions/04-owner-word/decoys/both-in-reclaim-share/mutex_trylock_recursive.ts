// Decoy: "recursion means the lock belongs to the reclaim I am part of: if I
// am in reclaim and so is the owner, it is the same reclaim, so RECURSIVE".
// Two tasks in reclaim at once (kswapd and a direct reclaimer, or two
// direct reclaimers) are two contexts: the caller is told RECURSIVE for
// another task's lock, walks that task's lists, and never unlocks it.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { __mutex_owner, mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC, task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  const holder = __mutex_owner(lock);
  if (holder !== null && current.flags & PF_MEMALLOC && holder.flags & PF_MEMALLOC) return MUTEX_TRYLOCK_RECURSIVE; // "the same reclaim"
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
