// Decoy: "the word is my address with flag bits ORed in, so if every bit of
// my address is set in it, it is mine". Masking on the caller's bits ignores
// the bits the word has beyond them: another task whose task_struct address
// happens to contain every bit of mine (a slab puts task_structs anywhere)
// is taken for the caller, and its lock is called RECURSIVE.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { task_ptr } from '../../../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  const me = task_ptr(current);
  if (owner !== 0 && (owner & me) === me) return MUTEX_TRYLOCK_RECURSIVE; // "my address is in the word"
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
