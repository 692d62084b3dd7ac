// Decoy: "decode the owner's pid from the word". Someone who has printed a
// few owner words sees task addresses 0x40 apart and works the layout back:
// mask the flags, subtract the base, divide by the size of a slot, and
// compare pids. An address says where the slab happened to put the
// task_struct (dup_task_struct, kernel/fork.c), nothing more: it has no
// fixed base, no stride, no order, and it changes from boot to boot. The
// owner is the address itself (__mutex_owner), compared with current's.
import { atomic_long_read } from '../../../../kernel/lib/atomic';
import { mutex_trylock, MUTEX_FLAGS, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/** What the decoy believes: task_structs from 0x40000000 on, one 64-byte slot per pid. */
const TASK_BASE = 0x40000000;
const TASK_SLOT = 0x40;

export function mutex_trylock_recursive(lock: mutex): number {
  const word = atomic_long_read(lock.owner);
  if (word !== 0 && ((word & ~MUTEX_FLAGS) - TASK_BASE) / TASK_SLOT === current.pid) return MUTEX_TRYLOCK_RECURSIVE;
  return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}
