// The graded checks of exercise 08 (never wait for a workqueue from reclaim).
// Each check plugs your i915_gem_shrinker_unlock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it after the v4.11
// i915_gem_shrinker_lock), with the v4.12 shrinker (no RCU waits of its own),
// and runs generated workloads (scenarios/reclaim_meets_free_path.ts): every
// path into the shrinker, the free worker idle, about to be queued, queued
// behind another driver's work or blocked on struct_mutex, kworkers that can
// or cannot be created, swap on and off, lockdep on and off, any task name.
// Every call of your unlock is measured with the scheduler's own counters
// (did the calling task sleep?) and the lock's owner word (not lockdep).
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_in_gem_world } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { measure_call, page_accounting } from '../course/invariants';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { scenario } from '../explorer/scenario';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { __mutex_owner, mutex_lock, mutex_trylock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_NOWAIT, __GFP_NOWARN } from '../kernel/mm/gfp';
import { __free_page, zone_info, type page } from '../kernel/mm/page_alloc';
import { failslab_set } from '../kernel/mm/slab';
import { rcu_barrier } from '../kernel/rcu/update';
import { current, msleep } from '../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC, PF_WQ_WORKER } from '../kernel/sched/task';
import { arb_caller_task, describe_caller_task, run_as, type caller_task } from '../scenarios/reclaim_context';
import { arb_comm, make_gem_objects } from '../scenarios/gem_workloads';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS } from '../scenarios/i915_world';
import { describe_machine, MANY_CPU_MACHINES, type many_cpu_machine } from '../scenarios/many_cpus';
import { arb_machine, describe_machine_range, LARGEST_MACHINE, type machine } from '../scenarios/machine_ranges';
import { start_kernel } from '../kernel/init/main';
import {
  arb_unlock_workload,
  describe_unlock_workload,
  RECURSIVE_PATHS,
  run_unlock_workload,
  SUCCESS_PATHS,
  type unlock_call,
  type unlock_path,
  type unlock_workload,
} from '../scenarios/reclaim_meets_free_path';
import { sleeping_lock_in_reclaim } from '../scenarios/inline_free_work';
import golden from './08-never-flush-from-reclaim.golden';

type unlock_fn = i915_shrinker_ops['unlock'];
const unlock_of = (impl: exercise_impl): unlock_fn => impl.i915_gem_shrinker_unlock as unlock_fn;

/** Pages the ioctl allocates: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;


/**
 * free_then_allocate - the shape of scenarios/thread.ts flush_from_reclaim,
 * with your unlock. The ioctl drops a buffer under struct_mutex and waits
 * until its RCU callback has queued the free work (the free worker starts
 * and blocks on struct_mutex), unlocks, and allocates under pressure: direct
 * reclaim (PF_MEMALLOC) takes struct_mutex in the shrinker (SUCCESS) and
 * calls your unlock while the free work is queued or running.
 * @no_new_kworkers: kworker allocations fail, as they may under this very
 * memory pressure (the failslab of scenarios/thread.ts rcu_hang), and the
 * hung-task detector panics.
 */
function free_then_allocate(unlock: unlock_fn, no_new_kworkers: boolean): scenario {
  const seen = { done: false };
  return {
    id: no_new_kworkers ? 'ex08-no-new-kworkers' : 'ex08-flush-from-reclaim',
    // A run of this workload takes well under a thousand steps; a reclaim that
    // polls for ever is stopped after 20000 (the default limit is 200000).
    params: { ...WORLD_PARAMS, ...(no_new_kworkers ? { hung_task_panic: true, max_steps: 20_000 } : {}) },
    setup() {
      seen.done = false;
      const w = gem_world({ release: '4.12', shrinker_ops: { unlock } });
      if (no_new_kworkers) failslab_set(() => (current.flags & PF_WQ_WORKER) !== 0);
      user_task(async () => {
        if (!no_new_kworkers) await warm_up_workqueues();
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        const last = w.cache.pop();
        if (last) i915_gem_object_put(last);
        await rcu_barrier();
        mutex_unlock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        await allocate_pages(10);
        seen.done = true;
      }, 'i915_ioctl');
    },
    check: () => (seen.done ? null : 'the ioctl never got back from its allocations: reclaim is still waiting in the shrinker.'),
  };
}

