// Reference solution for exercise 04: read the owner word once, mask the
// flag bits off, then compare.
//
// lock.owner holds the owner's task_struct address OR'ed with up to three
// flags (MUTEX_FLAG_WAITERS 0x01, HANDOFF 0x02, PICKUP 0x04); task_structs
// are aligned, so those bits of a real address are always 0. The owner is
// therefore "word & ~MUTEX_FLAGS", which is what the kernel's
// __mutex_owner() computes. Comparing the raw word with current's address
// is right only while no flag is set, and WAITERS is set exactly when
// another task is queued on the lock: the moment the shrinker most needs
// the right answer.
//
// One read (atomic_long_read, the kernel's READ_ONCE of the word): the
// answer "current owns it" cannot change under us, because only current
// can make itself the owner or stop being it. Other bits of the word may
// change at any moment (a waiter arrives), which is why they are masked and
// not compared.
//
// The other two answers must come from mutex_trylock() itself: it takes the
// lock atomically and tells lockdep, so SUCCESS really means "now held".
import { atomic_long_read } from '../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../kernel/locking/mutex';
import { current } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  const owner = atomic_long_read(lock.owner) & ~MUTEX_FLAGS; // __mutex_owner(lock)
  if (owner === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
