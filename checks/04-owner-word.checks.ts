// The graded checks of exercise 04 (read the owner word right).
// Each check runs your mutex_trylock_recursive on the kernel model: once
// inside the i915 shrinker under every schedule within the bound, on owner
// words crafted to carry each flag combination, and on owner words that
// real tasks bring about (generated with a fixed seed: who owns the lock,
// which flags its waiters set, task names, reclaim context, lockdep on and off).
import { define_checks, fail, pass, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_in_gem_world } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { explain_step_limit, OOM_PATH_RUN_MAX_STEPS, with_run_step_limit } from '../course/step_limit';
import { for_each_workload } from '../course/workload';
import { kthread_run } from '../kernel/kthread';
import { DECLARE_WORK, schedule_work } from '../kernel/workqueue';
import { atomic_long_read, atomic_long_set, model_other_cpu_at_atomic } from '../kernel/lib/atomic';
import { lockdep_is_held } from '../kernel/locking/lockdep';
import {
  __mutex_owner,
  MUTEX_FLAG_HANDOFF,
  MUTEX_FLAG_PICKUP,
  MUTEX_FLAG_WAITERS,
  mutex_lock,
  MUTEX_TRYLOCK_FAILED,
  MUTEX_TRYLOCK_RECURSIVE,
  MUTEX_TRYLOCK_SUCCESS,
  model_other_cpu_locks_mutex,
  mutex_unlock,
  type mutex,
} from '../kernel/locking/mutex';
import { current, msleep } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import {
  arb_owner_word_workload,
  describe_owner_word_workload,
  expected_answer,
  OWNER_STATES,
  run_owner_word,
  waiter_while_holder_allocates,
  type owner_word_workload,
  type trylock_recursive_fn,
} from '../scenarios/owner_word';
import { judge_stale_owner, STALE_OWNER_AT_OPS } from '../scenarios/stale_owner';
import { CONVOY_MAX, LARGEST_MACHINE, NR_CPUS_MAXSMP, TOP_FIRST_PID, UPTIME_MAX_SECS } from '../scenarios/machine_ranges';
import golden from './04-owner-word.golden';
import { model_describe_value } from '../kernel/model_value';

const fn_of = (impl: exercise_impl): trylock_recursive_fn => impl.mutex_trylock_recursive as trylock_recursive_fn;

const NAMES: Record<number, string> = { 0: 'MUTEX_TRYLOCK_FAILED', 1: 'MUTEX_TRYLOCK_SUCCESS', 2: 'MUTEX_TRYLOCK_RECURSIVE' };
function answer(r: unknown): string {
  // Anything but a Promise is described by its type (model_describe_value): String() would run a toString of the learner's.
  // (scenarios/owner_word.ts has already awaited a Promise the same way; a Proxy's getPrototypeOf trap that throws is caught.)
  if (is_promise(r)) return 'a Promise (mutex_trylock_recursive must not sleep: make it a plain function)';
  return typeof r === 'number' && Object.hasOwn(NAMES, r) ? `${NAMES[r]} (${r})` : model_describe_value(r);
}

function is_promise(r: unknown): boolean {
  try {
    return r instanceof Promise;
  } catch {
    return false;
  }
}

/**
 * Every combination of the three flag bits in the word of a locked mutex,
 * with how each comes about (the first five are the ones the v4.11 mutex
 * code leaves there).
 */
const FLAG_CASES: ReadonlyArray<[number, string]> = [
  [0, 'no flags: nobody waits'],
  [MUTEX_FLAG_WAITERS, 'WAITERS: another task is queued on the lock'],
  [MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF, 'WAITERS|HANDOFF: the first waiter was woken, found the lock taken, and asked for a handoff'],
  [MUTEX_FLAG_WAITERS | MUTEX_FLAG_PICKUP, 'WAITERS|PICKUP: the lock was handed to the owner named in the word, more waiters queued'],
  [MUTEX_FLAG_PICKUP, 'PICKUP: the lock was handed to the owner named in the word, nobody else waits'],
  // v4.11's paths do not leave these three behind, but __mutex_owner() masks every
  // flag bit all the same: the owner is defined by the mask, not by which bits one expects.
  [MUTEX_FLAG_HANDOFF, 'HANDOFF alone: a handoff was asked for and no waiter bit is left'],
  [MUTEX_FLAG_HANDOFF | MUTEX_FLAG_PICKUP, 'HANDOFF|PICKUP'],
  [MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF | MUTEX_FLAG_PICKUP, 'WAITERS|HANDOFF|PICKUP: every flag bit set'],
];

