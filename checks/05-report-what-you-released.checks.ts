// The graded checks of exercise 05 (report what you released).
// Each check runs your i915_gem_shrinker_oom on the kernel model as
// out_of_memory() calls it, on generated machines (fixed seeds: the same
// workloads every run): who allocates (a user task, a kernel thread, a
// kworker) and what it holds, GFP_KERNEL and
// GFP_NOFS, swap on and off, every kind of GEM object busy on the GPU,
// lockdep on and off, v4.11 and v4.12, another OOM notifier before or after
// i915's. Every call is judged as it happens: what it added to the counter
// against the pages it really released (a spec computed from the objects),
// the lock left as found, and what the OOM killer did, compared with the
// reference solution.
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_once } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { explain_step_limit, OOM_PATH_RUN_MAX_STEPS, with_run_step_limit } from '../course/step_limit';
import { fc, for_each_workload, like_reference } from '../course/workload';
import { page_accounting } from '../course/invariants';
import type { drm_i915_private, i915_release } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_mark_active, i915_gem_object_set_madv } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrinker_unlock, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { model_watch_list_walks } from '../kernel/drivers/gpu/drm/i915/i915_gem_list_debug';
import { with_madvise_watch } from '../scenarios/userspace_madvise';
import { complete, completion_done, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { I915_MADV_DONTNEED, model_i915_objects } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { NOTIFY_DONE, NOTIFY_OK } from '../kernel/mm/oom_kill';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { log_records } from '../kernel/printk/printk';
import { current, msleep, signal_wake_up } from '../kernel/sched/core';
import { model_task_set } from '../kernel/sched/task_fields';
import { jiffies, msecs_to_jiffies } from '../kernel/time/timekeeping';
import { gem_world, warm_up_workqueues } from '../scenarios/i915_world';
import { arb_comm, arb_gem_objects, describe_objects, make_gem_objects, type gem_object_kind, type gem_object_spec } from '../scenarios/gem_workloads';
import { hold_struct_mutex, spawn_struct_mutex_waiter, type holder_state } from '../scenarios/lock_holder';
import { arb_caller_task, describe_caller_task, run_as, type caller_task } from '../scenarios/reclaim_context';
import {
  ALL_GEM_KINDS,
  arb_oom_workload,
  BYSTANDER_RSS,
  describe_oom_workload,
  describe_pin_race,
  judged_oom,
  pin_race_scenario,
  run_oom_workload,
  stops_chain,
  type notifier_call,
  type oom_fn,
  type oom_run,
  type oom_workload,
  type pin_race_workload,
} from '../scenarios/oom_notifier';
import { LATE_UPTIMES_SECS } from '../scenarios/uptime';
import { MANY_CPU_MACHINES } from '../scenarios/many_cpus';
import { arb_convoy, arb_machine, CONVOY_MAX, LARGEST_MACHINE } from '../scenarios/machine_ranges';
import golden from './05-report-what-you-released.golden';

/**
 * The learner's notifier, with every walk of i915's object lists checked
 * against struct_mutex's owner (v4.11: the lists are struct_mutex's alone;
 * a walk without it, e.g. the report's after the unlock, is a WARNING with
 * lockdep on or off: kernel/drivers/gpu/drm/i915/i915_gem_list_debug.ts),
 * and every buffer's madvise left as userspace set it (a needed buffer
 * marked DONTNEED so the purge truncates it instead of swapping it: red team
 * 13's purge_instead_of_swap, the same pages reported and the contents
 * destroyed; scenarios/userspace_madvise.ts).
 */
const oom_of = (impl: exercise_impl): oom_fn => {
  const oom = impl.i915_gem_shrinker_oom as oom_fn;
  return (i915, freed) => model_watch_list_walks(i915, () => with_madvise_watch(i915, 'i915_gem_shrinker_oom', () => oom(i915, freed)));
};
/** Reports no run may show (an OOM kill is judged on its own: sometimes it is the right outcome). */
const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'kasan', 'hung_task', 'forgotten_await', 'step_limit'] as const;

// ---------------------------------------------------------------------------
// One notifier call, judged by the kernel's rule.

/** What the call added to *freed must be exactly the pages it released; the chain must go on. */
function judge_call(c: notifier_call): string | null {
  const added = c.freed_after - c.freed_before;
  if (c.locks) return `${c.who}: ${c.locks}`;
  if (stops_chain(c.ret)) {
    return `${c.who} returned ${c.ret.toString(16)} (NOTIFY_STOP_MASK set): blocking_notifier_call_chain() stops there, and the OOM notifiers ` +
      'after i915\'s (a balloon driver that could give memory back) are never asked. Return NOTIFY_DONE.';
  }
  // include/linux/notifier.h: a notifier returns NOTIFY_* bits, never a count. A page count
  // stops the chain whenever bit 15 is set (NOTIFY_STOP_MASK, 0x8000: purges of 128-256 MiB).
  if (c.ret !== NOTIFY_DONE && c.ret !== NOTIFY_OK) {
    return `${c.who} returned ${c.ret}: a notifier returns NOTIFY_DONE or NOTIFY_OK (include/linux/notifier.h), not a number of pages. ` +
      'notifier_call_chain() reads the value as flags: any count with bit 15 set (32768 pages and more, 128 MiB) is NOTIFY_STOP_MASK and ' +
      'silences every OOM notifier after i915\'s. The pages go in *freed; return NOTIFY_DONE.';
  }
  if (c.freed_after < c.freed_before || (c.freed_before > 0 && c.freed_after === c.released && c.released !== added)) {
    return `${c.who} found ${c.freed_before} pages already in *freed (other notifiers ran first) and left ${c.freed_after}: ` +
      'the counter is shared by the whole chain. Add to it, never set it.';
  }
  if (c.released_busy > 0) {
    return `${c.who} released ${c.released_busy} pages of buffers the GPU was still using: pages under a running batch are memory ` +
      'corruption. i915_gem_shrinker_lock_uninterruptible() waits for the GPU to idle before I915_SHRINK_ACTIVE may take them.';
  }
  if (added === c.released) return null;
  if (added < c.released) {
    const to_lru = c.released - c.released_purgeable;
    const where = to_lru > 0
      ? ` (${c.released_purgeable} of purgeable buffers, truncated onto the free list; ${to_lru} of buffers still needed, handed back to the LRU as swap-backed shmem pages that reclaim writes to swap and frees next)`
      : ' (of purgeable buffers, truncated onto the free list)';
    const nested = c.lock === 'mine' ? ' unlock = false says who releases struct_mutex, not whether the pages count.' : '';
    const diagnosis =
      added === 0 ? ' It reported nothing.'
      : added === c.free_after - c.free_before ? ' That is how much the free lists grew: pages handed back to the LRU are not on them yet.'
      : added === c.released_purgeable ? ' That is the purgeable buffers alone.'
      : '';
    return `${c.who} released ${c.released} pages${where} but added ${added} to *freed.${diagnosis} out_of_memory() kills a task unless the ` +
      `notifiers report memory.${nested} Report every page i915_gem_shrink_all() released.`;
  }
  return `${c.who} released ${c.released} pages but added ${added} to *freed. out_of_memory() reads any positive count as "memory came back" ` +
    'and kills nobody: the allocation retries, reclaim finds nothing, and out_of_memory() is told the same story again, for ever. ' +
    'Report only what was released.';
}

