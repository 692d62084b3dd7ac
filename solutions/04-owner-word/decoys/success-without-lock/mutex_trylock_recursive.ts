// Decoy: the owner test is right, but "free" is answered by looking instead
// of locking: SUCCESS without taking the lock. The caller then works on the
// lists unprotected and unlocks a mutex it never locked.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS;
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return owner === 0 ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