/**
 * The flag combinations the caller's OWN owner word can carry while the
 * caller runs: every case without PICKUP. "current | PICKUP" means the lock
 * was handed to current while it slept in mutex_lock(): v4.11's
 * __mutex_lock_common() picks the handoff up with preemption disabled,
 * before it tests for signals or returns (the trylock at the top of its
 * wait loop: "do a trylock before testing the error conditions to make sure
 * we pick up the handoff"), and a mutex is never taken from interrupt
 * context. No task can call mutex_trylock_recursive() while its own word
 * says PICKUP, so no answer is wrong there: an answer that tries
 * mutex_trylock() first (which would pick the handoff up) is as right as
 * v4.11's owner-first order. Another task's word with PICKUP is real (the
 * handed-to waiter has not run yet), and failed-for-other-owner keeps it.
 */
const OWNER_RUNNING_FLAG_CASES = FLAG_CASES.filter(([flags]) => !(flags & MUTEX_FLAG_PICKUP));

const hex = (x: number): string => '0x' + x.toString(16);

/** An answer that is a Promise (an async answer) is let run to its end, so it cannot crash the check later; it is judged as a Promise. */
async function settled(answer: unknown): Promise<void> {
  if (answer instanceof Promise) await answer.catch(() => undefined);
}

interface probe {
  flags: number;
  why: string;
  word: number;
  got: unknown;
  after: number;
}

/**
 * probe_words - with @lock's word set to base | flags for each case, call
 * @fn and record its answer and the word it left; restore the word after
 * each call (the crafted flags have no waiters behind them).
 */
async function probe_words(fn: trylock_recursive_fn, lock: mutex, base: number, cases: ReadonlyArray<[number, string]> = FLAG_CASES): Promise<probe[]> {
  const out: probe[] = [];
  for (const [flags, why] of cases) {
    const word = base | flags;
    atomic_long_set(lock.owner, word);
    let got: unknown;
    try {
      got = fn(lock);
      await settled(got);
    } finally {
      const after = atomic_long_read(lock.owner);
      atomic_long_set(lock.owner, base);
      out.push({ flags, why, word, got, after });
    }
  }
  return out;
}

/** The first problem among @probes, as a sentence, or null. */
function first_wrong(probes: probe[], want: number, who: string): string | null {
  for (const p of probes) {
    if (p.got !== want) {
      return `with ${who} owning struct_mutex and the owner word ${hex(p.word)} (${p.why}), ` +
        `mutex_trylock_recursive returned ${answer(p.got)}; it must return ${answer(want)}.`;
    }
    if (p.after !== p.word) {
      return `with the owner word ${hex(p.word)} (${p.why}), mutex_trylock_recursive changed the word to ${hex(p.after)}: ` +
        'a lock that is already owned must be left alone.';
    }
  }
  return null;
}

const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit'] as const;

function verdict(result: Parameters<typeof dmesg_tail>[0], problem: string | null | undefined, ok: string): check_outcome {
  if (problem === undefined) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
  if (problem) return fail(problem);
  const bad = first_report(result, [...BAD_KINDS]);
  if (bad) return fail(`the kernel complained: ${bad}${dmesg_tail(result)}`);
  return pass(ok);
}

/**
 * The decisive owner words: every state once, with the names a rule keyed
 * to a comm trips over (the holder called like the task that asks), in and
 * out of reclaim, lockdep off for half of them.
 */
const EVERY_STATE: owner_word_workload[] = OWNER_STATES.map((state, i) => ({
  state,
  caller: 'i915_ioctl',
  // Asked by a user process, a kworker (i915's retire worker takes struct_mutex and allocates under it) or a kernel thread.
  caller_task: (['user', 'kworker', 'kthread'] as const)[i % 3],
  holder: i % 3 === 0 ? 'i915_ioctl' : 'Xorg',
  waiter: i % 2 ? 'kswapd0' : 'i915_ioctl',
  in_reclaim: i % 2 === 0,
  lockdep: i % 2 === 1,
  extra_tasks: i % 3,
  boot_seed: 0x0400 + i, // task_structs elsewhere on every boot
}));