/** CONFIG_HZ values a boot may have (boot param hz): 1000, the distributions' usual 250, and 100. */
const HZ_VALUES = [1000, 250, 100] as const;
const OOM_WAIT_BUDGET_MS = 5000;

/**
 * The notifier's wait, by rule, in the jiffies of the boot it ran on (@hz): v4.11 sets one deadline,
 * jiffies + msecs_to_jiffies_timeout(5000), before it waits for the GPU and retries struct_mutex a tick apart, so the
 * call lasts at most 5 s of that boot's jiffies, or as long as the GPU stays busy (that wait has no deadline), and a
 * tick or two past it. @busy_ms: how long the workload's batch ran.
 */
function judge_wait(c: notifier_call, hz: number, busy_ms: number): string | null {
  const budget = Math.ceil((OOM_WAIT_BUDGET_MS * hz) / 1000);
  const busy = Math.ceil((busy_ms * hz) / 1000);
  if (c.stalled_jiffies <= Math.max(budget, busy) + 2) return null;
  return `${c.who} waited ${c.stalled_jiffies} jiffies (${Math.round((c.stalled_jiffies * 1000) / hz)} ms at CONFIG_HZ=${hz}) inside out_of_memory(), holding oom_lock: ` +
    `v4.11 gives the GPU and struct_mutex one budget together, ${OOM_WAIT_BUDGET_MS} ms (${budget} jiffies at HZ=${hz}: i915_gem_shrinker_lock_uninterruptible(dev_priv, &slu, 5000) ` +
    'takes milliseconds and converts them with msecs_to_jiffies_timeout), and gives up when it runs out ("Unable to lock GPU to purge memory."). ' +
    'Every other task that runs out of memory waits behind oom_lock as long as the notifier does. A timeout converted twice, or jiffies ' +
    'taken for milliseconds, is right only at HZ=1000.';
}

function judge_run(result: run_result, value: oom_run | undefined, wl: oom_workload): string | null {
  const bad = first_report(result, BAD_KINDS);
  if (bad) return `${bad}${dmesg_tail(result)}`;
  if (!value) return `the check did not finish: ${result.stop}${dmesg_tail(result)}`;
  for (const c of value.calls) {
    const wrong = judge_call(c) ?? judge_wait(c, wl.hz ?? 1000, wl.busy_ms);
    if (wrong) return wrong;
  }
  if (!value.kept_lock) return `"${wl.comm}" held struct_mutex around its allocation and no longer held it afterwards: the notifier released the outer frame's lock (unlock was false).`;
  if (value.books) return value.books;
  if (value.got < value.wanted) return `"${wl.comm}" got ${value.got} of the ${value.wanted} pages it asked for.`;
  return null;
}

const calls_summary = (v: oom_run): string => {
  const calls = v.calls.map((c) => `notifier (lock ${c.lock}) released ${c.released}, added ${c.freed_after - c.freed_before}`);
  if (calls.length > 4) calls.splice(2, calls.length - 3, `… ${calls.length - 3} more calls …`);
  // A call your code left by an exception (or that was still running when the run ended) never came back to out_of_memory().
  const unfinished = v.entered - v.calls.length;
  if (unfinished > 0) calls.push(`${unfinished === 1 ? 'a call' : `${unfinished} calls`} that never returned`);
  return calls.join('; ') || 'the notifier was never called';
};

// ---------------------------------------------------------------------------
// Workloads.

const obj = (kind: gem_object_kind, pages: number): gem_object_spec => ({ kind, pages });
const W = (o: Partial<oom_workload>): oom_workload => ({
  objects: [obj('purgeable', 12)],
  busy_ms: 20,
  swap: false,
  lockdep: true,
  comm: 'i915_ioctl',
  other: 'Xorg',
  holder: 'none',
  gfp: 'GFP_KERNEL',
  beyond: 4,
  balloon: null,
  release: '4.12',
  ...o,
});

/**
 * The memory i915 gives back: at least one purgeable buffer of 8 to 16
 * pages (more than any allocation asks for beyond free memory), beside up
 * to five objects of any kind, all busy on the GPU when reclaim runs.
 */
const arb_gives_back = fc
  .tuple(arb_gem_objects(0, 5, 8, ALL_GEM_KINDS), fc.constantFrom<gem_object_kind>('purgeable', 'bound-active', 'bound-idle'), fc.integer({ min: 8, max: 16 }))
  .map(([rest, kind, pages]) => [...rest, obj(kind, pages)]);

/** Nothing the notifier can release: pinned, scanout, unpopulated, or needed buffers with no swap (swap is off in these). */
const arb_gives_nothing = arb_gem_objects(1, 5, 8, ['pinned', 'scanout', 'no-pages', 'needed', 'dirty-needed', 'bound-needed']);

