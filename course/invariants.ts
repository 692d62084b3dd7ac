// What a reviewer checks after every workload, whatever the exercise: the
// call did not sleep when it must not, the locks it took are released and
// none it did not take, and the machine's books still balance.
//
// Pure: no Node APIs (the study site runs checks too).
import { __mutex_owner, model_watch_mutex_lock, type mutex } from '../kernel/locking/mutex';
import { current, model_task_sched } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import { zone } from '../kernel/mm/zone';
import { vm_events } from '../kernel/mm/vmstat';
import { get_jiffies_64 } from '../kernel/time/timekeeping';

/** What one call did to the calling task, measured by the scheduler's own counters. */
export interface call_measure<T> {
  value: T;
  /** Voluntary context switches during the call (it went to sleep: a lock, a completion, msleep, a flush…). */
  slept: number;
  /** Involuntary switches (preempted while runnable, cond_resched). Not a wait, but a spin shows here. */
  preempted: number;
  /** Virtual time the call took, in jiffies: what the task that asked for memory stalled. */
  stalled_jiffies: number;
  /**
   * The locks the calling task asked for with a sleeping lock call during the call (mutex_lock() and kin), whether or
   * not it had to sleep that time: code that must never wait must never ask (another CPU may hold the lock next time).
   */
  sleeping_locks: string[];
}

/**
 * watch_sleeping_locks - from now until the returned stop(), note every
 * sleeping lock call @t makes (the model's record, lockdep on or off); stop()
 * returns the locks' names, in order.
 */
export function watch_sleeping_locks(t: task_struct): { stop(): string[] } {
  const seen: string[] = [];
  const unwatch = model_watch_mutex_lock((lock, who) => {
    if (who === t) seen.push(lock.name);
  });
  return {
    stop() {
      unwatch();
      return seen;
    },
  };
}

/**
 * measure_call - run @fn in the current task and count, with the counters
 * the kernel keeps for the task (nvcsw, nivcsw; the scheduler's own copy), how often it slept and
 * was preempted, and how long it took in jiffies. "Never waits" means
 * slept === 0: a short sleep or a bounded wait is still a wait.
 */
export async function measure_call<T>(fn: () => Promise<T>): Promise<call_measure<T>> {
  // The scheduler's own counts, not the task's fields: code handed the task can write those (red team 11 #05 put nvcsw back).
  const s = model_task_sched(current);
  const nvcsw = s.nvcsw;
  const nivcsw = s.nivcsw;
  const start = get_jiffies_64(); // jiffies_64: jiffies itself wraps on a 32-bit kernel (boot param bits_per_long)
  const locks = watch_sleeping_locks(current);
  let value: T;
  try {
    value = await fn();
  } finally {
    locks.stop();
  }
  return { value, slept: s.nvcsw - nvcsw, preempted: s.nivcsw - nivcsw, stalled_jiffies: get_jiffies_64() - start, sleeping_locks: locks.stop() };
}

/** The owner of each of @locks (by name), to compare before and after a call. */
export function lock_owners(locks: readonly mutex[]): Map<mutex, task_struct | null> {
  return new Map(locks.map((l) => [l, __mutex_owner(l)]));
}

/**
 * locks_balanced - compare the owners of @before's locks now with then: a
 * lock the call took must be released, and one held before (by the caller's
 * outer frame, or by another task) must still be held by the same owner.
 * Returns what a reviewer would say, or null. Reads the owner word, not
 * lockdep, so it holds with lockdep off too.
 */
export function locks_balanced(before: Map<mutex, task_struct | null>): string | null {
  for (const [lock, was] of before) {
    const now = __mutex_owner(lock);
    if (now === was) continue;
    const who = (t: task_struct | null): string => (t ? `${t.comm}:${t.pid}` : 'nobody');
    if (was === null) return `${lock.name} was free before the call and is held by ${who(now)} after it: a lock taken must be released.`;
    if (now === null) return `${lock.name} was held by ${who(was)} before the call and is free after it: the call released a lock it did not take.`;
    return `${lock.name} changed owner during the call (${who(was)} → ${who(now)}).`;
  }
  return null;
}

/**
 * page_accounting - the zone's books balance: every page not free was
 * handed out by the allocator (pgalloc) and not given back (pgfree). Pages
 * conjured by writing to the zone's counters, or freed behind the
 * allocator's back, break it. Returns what is wrong, or null.
 */
export function page_accounting(): string | null {
  const in_use = zone.managed_pages - zone.free_pages;
  const handed_out = vm_events.pgalloc - vm_events.pgfree;
  if (in_use === handed_out) return null;
  return `the page allocator's books do not balance: ${in_use} pages are not free, but the allocator handed out ${handed_out} ` +
    '(pgalloc - pgfree). Pages were created or freed outside the allocator: memory is freed only by giving it back ' +
    '(put_pages, __free_pages), never by changing counters.';
}