/**
 * Boots on which the slab put the holder's task_struct at an address that
 * shares bits with the caller's (found by trying boot seeds): on seed 147 the
 * holder's address has every bit of the caller's set (word & me === me), on
 * seed 205 the two lie a multiple of 64 KiB apart (same low 16 bits). Only
 * the whole address, flags masked off, says who owns the lock: any test on
 * part of it calls another task's lock RECURSIVE on some machine.
 */
const ADDRESS_COINCIDENCES: owner_word_workload[] = [147, 205].flatMap((boot_seed) =>
  (['other', 'other+waiters'] as const).map((state) => ({
    state,
    caller: 'i915_ioctl',
    holder: 'Xorg',
    waiter: 'kworker/0:1',
    in_reclaim: true,
    lockdep: false,
    extra_tasks: 0,
    boot_seed,
  })),
);

/**
 * Another task owns the lock and is itself in reclaim, is kswapd, or is
 * i915's free worker, while the caller asks from reclaim: two reclaimers are
 * two contexts, and a kworker's lock is not the caller's. RECURSIVE only when
 * the owner is current, whatever either task's flags.
 */
const HOLDER_CONTEXTS_IN_RECLAIM: owner_word_workload[] = [
  { state: 'other', caller: 'kswapd0', holder: 'i915_ioctl', waiter: 'Xorg', in_reclaim: true, holder_context: 'ioctl-in-reclaim', lockdep: false, extra_tasks: 0, boot_seed: 0x0471 },
  { state: 'other+waiters', caller: 'i915_ioctl', holder: 'kswapd0', waiter: 'Xorg', in_reclaim: true, holder_context: 'kswapd', lockdep: true, extra_tasks: 1, boot_seed: 0x0472 },
  { state: 'other', caller: 'i915_ioctl', holder: 'kworker/0:1', waiter: 'Xorg', in_reclaim: true, holder_context: 'i915-worker', lockdep: false, extra_tasks: 0, boot_seed: 0x0473 },
];

/**
 * Machines of 4 and 8 CPUs, the caller on CPU 2 and above (a task runs on
 * pid % nr_cpus; the extra tasks move it), and convoys of two and three
 * waiters on struct_mutex (Xorg and GL clients queue on a busy lock). Red
 * team 11's cpu-keyed-recursive (RECURSIVE only on CPUs 0 and 1) and
 * convoy-gives-up (FAILED to the owner once 2 or more wait) passed every
 * check, which booted 2 CPUs and queued one waiter.
 */
const MACHINES_AND_CONVOYS: owner_word_workload[] = [
  { state: 'caller', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'Xorg', in_reclaim: true, lockdep: false, extra_tasks: 0, nr_cpus: 4 },
  { state: 'caller', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'Xorg', in_reclaim: true, lockdep: true, extra_tasks: 1, nr_cpus: 4 },
  { state: 'caller+waiters', caller: 'Xorg', holder: 'Xorg', waiter: 'glxgears', in_reclaim: true, lockdep: false, extra_tasks: 2, nr_cpus: 8 },
  { state: 'caller+handoff', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'Xorg', in_reclaim: false, caller_task: 'kworker', lockdep: false, extra_tasks: 3, nr_cpus: 8 },
  { state: 'caller+waiters', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'Xorg', in_reclaim: true, lockdep: true, extra_tasks: 0, more_waiters: 1 },
  { state: 'caller+waiters', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'glxgears', in_reclaim: true, lockdep: false, extra_tasks: 1, more_waiters: 2, nr_cpus: 4 },
  { state: 'other+waiters', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'i915_ioctl', in_reclaim: true, lockdep: false, extra_tasks: 0, more_waiters: 2 },
];

/**
 * The top of every range (scenarios/machine_ranges.ts): an answer keyed to
 * "more than the largest we try" (4+ waiters after a close at 3, CPU 8+ after
 * a close at 8, pids past the last desktop's) meets the largest the kernel
 * allows: the longest convoy drawn, 512 and 8192 CPUs (NR_CPUS, MAXSMP), the
 * largest pids and the wrap past them, 104 days up. The generated workloads
 * draw each from the whole range.
 */
