// Decoy: "when kswapd owns the lock it is reclaiming for every allocation,
// mine included, so a reclaimer may share it: RECURSIVE".
// kswapd holding struct_mutex is in i915's scan, unbinding and moving
// objects between the lists; a direct reclaimer told RECURSIVE walks and
// unbinds the same objects at the same time, and never unlocks.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { __mutex_owner, mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_KSWAPD, task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  if ((__mutex_owner(lock)?.flags ?? 0) & PF_KSWAPD) return MUTEX_TRYLOCK_RECURSIVE; // "kswapd reclaims for me"
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
