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
import { DECLARE_WORK, schedule_work } from '../kernel/workqueue';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { PF_KSWAPD, PF_SWAPWRITE } from '../kernel/sched/task';
import { current, msleep } from '../kernel/sched/core';

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

/** Names of the GEM clients queue_struct_mutex_waiters starts. */
const WAITER_COMMS = ['Xorg', 'glxgears', 'firefox'] as const;

/**
 * queue_struct_mutex_waiters - the calling task holds struct_mutex: start
 * @n GEM clients that sleep in mutex_lock() on it (a convoy: on a busy
 * desktop Xorg and the GL clients all wait for the lock), and return once
 * all @n are queued. Each takes and releases the lock when it gets it.
 */
export async function queue_struct_mutex_waiters(i915: drm_i915_private, n: number): Promise<void> {
  const m = i915.struct_mutex;
  for (let i = 0; i < n; i++) {
    user_task(async () => {
      await mutex_lock(m);
      mutex_unlock(m);
    }, WAITER_COMMS[i % WAITER_COMMS.length]!);
  }
  for (let i = 0; i < 100 && m.wait_list.length < n; i++) await msleep(1);
  if (m.wait_list.length < n) throw new Error(`check setup: only ${m.wait_list.length} of ${n} GEM clients queued on struct_mutex`);
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

// ---------------------------------------------------------------------------
// Who ELSE holds struct_mutex, and what that task is doing.
//
// The shrinker meets another task's struct_mutex from many contexts, and in
// every one of them the lists are that task's: a GEM ioctl in a plain
// process; the same ioctl after it allocated under the lock and went into
// direct reclaim (PF_MEMALLOC, mm/page_alloc.c __perform_reclaim), maybe
// inside i915's own scan, unbinding; kswapd inside i915's scan, which took
// the lock (PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD, mm/vmscan.c kswapd());
// i915's free worker, a kworker (PF_WQ_WORKER) that unbinds and unlinks the
// objects it frees under the lock (i915_gem.c __i915_gem_free_objects).
// An answer keyed to the holder's flags ("a holder in reclaim is stuck, a
// kworker is housekeeping: borrow its lock") must meet each of them.

export const HOLDER_CONTEXTS = ['ioctl', 'ioctl-in-reclaim', 'kswapd', 'i915-worker'] as const;
export type holder_context = (typeof HOLDER_CONTEXTS)[number];
export const arb_holder_context: fc.Arbitrary<holder_context> = fc.constantFrom(...HOLDER_CONTEXTS);

/** For workload descriptions: what the other holder is doing. */
export function describe_holder_context(context: holder_context): string {
  return {
    ioctl: 'a GEM ioctl',
    'ioctl-in-reclaim': 'a GEM ioctl now in direct reclaim (PF_MEMALLOC)',
    kswapd: 'kswapd in i915\'s scan (PF_MEMALLOC|PF_SWAPWRITE|PF_KSWAPD)',
    'i915-worker': 'i915\'s free worker, a kworker (PF_WQ_WORKER)',
  }[context];
}

/**
 * spawn_struct_mutex_holder - from setup: run @script in a task that will
 * hold struct_mutex in @context. 'i915-worker' runs it as a work item on
 * system_wq (a real kworker, as i915's free worker is: @comm unused); the
 * others in a task named @comm. The script takes the lock, then runs what it
 * does while holding it through @in_context, which gives the task the flags
 * of @context for that span (reclaim sets them after the ioctl took the
 * lock; kswapd's scan takes it by trylock, which lockdep does not mark as
 * taken in reclaim) and restores the flags it found.
 */
export function spawn_struct_mutex_holder(
  context: holder_context,
  comm: string,
  script: (in_context: <T>(fn: () => Promise<T>) => Promise<T>) => Promise<void>,
): void {
  const in_context = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (context !== 'ioctl-in-reclaim' && context !== 'kswapd') return fn();
    const noreclaim = memalloc_noreclaim_save(); // PF_MEMALLOC
    const extra = context === 'kswapd' ? PF_SWAPWRITE | PF_KSWAPD : 0;
    const had = current.flags & extra;
    current.flags |= extra;
    try {
      return await fn();
    } finally {
      current.flags = (current.flags & ~extra) | had;
      memalloc_noreclaim_restore(noreclaim);
    }
  };
  if (context === 'i915-worker') {
    schedule_work(DECLARE_WORK(() => script(in_context), '__i915_gem_free_work', { module: 'i915' }));
    return;
  }
  user_task(() => script(in_context), comm);
}