const TOP_OF_EVERY_RANGE: owner_word_workload[] = [
  { state: 'caller+waiters', caller: 'Xorg', holder: 'Xorg', waiter: 'glxgears', in_reclaim: true, lockdep: false, extra_tasks: 0, more_waiters: CONVOY_MAX, ...LARGEST_MACHINE },
  { state: 'caller+handoff', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'Xorg', in_reclaim: true, lockdep: true, extra_tasks: 3, nr_cpus: NR_CPUS_MAXSMP, first_pid: TOP_FIRST_PID, uptime_secs: UPTIME_MAX_SECS },
  { state: 'other+waiters', caller: 'i915_ioctl', holder: 'Xorg', waiter: 'glxgears', in_reclaim: true, lockdep: false, extra_tasks: 1, more_waiters: CONVOY_MAX, ...LARGEST_MACHINE },
];

/** What a reviewer says about one call on a real owner word, or null. */
async function judge_owner_word(fn: trylock_recursive_fn, wl: owner_word_workload): Promise<string | null> {
  const { result, value: o } = await run_owner_word(wl, fn);
  const bad = first_report(result, ['deadlock', 'lockdep', 'bug', 'warn', 'hung_task', 'forgotten_await', 'step_limit']);
  if (bad) return `the kernel complained: ${bad}${dmesg_tail(result, 12)}`;
  if (!o) return `the check did not finish: ${result.stop}${dmesg_tail(result)}`;
  const want = expected_answer(wl.state);
  const shown = `the owner word ${hex(o.word)} (${wl.state}: ${STATE_WORDS[wl.state]})`;
  if (o.returned_promise) return `mutex_trylock_recursive returned a Promise: it is called from reclaim and must answer at once, without sleeping (a plain function).`;
  if (o.slept > 0) return `with ${shown}, mutex_trylock_recursive slept ${o.slept} time(s): a trylock never waits, and its caller is in reclaim.`;
  if (o.answer !== want) {
    const not_mine = o.answer === MUTEX_TRYLOCK_RECURSIVE && wl.state.startsWith('other') ?
      ' RECURSIVE tells the shrinker its own outer frame holds the lock: it walks the lists and leaves the unlock to a frame that never locked. ' +
      'Only owner == current is recursion; what the owner is doing (an ioctl, direct reclaim, kswapd, a kworker) or whether the caller is in reclaim too does not make it the caller\'s.' : '';
    return `with ${shown}, mutex_trylock_recursive returned ${answer(o.answer)}; it must return ${answer(want)}.${not_mine}`;
  }
  if (want !== MUTEX_TRYLOCK_SUCCESS && o.word_after !== o.word) {
    return `with ${shown}, mutex_trylock_recursive changed the word to ${hex(o.word_after)}: a lock it does not take must be left alone ` +
      '(clearing WAITERS loses a wakeup, clearing HANDOFF or PICKUP breaks a handoff).';
  }
  if (want === MUTEX_TRYLOCK_SUCCESS) {
    if (!o.owned_after) return `with ${shown}, mutex_trylock_recursive returned SUCCESS, but the owner word does not name the caller: the lock was never taken.`;
    if (wl.lockdep && !o.lockdep_held_after) return 'mutex_trylock_recursive returned SUCCESS and the owner word names the caller, but lockdep does not know: take the lock with mutex_trylock(), not by writing the word.';
  }
  if (o.word_at_end !== 0) return `after every task was done, struct_mutex's owner word was ${hex(o.word_at_end)}, not 0: a waiter was left behind.`;
  return null;
}

/**
 * How many atomic ops on the owner word a trylock-recursive call makes
 * before the other CPU strikes, tried one by one: the reference makes three
 * (its READ_ONCE, mutex_trylock()'s read, its cmpxchg); an answer that
 * makes more is raced at each of its first few.
 */
const RACE_AT_OPS = [0, 1, 2, 3, 4, 5] as const;

/**
 * judge_trylock_race - struct_mutex is free when the caller asks; just
 * before the caller's @nth atomic op on the owner word, Xorg's task on
 * another CPU takes it (its fast-path cmpxchg). The answer must be what
 * mutex_trylock() decided: SUCCESS exactly when the caller holds the lock
 * afterwards, FAILED when Xorg got it, and Xorg's word left alone.
 */
