// Decoy: "if the lock is taken, it must be ours: we are in reclaim under it".
// mutex_is_locked() says whether ANYONE holds the lock. kswapd, or any
// other task in reclaim, would then walk i915's lists without the lock
// while the real owner changes them.
import { mutex_is_locked, mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';

export function mutex_trylock_recursive(lock: mutex): number {
  if (mutex_is_locked(lock)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
