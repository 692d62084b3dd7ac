// Exercise 04's workload: the i915 shrinker asks "do I already hold
// struct_mutex?" through a recursion check given as a function (the
// learner's mutex_trylock_recursive), while another task waits for the lock.
//
// A check that compares the raw owner word with current's task pointer is
// right as long as no flag bit is set. A waiter sets MUTEX_FLAG_WAITERS, and
// a waiter can only queue while the holder is switched out, so the default
// run (the holder keeps the CPU) never shows the bug: it takes a preemption,
// which is what the explorer tries.
import type { scenario } from '../explorer/scenario';
import { run_once, type once_result } from '../course/check_helpers';
import { measure_call } from '../course/invariants';
import { fc } from '../course/workload';
import { shrinker_lock_state_of, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { lockdep_is_held } from '../kernel/locking/lockdep';
import {
  __mutex_owner,
  MUTEX_FLAG_HANDOFF,
  mutex_is_locked,
  mutex_lock,
  mutex_lock_interruptible,
  mutex_trylock,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
  MUTEX_TRYLOCK_SUCCESS,
  mutex_unlock,
  type mutex,
} from '../kernel/locking/mutex';
import { current, msleep, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { task_ptr } from '../kernel/sched/task';
import { atomic_long_read } from '../kernel/lib/atomic';
import { trace, trace_enabled } from '../kernel/trace/trace';
import { arb_comm } from './gem_workloads';
import { arb_convoy, arb_first_pid, arb_nr_cpus, arb_uptime_secs } from './machine_ranges';
import { arb_holder_context, describe_holder_context, spawn_struct_mutex_holder, type holder_context } from './lock_holder';
import { arb_caller_task, describe_caller_task, run_as, type caller_task } from './reclaim_context';
import { allocate_pages, gem_world, populate, WORLD_PARAMS, type gem_world as gem_world_t } from './i915_world';

/** A recursion check with mutex_trylock_recursive()'s contract: FAILED 0, SUCCESS 1, RECURSIVE 2. */
export type trylock_recursive_fn = (lock: mutex) => number;

/**
 * shrinker_lock_from - i915_gem_shrinker_lock() built on @trylock_recursive
 * instead of the kernel's mutex_trylock_recursive(): FAILED means "give up",
 * RECURSIVE "go on, but the outer frame unlocks", anything else "go on, and
 * unlock when done". With tracing on, each call records the owner word it
 * was shown, the caller's address and the answer (a model tracepoint, so a
 * replayed run shows what the check saw).
 */
export function shrinker_lock_from(trylock_recursive: trylock_recursive_fn): i915_shrinker_ops['lock'] {
  return async (i915) => {
    const word = trace_enabled() ? atomic_long_read(i915.struct_mutex.owner) : 0;
    // An async answer (one that may sleep) is awaited: the shrinker then really waits in reclaim.
    const ret = await (trylock_recursive(i915.struct_mutex) as number | Promise<number>);
    if (trace_enabled()) trace('i915_gem_shrinker_lock', { owner_word: word, current_ptr: task_ptr(current), ret });
    return shrinker_lock_state_of(ret);
  };
}

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark. */
const PRESSURE_PAGES = 40;

/**
 * waiter_while_holder_allocates - a GEM ioctl takes struct_mutex and
 * allocates under memory pressure; another process's GEM ioctl ("Xorg", the
 * display server) wants struct_mutex too. If it asks while the first ioctl
 * holds the lock, it queues and sets MUTEX_FLAG_WAITERS. Reclaim, in
 * the ioctl's task, then calls the i915 shrinker: if the recursion check
 * does not see that the ioctl owns the lock, count reports 0, the buffer
 * cache stays hidden, the OOM notifier cannot take the lock either, and the
 * OOM killer kills a bystander ("firefox").
 */
export function waiter_while_holder_allocates(id: string, trylock_recursive: trylock_recursive_fn): scenario {
  return {
    id,
    params: { ...WORLD_PARAMS },
    setup() {
      start_waiter_while_holder_allocates(gem_world({ release: '4.12', shrinker_ops: { lock: shrinker_lock_from(trylock_recursive) } }));
    },
  };
}

/**
 * start_waiter_while_holder_allocates - the three tasks of exercise 04's
 * scenario in @w: a bystander ("firefox"), the ioctl that allocates with
 * struct_mutex held ("i915_ioctl"), and Xorg queueing on that mutex. Exercise
 * 13 runs the same tasks with the learner's whole shrinker
 * (scenarios/capstone_course.ts).
 */
export function start_waiter_while_holder_allocates(w: gem_world_t): void {
  user_task(async () => {
    await schedule_timeout_uninterruptible(60_000);
  }, 'firefox', { rss_pages: 15 });
  user_task(async () => {
    await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
    await mutex_lock(w.i915.struct_mutex);
    await allocate_pages(PRESSURE_PAGES);
    mutex_unlock(w.i915.struct_mutex);
  }, 'i915_ioctl');
  user_task(async () => {
    await mutex_lock(w.i915.struct_mutex);
    mutex_unlock(w.i915.struct_mutex);
  }, 'Xorg');
}

/**
 * handoff_pending_while_holder_allocates - waiter_while_holder_allocates
 * with HANDOFF already pending when the ioctl allocates (default schedule):
 * start_handoff_pending_while_holder_allocates with @trylock_recursive as
 * the shrinker's recursion check. @seen records the owner word.
 */
export function handoff_pending_while_holder_allocates(id: string, trylock_recursive: trylock_recursive_fn, seen: handoff_pending_setup): scenario {
  return {
    id,
    params: { ...WORLD_PARAMS },
    setup() {
      start_handoff_pending_while_holder_allocates(gem_world({ release: '4.12', shrinker_ops: { lock: shrinker_lock_from(trylock_recursive) } }), seen);
    },
  };
}

/** What start_handoff_pending_while_holder_allocates saw: the owner word when the ioctl began to allocate. */
export interface handoff_pending_setup {
  /** struct_mutex's owner word right before the allocations under it (0 until then). */
  word_before_allocating: number;
}

/**
 * start_handoff_pending_while_holder_allocates - exercise 04's three tasks
 * with the owner word already at "ioctl | WAITERS | HANDOFF" when the ioctl
 * allocates, in the default schedule (no preemption needed). The ioctl
 * ("i915_ioctl") takes struct_mutex; Xorg queues behind it (WAITERS). The
 * ioctl then drops struct_mutex and takes it back, as v4.11's execbuffer
 * does on its relocation slow path (i915_gem_execbuffer_relocate_slow:
 * mutex_unlock, copy the relocations from user space, then
 * i915_mutex_lock_interruptible): the unlock wakes Xorg, the ioctl's
 * relock gets the lock before Xorg runs (a woken waiter has no claim yet,
 * kernel/locking/mutex.c __mutex_trylock), and Xorg, woken as the first
 * waiter to find the lock taken, sets HANDOFF (__mutex_lock_common) and
 * sleeps again while the ioctl waits under the lock. Then the ioctl
 * allocates under pressure, and reclaim calls the shrinker in its task.
 * Exploring exercise 04's scenario reaches the same word only with two
 * preemptions. @seen records the word.
 */
export function start_handoff_pending_while_holder_allocates(w: gem_world_t, seen: handoff_pending_setup): void {
  const lock = w.i915.struct_mutex;
  user_task(async () => {
    await schedule_timeout_uninterruptible(60_000);
  }, 'firefox', { rss_pages: 15 });
  user_task(async () => {
    await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
    await mutex_lock(lock);
    // Waiting under the lock (for the GPU, as the ioctl's reserve step may): Xorg comes and queues.
    for (let i = 0; i < 50 && lock.wait_list.length === 0; i++) await msleep(1);
    // The relocation slow path: drop struct_mutex to copy from user space, take it back.
    mutex_unlock(lock);
    if ((await mutex_lock_interruptible(lock)) !== 0) return;
    // The reserve step waits under the lock again: Xorg runs, finds it taken, asks for a handoff.
    await msleep(2);
    seen.word_before_allocating = atomic_long_read(lock.owner);
    await allocate_pages(PRESSURE_PAGES);
    mutex_unlock(lock);
  }, 'i915_ioctl');
  user_task(async () => {
    // Xorg's GEM ioctl comes while the ioctl holds the lock (it may come earlier in another schedule: then it simply waits its turn).
    for (let i = 0; i < 50 && !mutex_is_locked(lock); i++) await msleep(1);
    await mutex_lock(lock);
    mutex_unlock(lock);
  }, 'Xorg');
}

// ---------------------------------------------------------------------------
// Generated owner words (exercise 04's graded property)
//
// Every owner word the v4.11 mutex code produces, made by real tasks doing
// real lock operations (no crafted bits): who owns the lock (the task that
// asks, another task, or nobody), and which flags the waiters left in it.
// The task that asks may be called like the owner, may be in reclaim
// (PF_MEMALLOC, as when the shrinker calls it), and lockdep may be off.

/** The owner-word states, as a reviewer would name them. */
export const OWNER_STATES = [
  'caller', //            the caller holds it, nobody waits: word = caller
  'caller+waiters', //    ... and another task sleeps in mutex_lock: caller | WAITERS
  'caller+handoff', //    ... and that waiter woke, found the lock taken, asked for a handoff: caller | WAITERS | HANDOFF
  'other', //             another task holds it: other
  'other+waiters', //     ... a third task queued behind it: other | WAITERS
  'other+handoff', //     ... and asked for a handoff: other | WAITERS | HANDOFF
  'handed-to-other', //   unlocked with a handoff pending: the waiter owns it but has not run yet: waiter | WAITERS | PICKUP
  'free', //              nobody: 0
  'free+waiters', //      unlocked, the woken waiter has not run yet: WAITERS alone (a trylock may take it)
] as const;
export type owner_state = (typeof OWNER_STATES)[number];

export interface owner_word_workload {
  state: owner_state;
  /** Names of the task that asks, the other holder and the waiter (they may be equal). */
  caller: string;
  holder: string;
  waiter: string;
  /** The asking task is in reclaim (PF_MEMALLOC set), as when the shrinker calls it. */
  in_reclaim: boolean;
  /**
   * The kind of task that asks (and, in the 'caller*' states, owns the lock): a user process (absent: the default),
   * a kernel thread, or a kworker running a work item on system_wq (then @caller is unused: the kworker has its own
   * comm), as i915's retire worker takes struct_mutex and allocates under it. Only owner == current is RECURSIVE,
   * whatever kind of task current is.
   */
  caller_task?: caller_task;
  /**
   * What the other holder (states 'other*') is doing while it owns the lock
   * (scenarios/lock_holder.ts): an ioctl, the ioctl in direct reclaim,
   * kswapd in i915's scan, i915's free worker. Absent: an ioctl. Only
   * owner === current is RECURSIVE, whatever the owner's flags.
   */
  holder_context?: holder_context;
  lockdep: boolean;
  /** Idle tasks created first, so that pids and task addresses differ from run to run. */
  extra_tasks: number;
  /**
   * The boot's seed (absent: the default), which places every task_struct
   * (kernel/sched/task.ts): the same tasks get other addresses on another boot.
   */
  boot_seed?: number;
  /**
   * CPUs of the machine (boot param nr_cpus; absent: 2). A task runs on pid % nr_cpus: with 4 or 8 the caller
   * may sit on CPU 2 or above (red team 11: cpu-keyed-recursive answered RECURSIVE only on CPUs 0 and 1).
   */
  nr_cpus?: number;
  /**
   * Waiters queued behind the first one in the '+waiters' states (absent: none): Xorg and GL clients
   * convoy on a busy struct_mutex (red team 11: convoy-gives-up answered FAILED to the owner with 2 or more waiting).
   */
  more_waiters?: number;
  /** Boot param first_pid (absent: 1): pids anywhere in the pid space (scenarios/machine_ranges.ts). */
  first_pid?: number;
  /** Boot param uptime_secs (absent: a fresh boot). */
  uptime_secs?: number;
}


export const arb_owner_word_workload: fc.Arbitrary<owner_word_workload> = fc.record({
  state: fc.constantFrom(...OWNER_STATES),
  caller: arb_comm,
  holder: arb_comm,
  waiter: arb_comm,
  in_reclaim: fc.boolean(),
  caller_task: arb_caller_task,
  holder_context: arb_holder_context,
  lockdep: fc.boolean(),
  extra_tasks: fc.integer({ min: 0, max: 3 }),
  boot_seed: fc.integer({ min: 1, max: 0xffff }),
  // The whole range of each (red team 11 keyed answers to CPU >= 2 and 2+ waiters; each close's largest point was the next key).
  nr_cpus: arb_nr_cpus,
  more_waiters: arb_convoy,
  first_pid: arb_first_pid,
  uptime_secs: arb_uptime_secs,
});

export function describe_owner_word_workload(wl: owner_word_workload): string {
  const task = wl.caller_task ?? 'user';
  const asker = task === 'kworker' ? 'a kworker running a work item on system_wq (PF_WQ_WORKER)' : `"${wl.caller}"${describe_caller_task(task)}`;
  return `owner word state "${wl.state}"; asked by ${asker}${wl.in_reclaim ? ' in reclaim (PF_MEMALLOC)' : ''}, ` +
    `other holder ${wl.holder_context === 'i915-worker' && wl.state.startsWith('other') ? describe_holder_context('i915-worker') : `"${wl.holder}"${wl.holder_context && wl.holder_context !== 'ioctl' && wl.state.startsWith('other') ? ` (${describe_holder_context(wl.holder_context)})` : ''}`}, waiter "${wl.waiter}"; lockdep ${wl.lockdep ? 'on' : 'off'}; ${wl.extra_tasks} other task(s) first` +
    (wl.boot_seed === undefined ? '' : `; boot seed ${wl.boot_seed}`) +
    (wl.nr_cpus && wl.nr_cpus !== 2 ? `; ${wl.nr_cpus} CPUs` : '') +
    (wl.first_pid && wl.first_pid !== 1 ? `; tasks numbered from pid ${wl.first_pid}` : '') +
    (wl.uptime_secs ? `; the machine up for ${wl.uptime_secs} s` : '') +
    (nr_waiters(wl) > 1 ? `; ${nr_waiters(wl) - 1} more waiter(s) queued behind "${wl.waiter}"` : '');
}

/** The waiters a workload queues: "waiter", then more_waiters more in the states 'caller+waiters' and 'other+waiters'. */
function nr_waiters(wl: owner_word_workload): number {
  return 1 + (wl.state === 'caller+waiters' || wl.state === 'other+waiters' ? (wl.more_waiters ?? 0) : 0);
}

/** What the answer must be: RECURSIVE to the owner, else mutex_trylock()'s answer (SUCCESS only if nobody owns it). */
export function expected_answer(state: owner_state): number {
  if (state.startsWith('caller')) return MUTEX_TRYLOCK_RECURSIVE;
  return state.startsWith('free') ? MUTEX_TRYLOCK_SUCCESS : MUTEX_TRYLOCK_FAILED;
}

/** What one call saw and did. */
export interface owner_word_outcome {
  /** The word the function was shown, and the flags in it. */
  word: number;
  answer: unknown;
  /** It returned a Promise (an async function: it may sleep, and callers do not await it). */
  returned_promise: boolean;
  /** The word right after the call. */
  word_after: number;
  /** Does the caller own the lock after the call, and does lockdep know it? */
  owned_after: boolean;
  lockdep_held_after: boolean;
  slept: number;
  /** The lock at the end of the run, when every task is done: 0 (free, nobody waiting). */
  word_at_end: number;
}

/** A small script shared by the tasks of one run (the model runs one task at a time). */
interface owner_script {
  waiter_go: boolean;
  holder_go: boolean;
  release: boolean;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await msleep(1);
  if (!cond()) throw new Error('check setup: a helper task never got where it should');
}

/**
 * steal_back_for_handoff - from the holder of @lock, with a waiter queued:
 * unlock (the waiter is woken but has not run), take the lock straight
 * back with a trylock, and sleep so the waiter runs, finds the lock taken
 * and sets HANDOFF (__mutex_lock_common, the first waiter after a wake-up).
 */
async function steal_back_for_handoff(lock: mutex): Promise<void> {
  mutex_unlock(lock);
  if (!mutex_trylock(lock)) throw new Error('check setup: could not take struct_mutex back');
  await msleep(2);
  if (!(atomic_long_read(lock.owner) & MUTEX_FLAG_HANDOFF)) throw new Error('check setup: the waiter did not ask for a handoff');
}

/**
 * run_owner_word - boot the small GEM machine, bring struct_mutex into
 * @wl.state with real tasks, and call @fn once from the asking task. Then
 * release what the caller holds and let every task finish.
 */
export async function run_owner_word(wl: owner_word_workload, fn: trylock_recursive_fn): Promise<once_result<owner_word_outcome>> {
  const script: owner_script = { waiter_go: false, holder_go: false, release: false };
  let w: gem_world_t | null = null;
  const lock = (): mutex => w!.i915.struct_mutex;
  const other_holds = wl.state.startsWith('other');
  return run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, ...(wl.boot_seed === undefined ? {} : { seed: wl.boot_seed }), ...(wl.nr_cpus === undefined ? {} : { nr_cpus: wl.nr_cpus }),
      ...(wl.first_pid === undefined ? {} : { first_pid: wl.first_pid }), ...(wl.uptime_secs === undefined ? {} : { uptime_secs: wl.uptime_secs }) },
    // The asking task: this one, a kernel thread or a kworker (run_as waits for it).
    (): Promise<owner_word_outcome> => run_as(wl.caller_task ?? 'user', wl.caller, async (): Promise<owner_word_outcome> => {
      const l = lock();
      const waiter_queued = (): boolean => l.wait_list.length >= nr_waiters(wl);
      if (other_holds) {
        script.holder_go = true;
        await until(() => mutex_is_locked(l));
        if (wl.state !== 'other') {
          script.waiter_go = true;
          await until(waiter_queued);
          if (wl.state === 'other+handoff') await until(() => (atomic_long_read(l.owner) & MUTEX_FLAG_HANDOFF) !== 0);
        }
      } else if (wl.state !== 'free') {
        await mutex_lock(l);
        if (wl.state !== 'caller') {
          script.waiter_go = true;
          await until(waiter_queued);
          if (wl.state === 'caller+handoff' || wl.state === 'handed-to-other') await steal_back_for_handoff(l);
          if (wl.state === 'handed-to-other' || wl.state === 'free+waiters') mutex_unlock(l); // no schedule point: the waiter has not run
        }
      }
      const word = atomic_long_read(l.owner);
      const pf = wl.in_reclaim ? memalloc_noreclaim_save() : 0;
      const m = await measure_call(async () => {
        const r = fn(l) as unknown;
        return r instanceof Promise ? { answer: (await r) as unknown, promise: true } : { answer: r, promise: false };
      });
      if (wl.in_reclaim) memalloc_noreclaim_restore(pf);
      const out: owner_word_outcome = {
        word,
        answer: m.value.answer,
        returned_promise: m.value.promise,
        word_after: atomic_long_read(l.owner),
        owned_after: __mutex_owner(l) === current,
        lockdep_held_after: wl.lockdep && lockdep_is_held(l),
        slept: m.slept,
        word_at_end: -1,
      };
      // Release what the caller holds: its own lock, or what the answer took.
      if (out.owned_after) mutex_unlock(l);
      script.release = true;
      await until(() => atomic_long_read(l.owner) === 0 && l.wait_list.length === 0);
      out.word_at_end = atomic_long_read(l.owner);
      return out;
    }),
    () => {
      w = gem_world({ release: '4.12' });
      for (let i = 0; i < wl.extra_tasks; i++) user_task(async () => {}, 'bash');
      if (other_holds) {
        spawn_struct_mutex_holder(wl.holder_context ?? 'ioctl', wl.holder, async (in_context) => {
          await until(() => script.holder_go);
          await mutex_lock(lock());
          if (wl.state === 'other+handoff') {
            await until(() => lock().wait_list.length > 0);
            await steal_back_for_handoff(lock());
          }
          await in_context(() => until(() => script.release)); // the holder's flags while the caller asks
          mutex_unlock(lock());
        });
      }
      for (let i = 0; i < nr_waiters(wl); i++) {
        user_task(async () => {
          await until(() => script.waiter_go || script.release);
          if (!script.waiter_go) return; // this state needs no waiter
          await mutex_lock(lock());
          mutex_unlock(lock());
        }, i === 0 ? wl.waiter : `glxgears-${i}`);
      }
    },
    wl.caller,
  );
}