const GIVES_BACK_EXAMPLES: oom_workload[] = [
  // The lesson's run: a GEM ioctl holding struct_mutex allocates while its purgeable buffers are busy on the GPU.
  W({ holder: 'caller' }),
  // Needed buffers handed to swap, from the lock holder with a handoff pending; lockdep off.
  W({ holder: 'caller-handoff', objects: [obj('needed', 12), obj('dirty-needed', 6), obj('purgeable', 8)], swap: true, lockdep: false, release: '4.11' }),
  // Holding nothing; another task holds the lock for 30 ms; GFP_NOFS.
  W({ comm: 'glxgears', holder: 'other-briefly', other: 'glxgears', gfp: 'GFP_NOFS', objects: [obj('bound-active', 10), obj('pinned', 4)] }),
  // A kworker (writeback, i915's own workers) and a kernel thread run into the OOM path too: out_of_memory() calls the
  // notifiers for them as for anyone, and since the OOM killer never picks a kernel thread, the kill lands on firefox.
  W({ comm: 'kworker/0:1', caller: 'kworker', holder: 'none', objects: [obj('bound-needed', 9), obj('bound-idle', 8)], swap: true, release: '4.11' }),
  W({ comm: 'jbd2/sda1-8', caller: 'kthread', objects: [obj('purgeable', 10), obj('bound-idle', 4)], lockdep: false }),
  // i915's own worker allocating under struct_mutex while a 300 ms batch runs: the notifier's wait is owed to it too.
  W({ comm: 'kworker/u4:2', caller: 'kworker', holder: 'caller', busy_ms: 300, objects: [obj('bound-active', 10), obj('purgeable', 6)], release: '4.11' }),
  // A long batch (800 ms, a compute job): the notifier waits for it (up to 5 s) rather than let a bystander die.
  W({ busy_ms: 800, comm: 'Xorg', objects: [obj('bound-active', 10), obj('purgeable', 4)] }),
  // The same on a machine up past ten minutes and past 2^32 jiffies (red team 10: a notifier that stopped waiting
  // for the GPU once the machine had been up a while passed every check, which all booted fresh).
  W({ holder: 'caller', uptime_secs: LATE_UPTIMES_SECS[0] }),
  W({ busy_ms: 800, comm: 'Xorg', objects: [obj('bound-active', 10), obj('purgeable', 4)], lockdep: false, uptime_secs: LATE_UPTIMES_SECS[1] }),
  // Another task holds struct_mutex for 800 ms (waiting for the GPU with the lock held): v4.11's notifier sets one
  // deadline, 5 s, and retries the lock a tick apart until it passes, whatever the GPU did. A shorter budget for the
  // lock is a shorter wait all the same (its GPU wait, i915_gem_wait_for_idle(dev_priv, 0), has no deadline at all,
  // so only a lock held by someone else shows the budget).
  W({ comm: 'Xorg', holder: 'other-briefly', other: 'glxgears', hold_ms: 800, objects: [obj('bound-active', 10), obj('purgeable', 4)] }),
  // The same owed to a kworker, and on a machine up past ten minutes (a budget keyed to the caller or the uptime).
  W({ comm: 'kworker/u4:2', caller: 'kworker', holder: 'other-briefly', other: 'i915_ioctl', hold_ms: 300, objects: [obj('bound-active', 10), obj('purgeable', 6)], release: '4.11' }),
  W({ comm: 'glxgears', holder: 'other-briefly', other: 'Xorg', hold_ms: 300, lockdep: false, uptime_secs: LATE_UPTIMES_SECS[0] }),
  // The same wait on 8-CPU machines, the allocating task on CPU 2 or up on one of them (red team 11: a notifier that
  // tried the lock once on CPUs 2 and up passed every check; every machine had 2 CPUs).
  ...MANY_CPU_MACHINES.map((machine) => W({ comm: 'Xorg', holder: 'other-briefly', other: 'glxgears', hold_ms: 600, objects: [obj('bound-idle', 10), obj('purgeable', 4)], machine })),
  // The allocating ioctl holds struct_mutex with a convoy of GEM clients queued behind it (red team 11: a notifier that
  // only purged when two or more tasks waited passed every check; every workload queued at most one): the last chance
  // before a kill is owed in full, however many wait. Nothing purgeable, so a purge alone gives back nothing.
  W({ comm: 'Xorg', holder: 'caller', convoy: 3, objects: [obj('bound-idle', 10), obj('needed', 6)], swap: true }),
  W({ comm: 'i915_ioctl', holder: 'caller', convoy: 2, objects: [obj('bound-active', 8), obj('purgeable', 2), obj('bound-idle', 6)], release: '4.11', lockdep: false }),
  // The top of every range (scenarios/machine_ranges.ts; the generated workloads draw from the whole of each): the
  // longest convoy drawn (64) on 512 CPUs with the top pids, 104 days up; another task's hold on the same machine.
  // A notifier keyed to "more than the largest tried" meets these.
  W({ comm: 'Xorg', holder: 'caller', convoy: CONVOY_MAX, objects: [obj('bound-idle', 10), obj('needed', 6)], swap: true, machine: { nr_cpus: LARGEST_MACHINE.nr_cpus, first_pid: LARGEST_MACHINE.first_pid }, uptime_secs: LARGEST_MACHINE.uptime_secs }),
  W({ comm: 'glxgears', holder: 'other-briefly', other: 'Xorg', hold_ms: 600, objects: [obj('bound-idle', 10), obj('purgeable', 4)], lockdep: false, machine: { nr_cpus: LARGEST_MACHINE.nr_cpus, first_pid: LARGEST_MACHINE.first_pid }, uptime_secs: LARGEST_MACHINE.uptime_secs }),
  // The 5 s budget at CONFIG_HZ=250 (what distributions build) and 100 (red team 12: msecs_to_jiffies(5000) passed to the
  // helper, which takes milliseconds, waits 1.25 s at HZ=250 and 0.5 s at HZ=100): another task holds the lock for
  // 4.8 s and 3 s, the GPU busy 4.9 s; each within the 5 s, each worth waiting for at any HZ.
  W({ comm: 'Xorg', holder: 'other-briefly', other: 'glxgears', hold_ms: 4800, objects: [obj('bound-idle', 10), obj('purgeable', 4)], hz: 250 }),
  W({ comm: 'kworker/u4:2', caller: 'kworker', holder: 'other-briefly', other: 'i915_ioctl', hold_ms: 3000, objects: [obj('bound-active', 8), obj('purgeable', 6)], release: '4.11', lockdep: false, hz: 100 }),
  W({ holder: 'caller', busy_ms: 4900, objects: [obj('bound-active', 10), obj('needed', 4)], swap: true, hz: 100 }),
];