/**
 * The machines of thread_case_on_many_cpus: the two 8-CPU machines of
 * scenarios/many_cpus.ts (every task on CPU 2 or up on one of them), the
 * largest of scenarios/machine_ranges.ts (512 CPUs, the top pids, so the
 * ioctl runs on a CPU past 255, up 104 days) and two drawn from the whole
 * range (fixed seed): a flush kept for CPUs 8 and up met no machine before.
 */
const MACHINES: readonly (many_cpu_machine | machine)[] = [...MANY_CPU_MACHINES, LARGEST_MACHINE, ...fc.sample(arb_machine, { seed: 0x080b, numRuns: 2 })];
const describe_any_machine = (m: many_cpu_machine | machine): string => ('uptime_secs' in m ? describe_machine_range(m) : describe_machine(m));

/**
 * thread_case_on_many_cpus - the thread's case when no new kworker can be
 * created, run once as the kernel schedules it on each machine of MACHINES,
 * so that the ioctl's reclaim runs on a CPU past the first two (red team 11:
 * a flush kept for CPUs 2 and up passed all; every machine had 2 CPUs), and
 * past the first eight. What may be waited for from reclaim does not change
 * with the CPU.
 */
async function thread_case_on_many_cpus(impl: exercise_impl): Promise<check_outcome> {
  for (const m of MACHINES) {
    const sc = free_then_allocate(unlock_of(impl), true);
    const result = await start_kernel({ ...sc.params, ...m }, () => sc.setup());
    const where = `\n  on the thread's case (objects freed under struct_mutex, then the ioctl allocates and reclaim calls your unlock; no new kworker can be created)${describe_any_machine(m)}.`;
    const bad = first_report(result, WORKLOAD_BAD_KINDS);
    if (bad) return fail(`${bad}${where}\n  A shrinker runs inside reclaim on whatever CPU the task is on: it must not flush a !WQ_MEM_RECLAIM workqueue there either.${dmesg_tail(result)}`);
    const stuck = sc.check?.(result);
    if (stuck) return fail(`${stuck}${where}${dmesg_tail(result)}`);
  }
  return pass();
}

/** Reports that fail any workload: the WARNING check_flush_dependency() prints, lockdep, a hang, an OOM kill. */
const WORKLOAD_BAD_KINDS = ['warn', 'lockdep', 'bug', 'deadlock', 'hung_task', 'kasan', 'forgotten_await', 'step_limit', 'oom'] as const;

/** Re-runs shrinking may spend: a failing workload may run to the hung-task detector, so keep it small. */
const SHRINK_RERUNS = 10;

type unlock_run_result = Awaited<ReturnType<typeof run_unlock_workload>>;

/**
 * judge_run - what every workload must leave behind, whatever the path: no
 * report, the task got back from its path, the objects released before it
 * are freed by a drain in process context (the unlock did not throw their
 * free away), nobody holds struct_mutex, the page books balance, and as
 * many OOM kills as the reference (none).
 */
function judge_run(ctx: check_context, wl: unlock_workload, { result, value }: unlock_run_result): check_outcome | null {
  const bad = first_report(result, WORKLOAD_BAD_KINDS);
  if (bad) {
    const hint = bad.includes('is flushing !WQ_MEM_RECLAIM')
      ? '\n  A shrinker runs inside reclaim: it must not flush a !WQ_MEM_RECLAIM workqueue (nor wait for it any other way).'
      : bad.includes('__owner_task(owner) != current')
        ? '\n  mutex_unlock() by a task that does not own the lock: after a handoff (MUTEX_FLAG_HANDOFF) the first waiter owns it, not whoever unlocked.'
        : bad.includes('soft lockup')
          ? '\n  The shrinker\'s unlock kept calling the kernel without ever sleeping: a loop around rcu_barrier() or flush_work() with nothing ' +
            'left for it to wait for returns at once, again and again. Reclaim spins on its CPU, and what would free the objects never runs there.'
          : '';
    return fail(`${bad}${hint}${dmesg_tail(result)}`);
  }
  if (!value) {
    return fail(`"${wl.comm}" never got back from ${wl.path}: ${result.stop}. Reclaim is still waiting in the shrinker's unlock ` +
      '(a wait for the free worker, or for something that needs a kworker, ends only if a kworker can run it).' + dmesg_tail(result));
  }
  if (value.never_freed > 0) {
    return fail(`${value.never_freed} objects released before reclaim were still not freed after rcu_barrier() and flush_work() in process context: ` +
      "the unlock threw their free away (a cancelled free_work is never re-queued while mm.free_list is not empty), and their pages are lost for good.");
  }
  if (value.owner_at_end !== 'nobody') {
    return fail(`after the path returned and the task let go of its own hold, struct_mutex was still held by ${value.owner_at_end}: ` +
      'a lock the shrinker took was never released; the next mutex_lock() on it blocks for ever.');
  }
  if (value.books) return fail(value.books);
  const differs = like_reference(ctx, wl, { oom_kills: result.reports.filter((r) => r.kind === 'oom').length });
  if (differs) return fail(`the OOM killer's verdict differs from the reference's: ${differs}`);
  return null;
}

