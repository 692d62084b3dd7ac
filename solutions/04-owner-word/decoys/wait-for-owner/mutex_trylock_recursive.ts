// Decoy: "the other holder will be done in a moment": when another task
// owns the lock, sleep a jiffy and try once more before giving up. A short
// wait is still a wait, from reclaim: the holder may be waiting for the very
// memory this reclaim is trying to free, and the function becomes async, so
// the shrinker, which does not await it, never sees a number.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current, msleep } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

export async function mutex_trylock_recursive(lock: mutex): Promise<number> {
  if ((atomic_long_read(lock.owner) & ~MUTEX_FLAGS) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  if (mutex_trylock(lock)) return MUTEX_TRYLOCK_SUCCESS;
  await msleep(1);
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
