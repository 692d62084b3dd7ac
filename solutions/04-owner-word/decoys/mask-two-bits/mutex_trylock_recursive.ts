// Decoy: mask ~0x03, the two flags of the first handoff patch (WAITERS and
// HANDOFF). "locking/mutex: Fix mutex handoff" added a third, PICKUP 0x04,
// so this no longer computes the owner that __mutex_owner() defines.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export function mutex_trylock_recursive(lock: mutex): number {
  if ((atomic_long_read(lock.owner) & ~0x03) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