async function judge_trylock_race(fn: trylock_recursive_fn, nth: number): Promise<check_outcome> {
  let xorg: task_struct | null = null;
  const { result, value } = await run_in_gem_world(
    { release: '4.12' },
    async (w) => {
      const lock = w.i915.struct_mutex;
      if (!xorg || atomic_long_read(lock.owner) !== 0) return 'check setup: struct_mutex should be free and Xorg running';
      const race_state = model_other_cpu_locks_mutex(lock, xorg, nth);
      let got: unknown;
      try {
        got = fn(lock);
      } finally {
        model_other_cpu_at_atomic(null);
      }
      await settled(got);
      const owner = __mutex_owner(lock);
      const raced = race_state.took;
      const race = `struct_mutex was free when mutex_trylock_recursive was called; Xorg, running on another CPU, ` +
        (raced ? `took it just before the call's atomic op #${nth} on the owner word (after a READ_ONCE that saw it free, before mutex_trylock()'s cmpxchg: SMP)` : `did not take it (the call made fewer than ${nth + 1} atomic ops on the owner word, or had taken it already)`);
      if (owner === current) {
        mutex_unlock(lock);
        if (got !== MUTEX_TRYLOCK_SUCCESS) return `${race}; the caller now holds struct_mutex, but mutex_trylock_recursive returned ${answer(got)}: it must return ${answer(MUTEX_TRYLOCK_SUCCESS)} (the shrinker never unlocks what it was told it does not hold).`;
        return null;
      }
      if (raced) {
        const left_alone = owner === xorg;
        atomic_long_set(lock.owner, 0); // Xorg's CPU is done with it (the model's Xorg never runs a critical section)
        if (!left_alone) return `${race}; after the call the owner word was no longer Xorg's: a lock another task took must be left alone.`;
      }
      if (got === MUTEX_TRYLOCK_SUCCESS) {
        return `${race}; mutex_trylock() failed, and mutex_trylock_recursive returned ${answer(got)} for a lock it does not hold: the shrinker would walk ` +
          `i915's lists while ${raced ? 'Xorg' : 'nobody'} owns struct_mutex, then mutex_unlock() a mutex it never took ` +
          '(DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)). Return what mutex_trylock() answered, not what the word said a moment before.';
      }
      if (!raced) return `${race}; nobody took struct_mutex, and mutex_trylock_recursive returned ${answer(got)} without taking it: it must take the free lock with mutex_trylock() and return ${answer(MUTEX_TRYLOCK_SUCCESS)}.`;
      if (got !== MUTEX_TRYLOCK_FAILED) return `${race}; mutex_trylock_recursive returned ${answer(got)}; with another task owning struct_mutex it must return ${answer(MUTEX_TRYLOCK_FAILED)}.`;
      return null;
    },
    () => {
      xorg = kthread_run(async () => {
        await msleep(1000); // its ioctl runs on the other CPU; in the model it only owns the word
      }, 'Xorg');
    },
  );
  return verdict(result, value, `what mutex_trylock() decided, with another CPU taking struct_mutex at op #${nth}`);
}

/**
 * failed_for_other_owner - i915's retire worker (a task of @owner_kind:
 * a kworker running the work item, as in v4.11, or a kernel thread) takes
 * struct_mutex and asks first, from its own allocation's reclaim: it owns
 * the lock, so RECURSIVE. The same owner word is then shown to another
 * task, with every flag combination: FAILED, word untouched.
 */