/** The notifier called directly, as out_of_memory() calls it, after other notifiers added @earlier pages. */
interface direct_workload {
  objects: gem_object_spec[];
  busy_ms: number;
  swap: boolean;
  lockdep: boolean;
  comm: string;
  other: string;
  holder: 'none' | holder_state | 'other-briefly';
  /** How long the other task holds struct_mutex ('other-briefly'): anything under the notifier's 5 s is worth waiting for. */
  hold_ms: number;
  earlier: number;
  release: i915_release;
  /**
   * SIGKILL for the calling task this many ms into the call (another OOM victim selection, the user). v4.11 looks at
   * fatal_signal_pending() after each failed try of the lock: a wait for struct_mutex ends at the next tick. Its wait
   * for the GPU (i915_gem_wait_for_idle(dev_priv, 0)) is uninterruptible and does not end early.
   */
  sigkill_ms: number | null;
  /** A second OOM episode on the same machine, gap_ms later: the buffers still populated are made purgeable (I915_GEM_MADVISE) and new ones appear. */
  again: { gap_ms: number; objects: gem_object_spec[] } | null;
  /**
   * Buffers "other" populates while the notifier runs, as soon as the purge is done (page population takes
   * obj->mm.lock, not struct_mutex, since v4.10): v4.11's i915_gem_shrink_all() sleeps in synchronize_rcu()
   * after the purge, so the notifier's report finds them still releasable on the lists.
   */
  meanwhile: gem_object_spec[] | null;
  /**
   * What kind of task calls (scenarios/reclaim_context.ts run_as): a user task, a kernel thread or a kworker on
   * system_wq. A kernel thread ignores signals, so sigkill_ms is null unless the caller is a user task.
   */
  caller: caller_task;
  /** CONFIG_HZ (boot param hz: 250 or 100): the 5 s budget is 5 s of that boot's jiffies. Absent: 1000. */
  hz?: number;
  /**
   * The machine's memory in pages (boot param totalram_pages; absent: 256). out_of_memory() runs with a great deal free
   * on a big machine (a high-order allocation, lowmem_reserve, per-zone minimums of up to 64 MiB): the report is the same.
   */
  totalram_pages?: number;
}
const D = (o: Partial<direct_workload>): direct_workload => ({
  objects: [obj('purgeable', 12)],
  busy_ms: 5,
  swap: false,
  lockdep: true,
  comm: 'i915_ioctl',
  other: 'Xorg',
  holder: 'none',
  hold_ms: 30,
  earlier: 0,
  release: '4.12',
  sigkill_ms: null,
  again: null,
  meanwhile: null,
  caller: 'user',
  ...o,
});
/** A GPU batch or a lock hold anywhere under the notifier's 5 s (a 4K frame, a compute job, a GPU reset) is worth waiting for. */
const arb_wait_ms = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 150, max: 4900 }));
const DIRECT_EXAMPLES: direct_workload[] = [
  D({ objects: [obj('needed', 12), obj('purgeable', 6)], swap: true, comm: 'check' }),
  D({ holder: 'caller-waiters', lockdep: false, earlier: 3, release: '4.11' }),
  D({ objects: [obj('pinned', 5), obj('scanout', 3)], busy_ms: 0, swap: true, comm: 'Xorg', holder: 'caller' }),
  D({
    objects: Array.from({ length: 18 }, (_, i) => obj(ALL_GEM_KINDS[(i * 5) % ALL_GEM_KINDS.length]!, 1 + (i % 3))),
    busy_ms: 12,
    swap: true,
    comm: 'kworker/0:1',
    caller: 'kworker',
    other: 'i915_ioctl',
    holder: 'other-briefly',
    earlier: 2,
    release: '4.11',
  }),
  // A long batch (1.5 s) and a long lock hold (3 s): both within the notifier's 5 s.
  D({ busy_ms: 1500, holder: 'caller' }),
  // Only bound buffers still busy on the GPU: nothing is releasable until the batch ends, then all of it is.
  D({ objects: [obj('bound-active', 10), obj('pinned', 3)], busy_ms: 40, comm: 'Xorg' }),
  D({ comm: 'glxgears', holder: 'other-briefly', other: 'Xorg', hold_ms: 3000, lockdep: false, release: '4.11' }),
  // Just under the 5 s: any shorter budget gives up on these.
  D({ objects: [obj('bound-active', 6), obj('purgeable', 6)], busy_ms: 4900, comm: 'kworker/0:1', caller: 'kworker', swap: true }),
  // A kernel thread holding struct_mutex runs out of memory while a batch runs: everything releasable, reported.
  D({ objects: [obj('needed', 6), obj('purgeable', 5), obj('bound-active', 3)], busy_ms: 40, swap: true, comm: 'jbd2/sda1-8', caller: 'kthread', holder: 'caller', release: '4.11' }),
  D({ holder: 'other-briefly', other: 'i915_ioctl', hold_ms: 4800, busy_ms: 0, release: '4.11' }),
  // SIGKILL 20 ms into a 3 s wait for the GPU: v4.11's GPU wait is uninterruptible, so the reference sits it out, then purges and reports.
  D({ busy_ms: 3000, sigkill_ms: 20, holder: 'caller' }),
  // SIGKILL 20 ms into a 3 s wait for struct_mutex (the GPU idle): the reference leaves at the next tick (fatal_signal_pending after each try).
  D({ busy_ms: 0, sigkill_ms: 20, holder: 'other-briefly', other: 'Xorg', hold_ms: 3000, comm: 'glxgears' }),
  // Two OOM episodes 200 ms apart: in between userspace marks its buffers DONTNEED and a new purgeable buffer appears.
  D({ objects: [obj('purgeable', 6), obj('needed', 8)], again: { gap_ms: 200, objects: [obj('purgeable', 10)] } }),
  // Buffers userspace has just closed, on their way to the free worker (red team 12: count_the_free_road added
  // mm.free_count, objects on that road, to *freed). They are on the lists with their pages until the worker,
  // which needs struct_mutex, frees them: the purge releases what of them it can, and only that is reported.
  // The allocating task holds the lock (the worker cannot run: with the lock free it would free them during the call).
  D({ objects: [obj('needed', 6), obj('freed', 3), obj('freed', 2), obj('pinned', 4)], swap: true, holder: 'caller', busy_ms: 0 }),
  D({ objects: [obj('pinned', 6), obj('freed', 1), obj('freed', 1), obj('freed', 2)], comm: 'Xorg', busy_ms: 10, release: '4.11', holder: 'caller-waiters', lockdep: false }),
  // Small purges (1 to 3 pages) are exactly what an order-0 or order-1 allocation needs: report them all.
  D({ objects: [obj('purgeable', 2), obj('pinned', 4)] }),
  D({ objects: [obj('purgeable', 1)], comm: 'Xorg', holder: 'caller', busy_ms: 0 }),
  D({ objects: [obj('bound-idle', 3), obj('scanout', 2)], release: '4.11' }),
  // The first episode times out (struct_mutex held 5.6 s); the second, the lock free and the GPU busy 20 ms, waits for the GPU as any episode does.
  D({ holder: 'other-briefly', other: 'gpu_wait', hold_ms: 5600, busy_ms: 20, objects: [obj('purgeable', 6)], again: { gap_ms: 100, objects: [obj('purgeable', 8), obj('bound-idle', 4)] } }),
  // v4.11: while shrink_all waits for a grace period after the purge, Xorg populates buffers: the report finds them on the lists.
  D({ objects: [obj('purgeable', 8), obj('pinned', 3)], release: '4.11', meanwhile: [obj('bound-idle', 3), obj('purgeable', 5), obj('scanout', 2)] }),
  D({ objects: [obj('needed', 6), obj('purgeable', 4)], swap: true, release: '4.11', holder: 'caller', meanwhile: [obj('needed', 4), obj('bound-needed', 2)] }),
  // Nothing to purge, and a purgeable buffer appears on the unbound list alone during the grace period: both report lines, 0 pages freed.
  D({ objects: [obj('pinned', 4)], release: '4.11', meanwhile: [obj('purgeable', 3)] }),
  // The 5 s budget at CONFIG_HZ=250 and 100 (red team 12's timeout_in_jiffies_not_ms: right at HZ=1000 only): a hold of
  // 4.8 s is waited out and the purge reported; a hold of 5.6 s is not (gives up at 5 s, reports nothing), at either HZ.
  D({ comm: 'glxgears', holder: 'other-briefly', other: 'Xorg', hold_ms: 4800, busy_ms: 0, hz: 250 }),
  D({ objects: [obj('needed', 6), obj('purgeable', 5)], swap: true, holder: 'other-briefly', other: 'i915_ioctl', hold_ms: 2000, busy_ms: 30, hz: 100, release: '4.11', lockdep: false }),
  D({ holder: 'other-briefly', other: 'gpu_wait', hold_ms: 5600, busy_ms: 20, objects: [obj('purgeable', 6)], hz: 100 }),
  D({ objects: [obj('bound-active', 6), obj('purgeable', 6)], busy_ms: 4900, holder: 'caller', hz: 250 }),
  // Machines of 2, 16 and 64 GiB with most of it free when the notifier runs (red team 12's silent_when_plenty_free:
  // "64 MiB and more free means a high-order shortage: do not hold the OOM killer back" passed, every machine being
  // 256 pages). *freed is the pages released, whatever else is free: out_of_memory() decides, not the notifier.
  D({ objects: [obj('needed', 12), obj('purgeable', 6)], swap: true, totalram_pages: 2 ** 19, comm: 'Xorg' }),
  D({ objects: [obj('purgeable', 8), obj('bound-idle', 4)], holder: 'caller', totalram_pages: 2 ** 22, lockdep: false, release: '4.11' }),
  D({ objects: [obj('bound-active', 6), obj('purgeable', 10)], busy_ms: 300, holder: 'other-briefly', other: 'Xorg', hold_ms: 600, totalram_pages: 2 ** 24, comm: 'glxgears', hz: 250 }),
  // GEM populations past every size an answer could key on (red team 13's skip_stats_early_return: past 4 GiB released,
  // report and return before i915_gem_shrinker_unlock(), 'skip the log walk under oom_lock', passed every check, 05's
  // buffers being a few pages): one buffer of 2^21 pages (8 GiB, past 2^20 pages), 12 GiB releasable (past 2^32 bytes)
  // with the lock free (the notifier takes it and must give it back); and 4097 buffers (past 4096 objects) behind
  // 3 x 2 GiB with the lock held by the caller. Every lock taken is given back on every path, and *freed is every page.
  D({ objects: [obj('purgeable', 2 ** 21), obj('needed', 2 ** 19), obj('bound-idle', 2 ** 19), obj('pinned', 4)], swap: true, totalram_pages: 2 ** 24, comm: 'Xorg' }),
  D({ objects: [...Array.from({ length: 4097 }, () => obj('pinned', 1)), obj('purgeable', 2 ** 19), obj('purgeable', 2 ** 19), obj('bound-active', 2 ** 19)], busy_ms: 40, holder: 'caller', totalram_pages: 2 ** 22, lockdep: false, release: '4.11' }),
];
const arb_direct: fc.Arbitrary<direct_workload> = fc.record({
  objects: arb_gem_objects(1, 10, 10, ALL_GEM_KINDS),
  busy_ms: arb_wait_ms,
  swap: fc.boolean(),
  lockdep: fc.boolean(),
  comm: arb_comm,
  other: arb_comm,
  holder: fc.constantFrom<direct_workload['holder']>('none', 'caller', 'caller-waiters', 'caller-handoff', 'other-briefly'),
  hold_ms: arb_wait_ms,
  earlier: fc.integer({ min: 0, max: 5 }),
  release: fc.constantFrom<i915_release>('4.11', '4.12'),
  sigkill_ms: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null, freq: 3 }),
  again: fc.option(fc.record({ gap_ms: fc.integer({ min: 1, max: 900 }), objects: arb_gem_objects(0, 3, 10, ALL_GEM_KINDS) }), { nil: null, freq: 2 }),
  meanwhile: fc.option(arb_gem_objects(1, 4, 6, ALL_GEM_KINDS), { nil: null, freq: 2 }),
  caller: arb_caller_task,
  hz: fc.constantFrom(...HZ_VALUES),
  // 1 to 64 GiB (most of it free), or the 256-page machine.
  ram_log2: fc.option(fc.integer({ min: 18, max: 24 }), { nil: null, freq: 3 }),
}).map(({ hz, ram_log2, ...wl }) => ({
  ...(wl.caller === 'user' ? wl : { ...wl, sigkill_ms: null }),
  ...(hz !== 1000 ? { hz } : {}),
  ...(ram_log2 !== null ? { totalram_pages: 2 ** ram_log2 } : {}),
}));
function describe_direct(wl: direct_workload): string {
  const who = {
    none: `"${wl.comm}" (holding nothing)`,
    caller: `"${wl.comm}", holding struct_mutex,`,
    'caller-waiters': `"${wl.comm}", holding struct_mutex with "${wl.other}" queued (WAITERS),`,
    'caller-handoff': `"${wl.comm}", holding struct_mutex with "${wl.other}" queued first (WAITERS|HANDOFF),`,
    'other-briefly': `"${wl.comm}", while "${wl.other}" holds struct_mutex for ${wl.hold_ms} ms,`,
  }[wl.holder];
  const kill = wl.sigkill_ms === null ? '' : `; "${wl.comm}" gets SIGKILL ${wl.sigkill_ms} ms into the call`;
  const again = wl.again
    ? `; ${wl.again.gap_ms} ms later, with the remaining buffers marked DONTNEED and ${describe_objects(wl.again.objects)} added, it calls the notifier again (a second OOM episode)`
    : '';
  const meanwhile = wl.meanwhile ? `; "${wl.other}" populates ${describe_objects(wl.meanwhile)} as soon as the purge is done` : '';
  const hz = (wl.hz ? `; CONFIG_HZ=${wl.hz} (a jiffy is ${1000 / wl.hz} ms)` : '') +
    (wl.totalram_pages ? `; a machine of ${wl.totalram_pages * 4 >= 1 << 20 ? `${(wl.totalram_pages * 4) / (1 << 20)} GiB` : `${(wl.totalram_pages * 4) >> 10} MiB`}, most of it free` : '');
  return `${who}${describe_caller_task(wl.caller)} calls the OOM notifier after other notifiers reported ${wl.earlier} pages; ${describe_objects(wl.objects)}, busy on the GPU for ${wl.busy_ms} ms; ` +
    `swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}; the v${wl.release} shrinker${kill}${again}${meanwhile}${hz}`;
}