/** The first call of the unlock that slept, stalled or asked for a sleeping lock, in a reviewer's words. */
function first_wait(calls: readonly unlock_call[]): string | null {
  const c = calls.find((x) => x.slept > 0 || x.stalled_jiffies > 0 || x.sleeping_locks.length > 0);
  if (!c) return null;
  if (c.slept === 0 && c.stalled_jiffies === 0) return sleeping_lock_in_reclaim(`i915_gem_shrinker_unlock(unlock = ${c.unlock})`, c.by, c.sleeping_locks);
  return `i915_gem_shrinker_unlock(unlock = ${c.unlock}), called by ${c.by}, went to sleep ${c.slept} time(s) and returned after ${c.stalled_jiffies} jiffies. ` +
    'It is called on the way out of reclaim: the task waiting in it is the one that needs memory, and whatever it waits for (the free worker, a ' +
    'grace period, a tick) may need memory too (a kworker to run it). Release the lock and return: the freed objects come back when the worker gets to them.';
}

const decisive = (path: unlock_path, free: unlock_workload['free'], lockdep: boolean, comm: string, no_new_kworkers = false, handoff = false): unlock_workload => ({
  path,
  free,
  freed: free === 'idle' ? 0 : 6,
  no_new_kworkers,
  handoff,
  below: 3,
  swap: false,
  lockdep,
  comm,
});

/**
 * One long reclaim: kswapd goes through the shrinker call after call (every
 * priority, every node, drop_caches' loop) while clients keep closing
 * buffers. The free worker, started by their RCU callbacks, waits for the
 * struct_mutex the shrinker holds, and the shrinker often takes it again
 * before the worker gets its turn, so a backlog builds up (up to 80 objects
 * in flight). Every unlock must return without sleeping: not the first, not
 * the 32nd, not when the backlog is large.
 */
interface long_reclaim_workload {
  calls: number;
  /** Objects released (RCU callbacks run, free_work queued) before each call. */
  per_call: number;
  lockdep: boolean;
  comm: string;
}
const arb_long_reclaim: fc.Arbitrary<long_reclaim_workload> = fc.record({
  calls: fc.integer({ min: 33, max: 48 }),
  per_call: fc.integer({ min: 1, max: 40 }),
  lockdep: fc.boolean(),
  comm: arb_comm,
});
const describe_long_reclaim = (wl: long_reclaim_workload): string =>
  `"${wl.comm}" (PF_MEMALLOC, as kswapd) calls the shrinker ${wl.calls} times; before each call ${wl.per_call} more objects are released and ` +
  `the free worker waits for struct_mutex (up to ${2 * wl.per_call} objects in flight at a call); lockdep ${wl.lockdep ? 'on' : 'off'}`;

