// Exercise 04: read the owner word right.
// Read lessons/04-owner-word.md first.
//
// This is mutex_trylock_recursive() (include/linux/mutex.h, v4.10/v4.11),
// the function the i915 shrinker uses to take struct_mutex: it must tell
// "another task holds the lock" (FAILED) from "it was free and I took it"
// (SUCCESS) and from "I already hold it" (RECURSIVE: the shrinker was entered
// from reclaim inside the lock holder's own allocation).
//
// Since v4.10 a mutex keeps its owner in one word, lock.owner: the owning
// task's address with flag bits OR'ed into the low bits (see the comment at
// the top of kernel/locking/mutex.ts). Write this function yourself: do not
// call the kernel model's own mutex_trylock_recursive().
//
// Check your work: npx shrinker-lab run 04
import { atomic_long_read } from '../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../kernel/locking/mutex';
import { current } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';

/**
 * mutex_trylock_recursive - MUTEX_TRYLOCK_RECURSIVE if current already owns
 * @lock (the caller must then not unlock it), else mutex_trylock()'s answer:
 * MUTEX_TRYLOCK_SUCCESS (taken) or MUTEX_TRYLOCK_FAILED (someone else has it).
 */
export function mutex_trylock_recursive(lock: mutex): number {
  // TODO: is the owner word only ever the owner's address?
  if (atomic_long_read(lock.owner) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