/** A notifier call and the lines the kernel log got while it ran ("<6>Purging GPU memory, ...": the loglevel, then the text). */
type reported_call = notifier_call & { printed: string[] };

/** judged_oom, with the log lines printed during the call. */
async function judged_oom_printing(oom: oom_fn, i915: drm_i915_private, freed: { value: number }): Promise<reported_call> {
  const from = log_records().length;
  const { call } = await judged_oom(oom, i915, freed);
  return { ...call, printed: log_records().slice(from).map((r) => `<${r.level}>${r.text}`) };
}

/**
 * What the notifier printed, against the reference's lines on the same
 * workload. v4.11's i915_gem_shrinker_oom() (drivers/gpu/drm/i915/
 * i915_gem_shrinker.c) fixes both the text and when each line appears:
 * pr_info "Purging GPU memory, %lu pages freed, %lu pages still pinned."
 * when it freed anything or left releasable pages (freed_pages || unbound ||
 * bound), then pr_err "%lu and %lu pages still available in the bound and
 * unbound GPU page lists." when it left releasable pages (unbound || bound).
 * Since the kernel fixes the two lines, they are compared line by line;
 * whoever reads an OOM report (dmesg, a bug report) reads these numbers.
 */
function same_report(which: string, ref: string[], got: string[]): string | null {
  if (ref.length === got.length && ref.every((l, i) => l === got[i])) return null;
  const show = (ls: string[]): string => (ls.length ? ls.map((l) => `      ${l}`).join('\n') : '      (nothing)');
  // When v4.11 prints a line of this shape, for the message.
  const when = (l: string): string =>
    l.includes('pages still available in the bound and unbound GPU page lists')
      ? 'the pr_err v4.11 prints whenever releasable pages are left on the lists after the purge (bound or unbound > 0)'
      : l.includes('Purging GPU memory')
        ? 'the pr_info v4.11 prints whenever the purge freed pages or left releasable ones (freed_pages || unbound || bound)'
        : 'a line v4.11\'s notifier never prints';
  const missing = ref.filter((l) => !got.includes(l)).map((l) => `\n    missing: ${l}  (${when(l)})`);
  const extra = got.filter((l) => !ref.includes(l)).map((l) => `\n    not v4.11's: ${l}  (${when(l)})`);
  const order = missing.length + extra.length === 0 ? '\n    the same lines in another order: v4.11 prints the pr_info line first, then the pr_err line.' : '';
  return `${which}the notifier's report in the kernel log is not v4.11's (i915_gem_shrinker_oom prints two lines, and the kernel fixes when each appears: ` +
    '"Purging GPU memory, N pages freed, M pages still pinned." at KERN_INFO when it freed anything or left releasable pages, then ' +
    '"B and U pages still available in the bound and unbound GPU page lists." at KERN_ERR when it left releasable pages).' +
    `${missing.join('')}${extra.join('')}${order}\n  v4.11 prints:\n${show(ref)}\n    this code printed:\n${show(got)}\n` +
    '  Whoever reads the OOM report reads these numbers: the pages freed, the pages still pinned (unreleasable), and the releasable pages left on each list.';
}