async function long_reclaim_check(impl: exercise_impl, wl: long_reclaim_workload): Promise<check_outcome> {
  const unlock = unlock_of(impl);
  const { result, value } = await run_in_gem_world(
    { release: '4.12', shrinker_ops: { unlock } }, // the learner's unlock: the device must not carry the model's
    async (w) => {
      await warm_up_workqueues();
      await mutex_lock(w.i915.struct_mutex);
      for (let call = 1; call <= wl.calls; call++) {
        // The shrinker's i915_gem_shrinker_lock() took it (MUTEX_TRYLOCK_SUCCESS) right after the previous call let go.
        if (__mutex_owner(w.i915.struct_mutex) !== current) await mutex_lock(w.i915.struct_mutex);
        const objs = await make_gem_objects(w.i915, Array.from({ length: wl.per_call }, () => ({ kind: 'needed' as const, pages: 1 })));
        for (const obj of objs) i915_gem_object_put(obj);
        await rcu_barrier(); // their callbacks ran: the free worker runs, or is queued, and waits for struct_mutex
        current.flags |= PF_MEMALLOC | PF_KSWAPD;
        const m = await measure_call(() => unlock(w.i915, true));
        current.flags &= ~(PF_MEMALLOC | PF_KSWAPD);
        if (m.slept > 0 || m.stalled_jiffies > 0) {
          return { call, problem: `slept ${m.slept} time(s) and returned after ${m.stalled_jiffies} jiffies, with mm.free_count = ${w.i915.mm.free_count}` };
        }
        if (m.sleeping_locks.length > 0) return { call, problem: `asked for ${[...new Set(m.sleeping_locks)].join(', ')} with a sleeping lock call (mutex_lock() or kin), with mm.free_count = ${w.i915.mm.free_count}` };
        if (__mutex_owner(w.i915.struct_mutex) === current) return { call, problem: 'left struct_mutex locked' };
        if (call < wl.calls) mutex_trylock(w.i915.struct_mutex); // the next call's trylock, before the free worker gets its turn
      }
      return { call: 0, problem: page_accounting() };
    },
    undefined,
    { ...WORLD_PARAMS, totalram_pages: 1024, lockdep: wl.lockdep },
    wl.comm,
  );
  const bad = first_report(result, WORKLOAD_BAD_KINDS);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`"${wl.comm}" never got back from its reclaim: ${result.stop}${dmesg_tail(result)}`);
  if (value.problem) {
    return fail(value.call
      ? `i915_gem_shrinker_unlock(unlock = true), shrinker call #${value.call} of this reclaim, ${value.problem}. Every call runs in reclaim: ` +
        'a wait that happens only on some calls (the Nth, or when the backlog is large) is still a wait for a kworker from reclaim.'
      : value.problem);
  }
  return pass();
}

/**
 * The backlog sweep: one kswapd-length reclaim that walks the quantities an
 * unlock could branch on, so that a flush kept behind ANY condition on them
 * is reached. Objects in flight (mm.free_count) climb past every boundary a
 * threshold would sit on (powers of two, SHRINK_BATCH = 128, 1000) up to
 * about two thousand, and in one example and in generated workloads up to
 * 8193 (each object's struct is 512 bytes: half the machine's memory); at each call the RCU callbacks have run or not (the
 * free worker queued on struct_mutex with mm.free_list empty, or nothing
 * queued yet), the caller is kswapd (PF_MEMALLOC | PF_KSWAPD), a direct
 * reclaimer (PF_MEMALLOC) or the OOM notifier (neither), free memory sits
 * well above high, just below high, just below low or near min, and time
 * moves by 0 to 250 jiffies (seconds in all). check_flush_dependency() warns whatever the
 * backlog: a wait on the free worker from reclaim is wrong under every
 * condition, so every call must return without sleeping.
 * The objects have no pages (only their struct counts): cheap to make in
 * thousands, and what a reclaim finds after a client closed many handles.
 * Or each holds pages (pages_each) until the free worker puts them, as a
 * client's closed buffers do: then what is in flight climbs past every
 * fraction of the machine's memory a threshold could be relative to (a
 * half, two thirds, three quarters, on to about 85%: past that the buffers
 * cannot be allocated at all), which no count of page-less structs reaches
 * (8193 of them are half the machine).
 */
