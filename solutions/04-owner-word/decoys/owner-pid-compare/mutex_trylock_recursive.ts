// Decoy: decode the owner with __owner_task() and compare task ids, not
// addresses ("a pid cannot be confused by flag bits"). The pointer comes
// from the owner word with no reference and no RCU read lock: between the
// read and owner->pid the owner can unlock, exit and be reaped, and once a
// grace period has passed (the reader preempted there, CONFIG_PREEMPT) its
// task_struct is freed (delayed_put_task_struct). owner->pid is then a
// use-after-free. Comparing the pointer with current needs no dereference.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { __owner_task, mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export function mutex_trylock_recursive(lock: mutex): number {
  const owner = __owner_task(atomic_long_read(lock.owner));
  if (owner && owner.pid === current.pid) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
