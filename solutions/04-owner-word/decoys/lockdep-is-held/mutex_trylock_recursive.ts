// Decoy: "lockdep knows which locks current holds": RECURSIVE whenever
// lockdep_is_held(). Lockdep is a debugging option; on a production kernel
// (CONFIG_LOCKDEP off) lockdep_is_held() answers "held" for everyone, so
// every task in reclaim walks i915's lists under another task's lock.
import { lockdep_is_held } from '../../../../kernel/locking/lockdep';
import { mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';

export function mutex_trylock_recursive(lock: mutex): number {
  if (lockdep_is_held(lock)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
