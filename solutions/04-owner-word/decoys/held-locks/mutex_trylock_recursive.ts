// Decoy: look the lock up in current's held-lock list, "the list lockdep
// keeps of what this task holds". The list exists only with lockdep on; on a
// production kernel it is empty, the ioctl is told its own lock belongs to
// someone else, reclaim skips i915 and the OOM killer runs.
import { mutex_trylock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export function mutex_trylock_recursive(lock: mutex): number {
  const held = current.held_locks as ReadonlyArray<{ instance: unknown }>;
  if (held.some((h) => h.instance === lock.dep_map)) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