interface backlog_sweep_workload {
  /** Objects in flight at successive calls (ascending). */
  backlogs: number[];
  /** Pages each object in flight holds until the free worker frees it (absent: none). */
  pages_each?: number;
  /** Where the rotation of caller, RCU state, memory level and time starts. */
  twist: number;
  lockdep: boolean;
  comm: string;
  /** The kind of task that reclaims (a user process, a kernel thread, a kworker running a work item): the rule is the same for each. */
  task: caller_task;
}
/** Boundaries a threshold on the backlog would sit on: powers of two (±1), SHRINK_BATCH, round numbers, up to 2049 (a decisive example goes on to 8193). */
const BACKLOG_LADDER: readonly number[] = [
  0, 1, 2, 3, 5, 8, 13, 17, 31, 33, 63, 65, 96, 100, 127, 128, 129, 160, 200, 255, 256, 257, 300, 400, 511, 512, 513, 640, 768, 999, 1000, 1001, 1023,
  1024, 1025, 1500, 2047, 2048, 2049,
];
/** The sweep machine's memory (pages), and how much of it buffers in flight may hold at most (the rest: the kernel, the sweep's own allocations). */
const SWEEP_TOTALRAM_PAGES = 2048;
const SWEEP_MAX_PAGES_IN_FLIGHT = 1760;
const arb_backlog_sweep: fc.Arbitrary<backlog_sweep_workload> = fc.oneof(
  fc.record({
    backlogs: fc.uniqueArray(fc.integer({ min: 0, max: 8200 }), { minLength: 3, maxLength: 8 }).map((b) => [...b].sort((x, y) => x - y)),
    twist: fc.integer({ min: 0, max: 11 }),
    lockdep: fc.boolean(),
    comm: arb_comm,
    task: arb_caller_task,
  }),
  // Buffers with pages in flight: their pages climb to a fraction of the machine's memory, up to SWEEP_MAX_PAGES_IN_FLIGHT.
  fc.integer({ min: 1, max: 440 }).chain((pages_each) =>
    fc.record({
      backlogs: fc
        .uniqueArray(fc.integer({ min: 0, max: Math.floor(SWEEP_MAX_PAGES_IN_FLIGHT / pages_each) }), { minLength: 3, maxLength: 8 })
        .map((b) => [...b].sort((x, y) => x - y)),
      pages_each: fc.constant(pages_each),
      twist: fc.integer({ min: 0, max: 11 }),
      lockdep: fc.boolean(),
      comm: arb_comm,
      task: arb_caller_task,
    }),
  ),
);
const SWEEP_CALLERS = ['kswapd', 'direct reclaim', 'the OOM notifier'] as const;
const SWEEP_LEVELS = ['well above high', 'just below high', 'just below low', 'near min'] as const;
/** Time between calls (ms = jiffies at HZ 1000): over the sweep, the backlog waits several seconds. */
const SWEEP_PAUSES_MS = [0, 1, 3, 40, 250] as const;
const sweep_caller = (i: number): (typeof SWEEP_CALLERS)[number] => SWEEP_CALLERS[i % SWEEP_CALLERS.length]!;
const sweep_level = (i: number): (typeof SWEEP_LEVELS)[number] => SWEEP_LEVELS[i % SWEEP_LEVELS.length]!;
const describe_backlog_sweep = (wl: backlog_sweep_workload): string =>
  `"${wl.comm}"${describe_caller_task(wl.task)} holds struct_mutex as the shrinker's trylock left it and calls the shrinker's unlock ${wl.backlogs.length} times, with ` +
  `${wl.backlogs.join(', ')} objects in flight${wl.pages_each ? ` holding ${wl.pages_each} pages each (${wl.backlogs.map((b) => `${Math.round((100 * b * wl.pages_each!) / SWEEP_TOTALRAM_PAGES)}%`).join(', ')} of the machine's memory)` : ''}; callers, RCU callbacks run or pending, memory levels and jiffies rotate from ${wl.twist}; ` +
  `lockdep ${wl.lockdep ? 'on' : 'off'}`;

/** Pages to allocate (GFP_NOWAIT: never direct reclaim) to put free memory at @level. */
function pages_to_level(level: (typeof SWEEP_LEVELS)[number]): number {
  const z = zone_info();
  const target = level === 'well above high' ? z.free : level === 'just below high' ? z.high - 1 : level === 'just below low' ? z.low - 1 : z.min + 1;
  return Math.max(0, z.free - target);
}

async function backlog_sweep_check(impl: exercise_impl, wl: backlog_sweep_workload): Promise<check_outcome> {
  const unlock = unlock_of(impl);
  const { result, value } = await run_in_gem_world(
    { release: '4.12', shrinker_ops: { unlock } },
    async (w) => {
      const i915 = w.i915;
      await warm_up_workqueues();
      // The sweep from the workload's kind of task: a kernel thread or a kworker runs it for us, and we wait.
      return run_as(wl.task, wl.comm, async () => {
        await mutex_lock(i915.struct_mutex);
        for (let call = 0; call < wl.backlogs.length; call++) {
          const turn = call + wl.twist;
          // The shrinker's i915_gem_shrinker_lock() took it (MUTEX_TRYLOCK_SUCCESS) right after the previous call let go.
          if (__mutex_owner(i915.struct_mutex) !== current) await mutex_lock(i915.struct_mutex);
          const more = wl.backlogs[call]! - i915.mm.free_count;
          if (more > 0) {
            const pages = wl.pages_each ?? 0;
            const objs = await make_gem_objects(i915, Array.from({ length: more }, () => (pages > 0 ? { kind: 'needed' as const, pages } : { kind: 'no-pages' as const, pages: 1 })));
            for (const obj of objs) i915_gem_object_put(obj);
          }
          if (turn % 2 === 0) await rcu_barrier(); // the callbacks ran: free_work queued, its worker waits for struct_mutex
          const pause = SWEEP_PAUSES_MS[turn % SWEEP_PAUSES_MS.length]!;
          if (pause) await msleep(pause); // time moves: the backlog has been waiting a tick, a second, more
          const held: page[] = [];
          await allocate_pages(pages_to_level(sweep_level(turn)), GFP_NOWAIT | __GFP_NOWARN, held);
          const caller = sweep_caller(turn);
          const flags = caller === 'kswapd' ? PF_MEMALLOC | PF_KSWAPD : caller === 'direct reclaim' ? PF_MEMALLOC : 0;
          const in_flight = i915.mm.free_count;
          const free_pages = zone_info().free;
          current.flags |= flags;
          const m = await measure_call(() => unlock(i915, true));
          current.flags &= ~flags;
          for (const p of held) __free_page(p);
          const at = `call #${call + 1} (from ${caller}, ${in_flight} objects in flight, ${free_pages} pages free)`;
          if (m.slept > 0 || m.stalled_jiffies > 0) return `${at}: i915_gem_shrinker_unlock(unlock = true) slept ${m.slept} time(s) and returned after ${m.stalled_jiffies} jiffies`;
          if (m.sleeping_locks.length > 0) return `${at}: i915_gem_shrinker_unlock(unlock = true) asked for ${[...new Set(m.sleeping_locks)].join(', ')} with a sleeping lock call (mutex_lock() or kin)`;
          if (__mutex_owner(i915.struct_mutex) === current) return `${at}: i915_gem_shrinker_unlock(unlock = true) left struct_mutex locked`;
          mutex_trylock(i915.struct_mutex); // the next call's trylock, before the free worker gets its turn
        }
        if (__mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
        return page_accounting();
      });
    },
    undefined,
    { ...WORLD_PARAMS, totalram_pages: SWEEP_TOTALRAM_PAGES, lockdep: wl.lockdep },
    wl.comm,
  );
  const bad = first_report(result, WORKLOAD_BAD_KINDS);
  if (value) {
    return fail(`${value}${bad ? ` (${bad})` : ''}. A shrinker's unlock runs in reclaim whatever the backlog, the caller, the free memory or the time: ` +
      'a wait for the free worker kept behind any condition (a large backlog, kswapd only, plenty of memory) is still a wait for a kworker from ' +
      `reclaim, and check_flush_dependency() warns on every one that comes from PF_MEMALLOC context.${dmesg_tail(result)}`);
  }
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (value === undefined) return fail(`"${wl.comm}" never got back from its reclaim: ${result.stop}${dmesg_tail(result)}`);
  return pass();
}

/** run the unlock on @wl and apply @rule to its calls (after the common verdict). */
async function unlock_workload_check(
  impl: exercise_impl,
  ctx: check_context,
  wl: unlock_workload,
  rule: (calls: readonly unlock_call[]) => string | null,
): Promise<check_outcome> {
  const run = await run_unlock_workload(wl, unlock_of(impl));
  const broken = run.value ? rule(run.value.calls) : null;
  if (broken) return fail(broken);
  return judge_run(ctx, wl, run) ?? pass();
}

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('08-never-flush-from-reclaim', [
  {
    id: 'ex08-flush-from-reclaim',
    title: 'objects are freed, then a task allocates and reclaim calls your unlock (every interleaving within one preemption)',
    build: (impl) => ({ scenario: free_then_allocate(unlock_of(impl), false), options: { preemption_bound: 1 } }),
  },
  {
    id: 'ex08-no-new-kworkers',
    title: 'the same when no new kworker can be created: a flush from reclaim waits for ever',
    build: (impl) => ({
      scenario: free_then_allocate(unlock_of(impl), true),
      options: { fail_on: ['hung_task', 'deadlock', 'step_limit', 'assert', 'bug', 'lockdep', 'forgotten_await'] },
    }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '08-never-flush-from-reclaim',
  golden,
  exports: { i915_gem_shrinker_unlock: 'async function i915_gem_shrinker_unlock(i915, unlock: boolean): Promise<void>' },
  checks: [
    {
      id: 'no-flush-from-reclaim',
      name: 'never waits on its way out of reclaim (no flush, no poll, no short sleep), on every path into the shrinker, whatever the free worker is doing',
      async run(impl, ctx) {
        const generated = await for_each_workload(
          {
            arbitrary: arb_unlock_workload().map((wl) => ({ ...wl, no_new_kworkers: false })),
            seed: 0x08a0,
            generated: 2,
            examples: [
              decisive('direct', 'worker-blocked', true, 'i915_ioctl'),
              decisive('kswapd', 'queued-behind-busy', false, 'Xorg'),
              decisive('direct-nofs', 'queued-behind-busy', false, 'kswapd0'),
              decisive('drop-caches', 'worker-blocked', false, 'check'),
              decisive('direct', 'callbacks-pending', false, 'gpu_wait'),
              decisive('oom-notifier', 'worker-blocked', true, 'glxgears'),
            ],
            describe: describe_unlock_workload,
            shrink_budget: SHRINK_RERUNS,
          },
          (wl) => unlock_workload_check(impl, ctx, wl, first_wait),
        );
        if (!generated.ok) return generated;
        const long = await for_each_workload(
          {
            arbitrary: arb_long_reclaim,
            seed: 0x08a1,
            generated: 1,
            examples: [
              { calls: 40, per_call: 2, lockdep: false, comm: 'kswapd0' },
              // A large backlog: over 64 objects in flight at every other call.
              { calls: 33, per_call: 36, lockdep: true, comm: 'Xorg' },
            ],
            describe: describe_long_reclaim,
            shrink_budget: 4,
          },
          (wl) => long_reclaim_check(impl, wl),
        );
        if (!long.ok) return long;
        const sweep = await for_each_workload(
          {
            arbitrary: arb_backlog_sweep,
            seed: 0x08a2,
            generated: 1,
            examples: [
              { backlogs: [...BACKLOG_LADDER], twist: 0, lockdep: false, comm: 'kswapd0', task: 'user' },
              // Past the ladder (red team 9: a flush kept for 4096 objects in flight): 8193 objects' structs take half
              // the 2048-page machine's memory, as far as a sweep can go and still leave reclaim something to do.
              { backlogs: [0, 4095, 4097, 5001, 8191, 8193], twist: 3, lockdep: false, comm: 'kswapd0', task: 'user' },
              // Past half the machine's memory (red team 9's threshold class, relative to RAM): closed buffers of 220 pages each,
              // 11% of memory per object, in flight up to 86% (1760 of 2048 pages), callbacks run and pending at each size.
              { backlogs: [0, 1, 2, 3, 4, 5, 6, 7, 8], pages_each: 220, twist: 0, lockdep: true, comm: 'Xorg', task: 'user' },
              { backlogs: [4, 5, 6, 7, 8], pages_each: 220, twist: 1, lockdep: false, comm: 'kswapd0', task: 'user' },
              // A kworker in reclaim (writeback, another driver's work) is no exception: system_wq has no rescuer.
              { backlogs: [0, 1, 2, 129], twist: 1, lockdep: true, comm: 'kworker/u4:2', task: 'kworker' },
              { backlogs: [0, 1, 2, 129], twist: 2, lockdep: false, comm: 'jbd2/sda1-8', task: 'kthread' },
            ],
            describe: describe_backlog_sweep,
            shrink_budget: 4,
          },
          (wl) => backlog_sweep_check(impl, wl),
        );
        if (!sweep.ok) return sweep;
        // The thread's own situation, in every interleaving within one preemption
        // (the generated workloads above run the kernel's default schedule).
        return explore_declared(scenarios, 'ex08-flush-from-reclaim', impl);
      },
    },
    {
      id: 'no-hang-without-new-kworkers',
      name: 'reclaim gets back on every path when no new kworker can be created (and in every interleaving of the thread\'s scenario with at most two preemptions)',
      async run(impl, ctx) {
        const explored = await explore_declared(scenarios, 'ex08-no-new-kworkers', impl);
        if (!explored.ok) return explored;
        const generated = await for_each_workload(
          {
            arbitrary: arb_unlock_workload().map((wl) => ({ ...wl, no_new_kworkers: true })),
            seed: 0x08b0,
            generated: 4,
            examples: [decisive('oom-notifier', 'queued-behind-busy', false, 'i915_ioctl', true), decisive('direct', 'queued-behind-busy', true, 'kworker/0:1', true)],
            describe: describe_unlock_workload,
            shrink_budget: SHRINK_RERUNS,
          },
          (wl) => unlock_workload_check(impl, ctx, wl, first_wait),
        );
        if (!generated.ok) return generated;
        // Then the thread's case on machines of more CPUs (after the workloads: a wrong answer they show keeps its message).
        const many = await thread_case_on_many_cpus(impl);
        return many.ok ? generated : many;
      },
    },
    {
      id: 'releases-what-it-took',
      name: 'releases struct_mutex whenever the shrinker took it itself (unlock = true), on every path: direct and GFP_NOFS reclaim, kswapd, drop_caches, the OOM notifier',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_unlock_workload(SUCCESS_PATHS),
            seed: 0x08c0,
            generated: 1,
            examples: SUCCESS_PATHS.map((p, i) => decisive(p, 'worker-blocked', i % 2 === 0, 'kswapd0', false, i % 2 === 1)),
            describe: describe_unlock_workload,
            shrink_budget: SHRINK_RERUNS,
          },
          (wl) =>
            unlock_workload_check(impl, ctx, wl, (calls) => {
              const c = calls.find((x) => x.unlock && x.owned_before && x.owned_after);
              return c
                ? `the shrinker took struct_mutex for ${c.by} (MUTEX_TRYLOCK_SUCCESS, unlock = true), and after i915_gem_shrinker_unlock() ${c.by} still held it: ` +
                    'a lock taken must be released on every path, in reclaim too, or the next mutex_lock() on it blocks for ever.'
                : null;
            }),
        ),
    },
    {
      id: 'keeps-outer-frame-lock',
      name: 'leaves struct_mutex, owner word and all, to the outer frame when the caller already held it (unlock = false): recursive reclaim, the ioctl\'s i915_gem_shrink, the OOM notifier\'s nested shrink',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_unlock_workload(RECURSIVE_PATHS),
            seed: 0x08d0,
            generated: 3,
            examples: RECURSIVE_PATHS.map((p, i) => decisive(p, 'worker-blocked', i % 2 === 1, 'i915_ioctl', false, i % 2 === 0)),
            describe: describe_unlock_workload,
            shrink_budget: SHRINK_RERUNS,
          },
          (wl) =>
            unlock_workload_check(impl, ctx, wl, (calls) => {
              const c = calls.find((x) => !x.unlock && x.owned_before && (!x.owned_after || x.let_go_during || x.flags_after !== x.flags_before));
              if (!c) return null;
              const what = !c.owned_after
                ? `after i915_gem_shrinker_unlock() struct_mutex was held by ${c.owner_after}`
                : c.let_go_during
                  ? 'i915_gem_shrinker_unlock() let go of it and took it back (any task could take it in between, on another CPU)'
                  : `after i915_gem_shrinker_unlock() its owner word's flags went from ${c.flags_before} to ${c.flags_after}`;
              return `${c.by} held struct_mutex from an outer frame (MUTEX_TRYLOCK_RECURSIVE, unlock = false), and ${what}: ` +
                'the lock belongs to the frame that took it, which goes on as if it had held it all along.';
            }),
        ),
    },
  ],
}));
