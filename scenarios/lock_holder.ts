// The task that calls the shrinker already holds struct_mutex, and the
// lock's owner word says more than "owned by me": other tasks may be queued
// on it (MUTEX_FLAG_WAITERS), and the first of them may have asked for a
// handoff (MUTEX_FLAG_HANDOFF). A recursion check that compares the raw word
// with current's task pointer, or that asks lockdep rather than the lock,
// is right only in the plainest of these states; a check must try them all.
// (kernel/locking/mutex.c: __mutex_owner masks the flags off.)
import { fc } from '../course/workload';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { user_task } from '../kernel/fork';
import { atomic_long_or, atomic_long_read } from '../kernel/lib/atomic';
import { mutex_is_locked, mutex_lock, mutex_unlock, MUTEX_FLAG_HANDOFF, MUTEX_FLAG_WAITERS } from '../kernel/locking/mutex';
import { msleep } from '../kernel/sched/core';

/**
 * How the caller holds struct_mutex when it calls the shrinker:
 * - 'caller': it holds it, nobody waits;
 * - 'caller-waiters': it holds it and another task sleeps in mutex_lock (WAITERS set);
 * - 'caller-handoff': as above, and the first waiter asked for a handoff (WAITERS | HANDOFF).
 */
export const HOLDER_STATES = ['caller', 'caller-waiters', 'caller-handoff'] as const;
export type holder_state = (typeof HOLDER_STATES)[number];
export const arb_holder_state = fc.constantFrom(...HOLDER_STATES);

/**
 * spawn_struct_mutex_waiter - from setup: a task named @comm that, once
 * struct_mutex is taken, queues on it (as another GEM ioctl would) and
 * releases it when it finally gets it. @i915 is read when the task runs.
 */
export function spawn_struct_mutex_waiter(i915: () => drm_i915_private, comm: string): void {
  user_task(async () => {
    while (!mutex_is_locked(i915().struct_mutex)) await msleep(1);
    await mutex_lock(i915().struct_mutex);
    mutex_unlock(i915().struct_mutex);
  }, comm);
}

/**
 * hold_struct_mutex - from the calling task: take struct_mutex and bring
 * its owner word into @state (with spawn_struct_mutex_waiter's task as the
 * waiter). HANDOFF is set the way the first waiter sets it when it wakes
 * and finds the lock still taken (__mutex_lock_common: __mutex_set_flag).
 * The caller releases the lock with mutex_unlock when done; a pending
 * handoff then passes it to the waiter.
 */
export async function hold_struct_mutex(i915: drm_i915_private, state: holder_state): Promise<void> {
  await mutex_lock(i915.struct_mutex);
  if (state === 'caller') return;
  for (let i = 0; i < 100 && !(atomic_long_read(i915.struct_mutex.owner) & MUTEX_FLAG_WAITERS); i++) await msleep(1);
  if (!(atomic_long_read(i915.struct_mutex.owner) & MUTEX_FLAG_WAITERS)) throw new Error('check setup: the waiter never queued on struct_mutex');
  if (state === 'caller-handoff') atomic_long_or(MUTEX_FLAG_HANDOFF, i915.struct_mutex.owner);
}
