// Scenarios on the model's real mutex (kernel/locking/mutex.ts): the shapes
// of the course's lock bugs, small enough to check the explorer against.
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { atomic_long_read } from '../../kernel/lib/atomic';
import { __mutex_owner, mutex_init, mutex_lock, mutex_trylock, mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS, type mutex } from '../../kernel/locking/mutex';
import { cond_resched, current } from '../../kernel/sched/core';
import { task_ptr } from '../../kernel/sched/task';
import type { scenario } from '../../explorer/scenario';

/**
 * Two tasks take two mutexes in opposite orders with cond_resched() in
 * between: deadlocks only if one is preempted while holding its first lock.
 * Fixed: both take them in the same order.
 */
export function abba_mutex(opposite: boolean, lockdep: boolean): scenario {
  return {
    id: `abba-mutex${opposite ? '' : '-fixed'}${lockdep ? '' : '-nolockdep'}`,
    params: { lockdep },
    setup() {
      const a = mutex_init('lock_a');
      const b = mutex_init('lock_b');
      const body = (first: mutex, second: mutex) => async () => {
        await mutex_lock(first);
        await cond_resched();
        await mutex_lock(second);
        mutex_unlock(second);
        mutex_unlock(first);
      };
      user_task(body(a, b), 'task_ab');
      user_task(opposite ? body(b, a) : body(a, b), 'task_ba');
    },
  };
}

/**
 * The i915 shrinker's recursion check ("do I already hold struct_mutex?")
 * written two ways. Buggy: compare the raw owner word with current's task
 * pointer, as if the word held only the owner. Right: __mutex_owner(lock)
 * === current (mutex_trylock_recursive). They differ only when a flag bit is
 * set, i.e. when another task is waiting for the mutex (MUTEX_FLAG_WAITERS),
 * which takes a preemption: the owner must be switched out while holding it.
 */
export function owner_word_recursion(buggy: boolean): scenario {
  let verdicts: string[] = [];
  const my_trylock_recursive = (lock: mutex): number => {
    if (buggy) {
      if (atomic_long_read(lock.owner) === task_ptr(current)) return MUTEX_TRYLOCK_RECURSIVE;
      return mutex_trylock(lock) ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
    }
    return mutex_trylock_recursive(lock);
  };
  return {
    id: buggy ? 'owner-word-raw' : 'owner-word-masked',
    setup() {
      verdicts = [];
      const struct_mutex = mutex_init('&dev->struct_mutex');
      // A task that takes struct_mutex and then (say, allocating memory)
      // recurses into the shrinker, which asks whether it already holds it.
      user_task(async () => {
        await mutex_lock(struct_mutex);
        await cond_resched();
        const r = my_trylock_recursive(struct_mutex);
        if (r !== MUTEX_TRYLOCK_RECURSIVE) {
          verdicts.push(`the shrinker's recursion check returned ${r} (not RECURSIVE) while ${current.comm} held struct_mutex (owner ${__mutex_owner(struct_mutex)?.comm})`);
        }
        if (r === MUTEX_TRYLOCK_SUCCESS) mutex_unlock(struct_mutex);
        mutex_unlock(struct_mutex);
      }, 'gem_ioctl');
      // Another user of the device, contending for the same mutex.
      kthread_run(async () => {
        await mutex_lock(struct_mutex);
        mutex_unlock(struct_mutex);
      }, 'i915_worker');
    },
    check: () => verdicts[0] ?? null,
  };
}