async function failed_for_other_owner(fn: trylock_recursive_fn, owner_kind: 'kworker' | 'kthread'): Promise<check_outcome> {
  const owner_asked = { answer: undefined as unknown };
  const { result, value } = await run_in_gem_world(
    { release: '4.12' },
    async (w) => {
      if (owner_kind === 'kworker') await msleep(2); // the work item is picked up and takes the lock first
      await msleep(1); // the other task takes the lock first
      const lock = w.i915.struct_mutex;
      const owner = __mutex_owner(lock);
      if (!owner || owner === current) return 'check setup: the other task should own struct_mutex by now';
      if (owner_asked.answer !== MUTEX_TRYLOCK_RECURSIVE) {
        return `the task that owns struct_mutex (${owner.comm}, ${owner_kind === 'kworker' ? 'a kworker running i915\'s retire work item: PF_WQ_WORKER' : 'a kernel thread: PF_KTHREAD'}) ` +
          `asked first and got ${answer(owner_asked.answer)}; it must get ${answer(MUTEX_TRYLOCK_RECURSIVE)}. It owns the lock: owner == current is recursion ` +
          'whatever kind of task current is, and i915\'s workers take struct_mutex and allocate under it like any ioctl.';
      }
      const probes = await probe_words(fn, lock, atomic_long_read(lock.owner));
      return first_wrong(probes, MUTEX_TRYLOCK_FAILED, `another task (${owner.comm}, which had just asked itself: an answer remembered from its call is not this task's)`);
    },
    (w) => {
      const retire = async (): Promise<void> => {
        await mutex_lock(w.i915.struct_mutex);
        // The owner asks first (its own allocation's reclaim): the same owner word is then shown to another task.
        owner_asked.answer = fn(w.i915.struct_mutex);
        await settled(owner_asked.answer);
        await msleep(100); // e.g. waiting for the GPU with the lock held
        mutex_unlock(w.i915.struct_mutex);
      };
      if (owner_kind === 'kworker') schedule_work(DECLARE_WORK(retire, 'i915_gem_retire_work_handler', { module: 'i915' }));
      else kthread_run(retire, 'i915_retire');
    },
  );
  return verdict(result, value, 'FAILED for every flag combination, word untouched');
}