async function run_direct(oom: oom_fn, wl: direct_workload): Promise<{ result: run_result; value: { calls: reported_call[]; books: string | null } | undefined }> {
  const w = { i915: null as drm_i915_private | null, ready: false, calling: false, purged: init_completion('purge done') };
  return run_once(
    { nr_cpus: 2, totalram_pages: wl.totalram_pages ?? 256, swap_pages: wl.swap ? 96 : 0, lockdep: wl.lockdep, ...(wl.hz ? { hz: wl.hz } : {}) },
    async () => {
      const i915 = w.i915!;
      await warm_up_workqueues();
      const objs = await make_gem_objects(i915, wl.objects);
      const until = jiffies() + msecs_to_jiffies(wl.busy_ms); // busy_ms at any HZ
      for (const o of objs) if (o.mm.pages) i915_gem_object_mark_active(o, until);
      w.ready = true;
      const mine = wl.holder !== 'none' && wl.holder !== 'other-briefly';
      // The calling task: this user task, or a kernel thread / kworker named wl.comm, which takes the lock itself.
      const calls = await run_as(wl.caller, wl.comm, async () => {
        const me = current;
        if (mine) await hold_struct_mutex(i915, wl.holder as holder_state);
        else if (wl.holder === 'other-briefly') while (!mutex_is_locked(i915.struct_mutex)) await msleep(1);
        if (wl.sigkill_ms !== null) {
          // do_send_sig_info(SIGKILL), as oom_kill_process() sends it: a killable sleep ends at once.
          user_task(async () => {
            while (!w.calling) await msleep(1);
            await msleep(wl.sigkill_ms!);
            model_task_set(me, 'sigkill_pending', true);
            signal_wake_up(me);
          }, 'kill');
        }
        w.calling = true;
        const calls = [await judged_oom_printing(oom, i915, { value: wl.earlier })];
        if (!completion_done(w.purged)) complete(w.purged); // a notifier that never purged: "meanwhile" comes after it
        if (wl.again) {
          // The same machine, a second OOM episode: what is releasable now must be released and reported again.
          await msleep(wl.again.gap_ms);
          for (const o of model_i915_objects(i915)) if (o.mm.pages) i915_gem_object_set_madv(o, I915_MADV_DONTNEED);
          const fresh = await make_gem_objects(i915, wl.again.objects);
          const busy_until = jiffies() + msecs_to_jiffies(wl.busy_ms); // the new episode's buffers are busy on the GPU as the first one's were
          for (const o of fresh) if (o.mm.pages) i915_gem_object_mark_active(o, busy_until);
          calls.push(await judged_oom_printing(oom, i915, { value: 0 }));
        }
        if (mine && __mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
        return calls;
      });
      // Another task's hold ends within 6 s; a lock the notifier leaked never does (the calls' own judge names it).
      for (let ms = 0; mutex_is_locked(i915.struct_mutex) && ms < 10_000; ms++) await msleep(1);
      return { calls, books: page_accounting() };
    },
    () => {
      // The learner's notifier: the device must not carry the model's. i915_gem_shrink() ends with the shrinker
      // unlock: from then on the purge is done, and "meanwhile" may populate its buffers.
      const unlock: i915_shrinker_ops['unlock'] = async (i915, should_unlock) => {
        await i915_gem_shrinker_unlock(i915, should_unlock);
        if (!completion_done(w.purged)) complete(w.purged);
      };
      w.i915 = gem_world({ release: wl.release, shrinker_ops: { oom, ...(wl.meanwhile ? { unlock } : {}) } }).i915;
      if (wl.holder === 'caller-waiters' || wl.holder === 'caller-handoff') spawn_struct_mutex_waiter(() => w.i915!, wl.other);
      if (wl.meanwhile) {
        const more = wl.meanwhile;
        user_task(async () => {
          await wait_for_completion(w.purged);
          await make_gem_objects(w.i915!, more);
        }, wl.other);
      }
      if (wl.holder === 'other-briefly') {
        user_task(async () => {
          while (!w.ready) await msleep(1);
          await mutex_lock(w.i915!.struct_mutex);
          await msleep(wl.hold_ms);
          mutex_unlock(w.i915!.struct_mutex);
        }, wl.other);
      }
    },
    wl.comm,
  );
}

// ---------------------------------------------------------------------------
// A page user races the purge (explored): what came back is what
// i915_gem_shrink_all() returns, not what was releasable a moment before.

/**
 * A client's pread (i915_gem_object_pin_pages: obj->mm.lock, no struct_mutex)
 * starts or ends on the other CPU while the notifier purges. Buffers, lock
 * holder, swap, lockdep and release vary; the reader's buffer comes after a
 * buffer the purge releases first (so a schedule point of the purge precedes it).
 */
const PIN_RACES: ReadonlyArray<{ id: string; wl: pin_race_workload }> = [
  // A pread of a bound buffer (pinned: not releasable when the notifier took the lock) ends during the purge: more comes back.
  { id: 'ex05-pread-ends', wl: { objects: [obj('purgeable', 4), obj('needed', 6), obj('bound-idle', 3)], read: 2, when: 'ends', holder: 'none', swap: true, lockdep: true, release: '4.12', comm: 'i915_ioctl', other: 'Xorg' } },
  // A pread of a purgeable buffer starts during the purge: pinned before its pages are put, less comes back. Nested (unlock = false), lockdep off.
  { id: 'ex05-pread-starts-nested', wl: { objects: [obj('needed', 5), obj('bound-needed', 3), obj('purgeable', 4)], read: 2, when: 'starts', holder: 'caller', swap: true, lockdep: false, release: '4.11', comm: 'Xorg', other: 'Xorg' } },
  // The notifier waited 30 ms for another holder of struct_mutex; then a pread starts while it purges.
  { id: 'ex05-pread-starts-after-wait', wl: { objects: [obj('purgeable', 3), obj('bound-idle', 4)], read: 1, when: 'starts', holder: 'other-briefly', swap: false, lockdep: true, release: '4.12', comm: 'glxgears', other: 'gpu_wait' } },
  // The same wait, and a pread of an unbound purgeable buffer that ends during the purge (v4.11).
  { id: 'ex05-pread-ends-after-wait', wl: { objects: [obj('bound-idle', 2), obj('purgeable', 5)], read: 1, when: 'ends', holder: 'other-briefly', swap: false, lockdep: false, release: '4.11', comm: 'kworker/0:1', other: 'i915_ioctl' } },
];

/** Every notifier call of an explored run, judged as judge_call judges the direct calls. */
const judge_calls = (calls: notifier_call[]): string | null => {
  for (const c of calls) {
    const wrong = judge_call(c);
    if (wrong) return wrong;
  }
  return null;
};

/** The scenarios this suite explores, declared once by id (course/scenario_registry.ts): the checks and `shrinker-lab replay` build them from here. */
export const scenarios = declare_scenarios(
  '05-report-what-you-released',
  PIN_RACES.map(({ id, wl }) => ({
    id,
    title: describe_pin_race(wl),
    build: (impl: exercise_impl) => ({ scenario: with_run_step_limit(pin_race_scenario(id, oom_of(impl), wl, judge_calls), OOM_PATH_RUN_MAX_STEPS), options: { preemption_bound: 1 } }),
  })),
);

/**
 * What a reviewer says when a pin race's run never ends (its runs stop at
 * OOM_PATH_RUN_MAX_STEPS scheduler steps; the reference needs at most 58).
 */
const NOTIFIER_NEVER_RETURNED = 'the OOM notifier never returned. out_of_memory() calls it holding oom_lock, so every task that runs out of memory waits behind it. ' +
  'v4.11\'s notifier waits for the GPU, then retries struct_mutex a tick apart until one deadline (5 s from the start) has passed, and never for its caller: ' +
  'with the lock held by the caller itself, mutex_trylock_recursive() answers RECURSIVE at once (unlock = false), and the purge goes ahead under the caller\'s lock.';

/** The pin races, each under every schedule with at most one preemption (the client's pin or unpin at each schedule point of the purge). */
async function pin_races(impl: exercise_impl): Promise<check_outcome> {
  for (const { id, wl } of PIN_RACES) {
    const out = explain_step_limit(await explore_declared(scenarios, id, impl), NOTIFIER_NEVER_RETURNED);
    if (!out.ok) {
      return fail(`${out.message}\n  on the workload: ${describe_pin_race(wl)}.\n  Page users pin and unpin an object's pages under obj->mm.lock, without struct_mutex: ` +
        'what was releasable when the notifier took the lock is not what the purge gives back. Report what i915_gem_shrink_all() returned.');
    }
  }
  return pass();
}

// ---------------------------------------------------------------------------
// The checks.

/**
 * Who allocates, drawn for every generated OOM workload: a user task, a kernel thread or a kworker
 * (scenarios/reclaim_context.ts). The notifier owes each the same purge and the same report.
 * And on what machine, drawn from the whole range of each (scenarios/machine_ranges.ts): CPUs 2-512, pids
 * anywhere up to 4194303, up to 104 days up, and behind an allocating lock holder a convoy of up to 64 (red
 * team 11's keys, CPU 2+ and 2+ waiters, were closed with 8 CPUs and 3 waiters, and "one past" those passed).
 * And at what CONFIG_HZ (boot param hz: 1000, 250 or 100; red team 12's timeout_in_jiffies_not_ms passed
 * msecs_to_jiffies(5000) where the lock helper takes milliseconds, right only at HZ=1000, the one HZ every run had):
 * every rule (no kill while i915 gives memory back, one kill when nothing comes back, the 5 s budget) at each.
 */
const with_caller = (arb: fc.Arbitrary<oom_workload>): fc.Arbitrary<oom_workload> =>
  fc.tuple(arb, arb_caller_task, fc.option(arb_machine, { nil: null }), arb_convoy, fc.constantFrom(...HZ_VALUES)).map(([wl, caller, m, convoy, hz]) => ({
    ...wl,
    ...(caller === 'user' ? {} : { caller }),
    ...(m ? { machine: { nr_cpus: m.nr_cpus, first_pid: m.first_pid }, uptime_secs: m.uptime_secs } : {}),
    ...(wl.holder === 'caller' && convoy > 0 ? { convoy } : {}),
    ...(wl.hz === undefined && hz !== 1000 ? { hz } : {}),
  }));

/** oom_check - run OOM workloads and judge each run with @judge (after the common invariants); compare @aspect with the reference. */
function oom_check(
  opts: { arbitrary: fc.Arbitrary<oom_workload>; seed: number; runs: number; examples: oom_workload[]; max_steps?: number },
  judge: (v: oom_run, wl: oom_workload) => string | null,
  aspect: (v: oom_run) => unknown,
): (impl: exercise_impl, ctx: check_context) => Promise<check_outcome> {
  return (impl, ctx) =>
    for_each_workload({ arbitrary: with_caller(opts.arbitrary), seed: opts.seed, runs: opts.runs, examples: opts.examples, describe: describe_oom_workload }, async (wl) => {
      const { result, value, partial } = await run_oom_workload(oom_of(impl), wl, opts.max_steps);
      if (result.stop === 'step_limit' && partial.entered > partial.calls.length) {
        return fail(`the OOM notifier was called by "${wl.comm}" and never returned (${result.steps} scheduler steps): it waits for something ` +
          `that cannot come, such as struct_mutex held by its own caller. The notifier may wait, but only boundedly (5 s) and never for its caller.${dmesg_tail(result, 12)}`);
      }
      if (result.stop === 'step_limit') {
        return fail(`the allocation never ended (${result.steps} scheduler steps): out_of_memory() was told memory came back on every attempt ` +
          `and killed nobody, so the allocator retried for ever.\n  ${calls_summary(partial)}.${dmesg_tail(result, 8)}`);
      }
      const wrong = judge_run(result, value, wl) ?? judge(value!, wl);
      // A run that ended early (your code oopsed, or threw) has no value: what it did up to there is in partial.
      const seen = value ?? partial;
      if (wrong) return fail(`${wrong}\n  ${calls_summary(seen)}; OOM kills: ${seen.kills.join(', ') || 'none'}.${dmesg_tail(result, 8)}`);
      const differs = like_reference(ctx, wl, aspect(value!));
      if (differs) return fail(`the OOM path did not go as with the reference solution: ${differs}`);
      return pass();
    });
}

export default define_checks(refuse_kernel_object_state({
  exercise: '05-report-what-you-released',
  golden,
  exports: { i915_gem_shrinker_oom: 'async function i915_gem_shrinker_oom(i915, freed: { value: number }): Promise<number>' },
  checks: [
    {
      id: 'no-oom-kill-when-i915-gave-memory-back',
      name: 'nobody is OOM-killed when the notifier released enough pages, whoever allocates and whatever it holds (lockdep on and off, GFP_KERNEL and GFP_NOFS)',
      run: oom_check(
        {
          // GPU batches and another task's hold of struct_mutex, of a few ms and of seconds (any length under the notifier's 5 s).
          arbitrary: fc
            .tuple(
              arb_oom_workload(arb_gives_back, ['none', 'caller', 'caller-waiters', 'caller-handoff', 'other-briefly']),
              fc.option(fc.integer({ min: 150, max: 4900 }), { nil: null, freq: 3 }),
              fc.option(fc.integer({ min: 150, max: 4900 }), { nil: null, freq: 3 }),
            )
            .map(([wl, long_batch, long_hold]) => ({
              ...wl,
              busy_ms: long_batch ?? wl.busy_ms,
              balloon: null,
              ...(long_hold !== null && wl.holder === 'other-briefly' ? { hold_ms: long_hold } : {}),
            })),
          seed: 0x05a0,
          runs: GIVES_BACK_EXAMPLES.length + 5,
          examples: GIVES_BACK_EXAMPLES,
        },
        (v, wl) => {
          if (v.kills.length === 0) return null;
          const released = v.calls.reduce((n, c) => n + c.released, 0);
          const hz = wl.hz ?? 1000;
          const gave_up = v.calls.find((c) => c.released === 0 && c.lock === 'other');
          if (released === 0 && gave_up) {
            return `${v.kills.join(', ')}: the OOM killer killed a bystander because ${gave_up.who}, gave up after ${gave_up.stalled_jiffies} jiffies ` +
              `(${Math.round((gave_up.stalled_jiffies * 1000) / hz)} ms at CONFIG_HZ=${hz}) and released nothing, while "${wl.other}" held struct_mutex for ` +
              `${wl.hold_ms ?? 30} ms: within v4.11's 5 s, which is ${Math.ceil((OOM_WAIT_BUDGET_MS * hz) / 1000)} jiffies at HZ=${hz} ` +
              '(i915_gem_shrinker_lock_uninterruptible(dev_priv, &slu, 5000) takes milliseconds; a timeout in jiffies handed to it is right only at HZ=1000).';
          }
          return `${v.kills.join(', ')}: the OOM killer killed a bystander although i915's notifier had just released ${released} pages ` +
            `(it added ${v.calls.reduce((n, c) => n + c.freed_after - c.freed_before, 0)} to *freed).`;
        },
        (v) => ({ kills: v.kills, released: v.calls.reduce((n, c) => n + c.released, 0) }),
      ),
    },
    {
      id: 'reports-exactly-what-it-released',
      name: 'adds to *freed exactly the pages it released (to the free list or to swap), and prints i915\'s report of them, with the lock free, held by the caller, or held briefly by another task, and while a pread pins or unpins a buffer during the purge',
      run: async (impl, ctx) => {
        const direct = await for_each_workload({ arbitrary: arb_direct, seed: 0x05b0, runs: DIRECT_EXAMPLES.length + 3, examples: DIRECT_EXAMPLES, describe: describe_direct }, async (wl) => {
          const { result, value } = await run_direct(oom_of(impl), wl);
          const bad = first_report(result, [...BAD_KINDS, 'oom']);
          if (bad) return fail(`${bad}${dmesg_tail(result)}`);
          if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
          for (const c of value.calls) {
            const wrong = judge_call(c) ?? judge_wait(c, wl.hz ?? 1000, wl.busy_ms);
            if (wrong) return fail(value.calls.length > 1 && c === value.calls[1] ? `in the second OOM episode: ${wrong}` : wrong);
          }
          if (value.books) return fail(value.books);
          const observed = value.calls.map((c) => ({ released: c.released, added: c.freed_after - c.freed_before, stalled_jiffies: c.stalled_jiffies, printed: c.printed }));
          const differs = like_reference(ctx, wl, observed, (refs, gots) => {
            for (const [i, ref] of refs.entries()) {
              const got = gots[i]!;
              const which = refs.length > 1 ? (i === 0 ? 'in the first OOM episode, ' : 'in the second OOM episode (the first one\'s purge long done), ') : '';
              const killed = wl.sigkill_ms !== null && got.stalled_jiffies > ref.stalled_jiffies + 1
                ? ` "${wl.comm}" got SIGKILL ${wl.sigkill_ms} ms into the call, and the call went on for ${got.stalled_jiffies} jiffies where the reference ` +
                  `left after ${ref.stalled_jiffies}: v4.11 sleeps a killable tick between tries of the lock and looks at fatal_signal_pending() after each, so the ` +
                  'victim leaves at the next tick and can exit and free its memory; an msleep() poll sleeps TASK_UNINTERRUPTIBLE and holds oom_lock on, ' +
                  'with every other OOM path waiting behind it.'
                : '';
              if (ref.released !== got.released || ref.added !== got.added) {
                const gave_up = got.released === 0 && got.stalled_jiffies < ref.stalled_jiffies
                  ? ` It gave up after ${got.stalled_jiffies} jiffies; the reference waited ${ref.stalled_jiffies} for the GPU and the lock: ` +
                    'anything under the notifier\'s 5 s is worth waiting for, or the OOM killer kills a bystander for memory a moment away.'
                  : '';
                return `${which}the reference released ${ref.released} pages and added ${ref.added}; this code released ${got.released} and added ${got.added}.${gave_up}${killed}`;
              }
              // Waiting for the GPU to idle and for another holder is the notifier's job, but no longer than that (a tick of polling aside).
              if (got.stalled_jiffies > ref.stalled_jiffies + 1) {
                return `${which}the call took ${got.stalled_jiffies} jiffies where the reference, waiting for the GPU and the lock, took ${ref.stalled_jiffies}: ` +
                  `every task that reaches the OOM path waits as long as the notifier does.${killed}`;
              }
              const report = same_report(which, ref.printed, got.printed);
              if (report) return report;
            }
            return null;
          });
          if (differs) return fail(`the notifier did not do what the reference does: ${differs}`);
          return pass();
        });
        if (!direct.ok) return direct;
        const raced = await pin_races(impl);
        return raced.ok ? direct : raced;
      },
    },
    {
      id: 'lets-the-oom-killer-act-when-nothing-came-back',
      name: 'reports nothing when nothing could be released (all pinned, no swap, or the lock held past 5 s), so the OOM killer acts and the allocation ends',
      run: oom_check(
        {
          arbitrary: arb_oom_workload(arb_gives_nothing, ['none', 'caller', 'caller-waiters', 'other-briefly']).map((wl) => ({ ...wl, swap: false, balloon: null, gfp: 'GFP_KERNEL' as const })), // GFP_NOFS: out_of_memory() never kills for it, v4.11 retries for ever
          seed: 0x05c0,
          runs: 9,
          examples: [
            W({ objects: [obj('pinned', 10), obj('scanout', 6)] }),
            W({ holder: 'caller', objects: [obj('needed', 12)], lockdep: false, release: '4.11' }),
            W({ holder: 'other-long', objects: [obj('purgeable', 12)], comm: 'Xorg', other: 'gpu_wait' }),
            // The lock held 6 s at CONFIG_HZ=250 and 100: past the 5 s at any HZ (a budget of 5000 jiffies, or
            // jiffies_to_msecs(5000) milliseconds, is 20 s at HZ=250 and 50 s at HZ=100: the notifier outwaits the holder).
            W({ holder: 'other-long', objects: [obj('purgeable', 12)], comm: 'glxgears', other: 'Xorg', hz: 250, lockdep: false }),
            W({ holder: 'other-long', objects: [obj('bound-idle', 8), obj('purgeable', 4)], comm: 'kworker/0:1', caller: 'kworker', other: 'i915_ioctl', hz: 100, release: '4.11' }),
          ],
          max_steps: 60_000,
        },
        (v) => (v.kills.length === 1 ? null : `the OOM killer ${v.kills.length ? `killed ${v.kills.join(', ')}` : 'killed nobody'}; with nothing released, it must kill one task ("firefox", ${BYSTANDER_RSS} pages) for the allocation to go on.`),
        (v) => ({ kills: v.kills, got: v.got }),
      ),
    },
    {
      id: 'leaves-the-other-notifiers-their-say',
      name: 'adds to the count other OOM notifiers share and lets the chain go on (a balloon driver\'s notifier before or after i915\'s)',
      run: oom_check(
        {
          arbitrary: arb_oom_workload(fc.oneof(arb_gives_back, arb_gives_nothing), ['none', 'caller', 'caller-handoff']).map((wl) => ({
            ...wl,
            swap: false,
            gfp: 'GFP_KERNEL' as const,
            balloon: wl.balloon ?? { pages: 3, first: true },
          })),
          seed: 0x05d0,
          runs: 8,
          examples: [
            W({ objects: [obj('pinned', 8)], balloon: { pages: 6, first: true }, beyond: 3 }),
            W({ holder: 'caller', objects: [obj('pinned', 8)], balloon: { pages: 6, first: false }, beyond: 3, release: '4.11' }),
            W({ holder: 'caller-handoff', objects: [obj('purgeable', 10)], balloon: { pages: 4, first: false }, comm: 'Xorg' }),
          ],
        },
        (v, wl) => {
          if (v.calls.length > 0 && v.balloon_calls === 0) {
            return `the balloon driver's OOM notifier (called ${wl.balloon!.first ? 'before' : 'after'} i915's) was never called: i915's notifier stopped the chain.`;
          }
          for (const [i, c] of v.calls.entries()) {
            const total = v.chain_totals[i];
            if (total !== undefined && total < c.freed_after) return `out_of_memory() saw ${total} pages reported at the end of the chain, less than i915 alone left (${c.freed_after}).`;
          }
          return null;
        },
        (v) => ({ kills: v.kills, totals: v.chain_totals }),
      ),
    },
  ],
}));
