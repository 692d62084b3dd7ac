// Decoy: compare only the low 16 bits of the owner word with the caller's
// address ("task_structs are 64-byte aligned; the low bits tell them apart,
// the flags sit below 8"). Two task_structs a multiple of 64 KiB apart (one
// slab of order-3 pages holds many) have the same low 16 bits: another
// task's lock is called RECURSIVE, and the shrinker walks its lists.
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
  if (owner !== 0 && (owner & 0xfff8) === (task_ptr(current) & 0xfff8)) return MUTEX_TRYLOCK_RECURSIVE; // "the low bits are enough"
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