/** How each owner-word state comes about, for failure messages. */
const STATE_WORDS: Record<(typeof OWNER_STATES)[number], string> = {
  'caller': 'the task that asks holds struct_mutex, nobody waits',
  'caller+waiters': 'the task that asks holds it and another task sleeps in mutex_lock (WAITERS)',
  'caller+handoff': 'the task that asks holds it; its first waiter woke, found it taken and asked for a handoff (WAITERS|HANDOFF)',
  'other': 'another task holds struct_mutex',
  'other+waiters': 'another task holds it and a third sleeps in mutex_lock (WAITERS)',
  'other+handoff': 'another task holds it and its first waiter asked for a handoff (WAITERS|HANDOFF)',
  'handed-to-other': 'the lock was just handed to a waiter that has not run yet (WAITERS|PICKUP)',
  'free': 'nobody holds it',
  'free+waiters': 'nobody holds it; a woken waiter has not run yet (WAITERS alone): a trylock may take it',
};

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('04-owner-word', [
  {
    id: 'ex04-waiter-queued',
    title: 'a waiter queues on struct_mutex while its holder allocates under pressure: the owner word carries flag bits',
    // Each run stops at OOM_PATH_RUN_MAX_STEPS: the reference needs 160 steps, the starter 5240 to reach the OOM kill (the notifier's 5 s of retries).
    build: (impl) => ({ scenario: with_run_step_limit(waiter_while_holder_allocates('ex04-waiter-queued', fn_of(impl)), OOM_PATH_RUN_MAX_STEPS) }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '04-owner-word',
  golden,
  exports: { mutex_trylock_recursive: 'function mutex_trylock_recursive(lock: mutex): number' },
  checks: [
    {
      id: 'answers-on-every-owner-word',
      name: 'on every owner word real tasks produce (caller, another task or nobody owning it; WAITERS, HANDOFF, PICKUP), answers as __mutex_owner() and mutex_trylock() decide, whatever the tasks are called, in reclaim or not, lockdep on or off',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_owner_word_workload,
            seed: 0x0440,
            runs: EVERY_STATE.length + ADDRESS_COINCIDENCES.length + HOLDER_CONTEXTS_IN_RECLAIM.length + MACHINES_AND_CONVOYS.length + TOP_OF_EVERY_RANGE.length + 8, // the examples, then 8 generated
            examples: [...EVERY_STATE, ...ADDRESS_COINCIDENCES, ...HOLDER_CONTEXTS_IN_RECLAIM, ...MACHINES_AND_CONVOYS, ...TOP_OF_EVERY_RANGE],
            describe: describe_owner_word_workload,
          },
          async (wl) => {
            const problem = await judge_owner_word(fn_of(impl), wl);
            return problem ? fail(problem) : pass();
          },
        ),
    },
    {
      id: 'no-oom-when-waiter-queued',
      name: 'never reaches the OOM killer when another task waits for struct_mutex while its holder allocates',
      run: async (impl) =>
        explain_step_limit(
          await explore_declared(scenarios, 'ex04-waiter-queued', impl),
          'the GEM ioctl\'s allocation never ended: with Xorg queued on struct_mutex, its reclaim, kswapd and the OOM path went on without a verdict. ' +
            'mutex_trylock_recursive() must answer at once, from the owner word alone: RECURSIVE to the task __mutex_owner() names, whatever flag bits ride along.',
        ),
    },
    {
      id: 'recursive-whatever-flags',
      name: 'returns RECURSIVE to the owner whatever flag bits its owner word carries while it runs (WAITERS, HANDOFF), and leaves the word alone',
      async run(impl) {
        const fn = fn_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const lock = w.i915.struct_mutex;
          await mutex_lock(lock); // as the GEM ioctl does before it allocates
          const probes = await probe_words(fn, lock, atomic_long_read(lock.owner), OWNER_RUNNING_FLAG_CASES);
          mutex_unlock(lock);
          return first_wrong(probes, MUTEX_TRYLOCK_RECURSIVE, `the calling task (${current.comm})`);
        });
        return verdict(result, value, `RECURSIVE for every flag combination the owner's word carries while it runs (${OWNER_RUNNING_FLAG_CASES.map(([f]) => hex(f)).join(', ')})`);
      },
    },
    {
      id: 'failed-for-other-owner',
      name: 'returns FAILED, and takes nothing, while another task owns struct_mutex, whatever the flag bits, also right after the owner asked',
      async run(impl) {
        // The owner is i915's retire worker: a work item run by a kworker (v4.11 i915_gem_retire_work_handler), or a kernel thread.
        for (const owner_kind of ['kworker', 'kthread'] as const) {
          const outcome = await failed_for_other_owner(fn_of(impl), owner_kind);
          if (!outcome.ok) return outcome;
        }
        return pass('RECURSIVE for the owner (a kworker, a kernel thread), FAILED for every flag combination to the next task, word untouched');
      },
    },
    {
      id: 'answers-what-trylock-decided',
      name: 'when another CPU takes a free struct_mutex between the owner-word read and mutex_trylock(), returns what mutex_trylock() decided: never SUCCESS for a lock it does not hold',
      async run(impl) {
        const fn = fn_of(impl);
        for (const nth of RACE_AT_OPS) {
          const outcome = await judge_trylock_race(fn, nth);
          if (!outcome.ok) return outcome;
        }
        return pass(`with Xorg taking struct_mutex at each of the call's atomic ops ${RACE_AT_OPS.join(', ')} on the owner word, every answer matched who held the lock`);
      },
    },
    {
      id: 'never-reads-a-stale-owner',
      name: 'never reads the owner\'s task_struct through the pointer in the owner word: the owner may unlock, exit and be freed between that read and its use (SMP, CONFIG_PREEMPT)',
      async run(impl) {
        const fn = fn_of(impl);
        for (const nth of STALE_OWNER_AT_OPS) {
          const problem = await judge_stale_owner((w) => fn(w.i915.struct_mutex), 'mutex_trylock_recursive', nth);
          if (problem) return fail(problem);
        }
        return pass(`with the owner exiting and its task_struct freed after each of the call's atomic ops ${STALE_OWNER_AT_OPS.join(', ')} on the owner word, nothing read it`);
      },
    },
    {
      id: 'success-takes-lock',
      name: 'returns SUCCESS only by taking a free struct_mutex with mutex_trylock (owner word and lockdep agree)',
      async run(impl) {
        const fn = fn_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const lock = w.i915.struct_mutex;
          const got: unknown = fn(lock);
          await settled(got);
          const owned = __mutex_owner(lock) === current;
          const held = lockdep_is_held(lock);
          if (owned) mutex_unlock(lock);
          if (got !== MUTEX_TRYLOCK_SUCCESS) return `with struct_mutex free, mutex_trylock_recursive returned ${answer(got)}; it must take the lock and return ${answer(MUTEX_TRYLOCK_SUCCESS)}.`;
          if (!owned) return 'mutex_trylock_recursive returned SUCCESS, but the owner word does not name the caller: the lock was never taken, and the caller will unlock a mutex it does not hold.';
          if (!held) return 'mutex_trylock_recursive returned SUCCESS and the owner word names the caller, but lockdep does not know: take the lock with mutex_trylock(), not by writing the word.';
          return null;
        });
        return verdict(result, value, 'took the free lock and said SUCCESS');
      },
    },
  ],
}));
