// Decoy: "the word does not change while the owner holds the lock, so
// remember it": once a call finds current in the owner word, cache that
// word per lock and answer RECURSIVE straight away whenever it is seen
// again. The word names the owner, not the task that asks: while the ioctl
// holds struct_mutex, kswapd or another process's reclaim is shown the very
// same word, and gets RECURSIVE for a lock it does not hold (it then walks
// and unbinds i915's lists under the ioctl's feet, and never unlocks).
// Every call must compare the owner with the task asking now.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

/** The owner word each lock had when a call last found its caller owning it. */
const owned_word = new WeakMap<mutex, number>();

export function mutex_trylock_recursive(lock: mutex): number {
  const word = atomic_long_read(lock.owner);
  if (owned_word.get(lock) === word) return MUTEX_TRYLOCK_RECURSIVE;
  if ((word & ~MUTEX_FLAGS) === task_ptr(current)) {
    owned_word.set(lock, word);
    return MUTEX_TRYLOCK_RECURSIVE;
  }
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
