// An accepted alternative for exercise 04: let the model's __owner_task()
// decode the word (mask the flags, map the address back to its
// task_struct) and compare tasks, not addresses. This is the shape of the
// kernel's own check, "__mutex_owner(lock) == current".
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { __owner_task, mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export function mutex_trylock_recursive(lock: mutex): number {
  if (__owner_task(atomic_long_read(lock.owner)) === current) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
