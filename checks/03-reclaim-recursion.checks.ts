// The graded checks of exercise 03 (reclaim recursion deadlock).
// Each check plugs your i915_gem_shrinker_lock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it) and runs
// workloads on the small machine of scenarios/i915_world.ts.
//
// Every call of your function, in every check, is judged against the
// kernel's rule (scenarios/shrinker_lock_contract.ts): struct_mutex free →
// take it and say unlock; held by the calling task → go on, do not unlock;
// held by another task → give up at once; never sleep. The rule is stated
// against the mutex's owner word, so it holds with lockdep on and off.
// The workloads are generated (fixed seeds): every path into the shrinker,
// struct_mutex free, held by the caller or by another task (with waiters
// and a pending handoff), task names that collide, every kind of object.
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { scenario } from '../explorer/scenario';
import type { report_kind } from '../kernel/panic';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOWAIT, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { zone_info } from '../kernel/mm/page_alloc';
import { oom_lock, out_of_memory } from '../kernel/mm/oom_kill';
import { drop_slab } from '../kernel/mm/vmscan';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { msleep } from '../kernel/sched/core';
import { make_gem_objects } from '../scenarios/gem_workloads';
import { allocate_pages, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';
import { holder_allocates_under_pressure } from '../scenarios/thread';
import { first_violation, judged_lock, type shrinker_lock_fn } from '../scenarios/shrinker_lock_contract';
import {
  arb_struct_mutex_workload,
  decisive_workload,
  describe_struct_mutex_workload,
  run_struct_mutex_workload,
  with_reclaimer_task,
  type lock_path,
  type struct_mutex_holder,
  type struct_mutex_run,
  type struct_mutex_workload,
} from '../scenarios/struct_mutex_reclaim';
import { arb_caller_life, arb_caller_task, as_caller_life, describe_caller_life, dying_note, type caller_life, type caller_task } from '../scenarios/reclaim_context';
import { judge_stale_owner, STALE_OWNER_AT_OPS } from '../scenarios/stale_owner';
import { DESKTOP_FIRST_PIDS } from '../scenarios/desktop_pids';
import { arb_convoy, arb_machine, CONVOY_MAX, LARGEST_MACHINE } from '../scenarios/machine_ranges';
import golden from './03-reclaim-recursion.golden';

const lock_of = (impl: exercise_impl): shrinker_lock_fn => impl.i915_gem_shrinker_lock as shrinker_lock_fn;

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

/** Reports no workload may leave behind (an OOM kill included: reclaim must have found i915's buffers). */
const BAD_REPORTS: readonly report_kind[] = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'oom', 'forgotten_await', 'step_limit'];

/** Shrinking re-runs a workload: a handful is enough to show a smaller one, and keeps a wrong answer's verdict quick. */
const SHRINK_BUDGET = 12;

/**
 * Scheduler steps one run of an explored scenario may take. The reference
 * needs at most 156 (recursion) and 560 (free then taken). A lock that
 * polls for struct_mutex until it is free, a tick at a time, never ends
 * when the holder is its own task: at the default 200000 steps the
 * explorer's first schedule ran the worker out of its 512 MiB heap after
 * 458 s, without a verdict. Stopped here it gets the step-limit verdict.
 */
const EXPLORED_MAX_STEPS = 5_000;
/**
 * The same for the thread's case (the reference: 94 steps), where a wrong
 * lock's run may end in the OOM killer: one that answers FAILED to its own
 * task takes 5236 steps to get there (reclaim's retries, the OOM kill, the
 * reaper), and that verdict says more than the step limit.
 */
const HOLDER_CASE_MAX_STEPS = 20_000;

/**
 * The recursion workload, explored under every schedule within two
 * preemptions: a GEM ioctl takes struct_mutex and allocates under memory
 * pressure, so direct reclaim (in the ioctl's task) and kswapd (in its own)
 * call the shrinker while the ioctl owns the lock. The allocations are
 * GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, i915's first try when it reads
 * an object's pages: one round of direct reclaim, then failure instead of
 * the OOM path. Every lock call is judged; the first broken rule fails the
 * run, with its schedule.
 */
export function recursion(lock: shrinker_lock_fn): scenario {
  let judge: ReturnType<typeof judged_lock>['judge'] | null = null;
  return {
    id: 'ex03-recursion',
    params: { ...WORLD_PARAMS, max_steps: EXPLORED_MAX_STEPS },
    setup() {
      const judged = judged_lock(lock);
      judge = judged.judge;
      const w = gem_world({ release: '4.12', shrinker_ops: { lock: judged.lock } });
      user_task(async () => {
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
    check: () => (judge ? first_violation(judge) : null),
  };
}

/**
 * Every way into the shrinker lock while struct_mutex is free: from reclaim
 * (direct reclaim, kswapd) and outside it (no PF_MEMALLOC: drop_caches, an
 * ioctl's own i915_gem_shrink(), the OOM notifier).
 */
export const FREE_LOCK_PATHS = ['direct', 'kswapd', 'drop-caches', 'ioctl-shrink', 'oom-notifier'] as const;
export type free_lock_path = (typeof FREE_LOCK_PATHS)[number];

const FREE_LOCK_CALLER: Record<free_lock_path, string> = {
  direct: 'the allocating task in direct reclaim',
  kswapd: 'kswapd0',
  'drop-caches': 'drop_caches',
  'ioctl-shrink': "an ioctl's own i915_gem_shrink()",
  'oom-notifier': 'the OOM notifier',
};

/**
 * struct_mutex is free when @path calls the shrinker (in reclaim or not), and a
 * GEM ioctl on the other CPU takes it at any moment and holds it while it
 * waits for the GPU (i915_gem_wait_for_idle under struct_mutex). Explored
 * within two preemptions, so the ioctl also gets the lock between whatever
 * the shrinker lock reads of the owner word and whatever it does next: an
 * answer that checks "free" and then calls mutex_lock() sleeps on the
 * ioctl's lock (from the OOM notifier: under oom_lock, behind a holder that
 * may itself be waiting for memory). Every lock call is judged: it never
 * sleeps, and answers for the lock's real owner.
 */
export function free_then_taken(lock: shrinker_lock_fn, path: free_lock_path): scenario {
  let judge: ReturnType<typeof judged_lock>['judge'] | null = null;
  return {
    id: `ex03-free-then-taken-${path}`,
    params: { ...WORLD_PARAMS, max_steps: EXPLORED_MAX_STEPS },
    setup() {
      const judged = judged_lock(lock);
      judge = judged.judge;
      const w = gem_world({ release: '4.12', shrinker_ops: { lock: judged.lock } });
      const ready = init_completion('objects made');
      user_task(async () => {
        // Reclaim paths: the thread's machine (a pinned scanout buffer and a purgeable buffer cache); the others need only a few objects.
        if (path === 'direct' || path === 'kswapd') await populate(w);
        else await make_gem_objects(w.i915, [{ kind: 'purgeable', pages: 4 }, { kind: 'bound-idle', pages: 2 }]);
        complete(ready);
        const z = zone_info();
        switch (path) {
          case 'direct': // below the min watermark: this task's own reclaim calls count and scan (mm/vmscan.c do_shrink_slab)
            await allocate_pages(z.free - z.min + 2, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
            break;
          case 'kswapd': // below the low watermark, no reclaim of its own: kswapd0 is woken and calls the shrinker (mm/vmscan.c balance_pgdat)
            await allocate_pages(z.free - z.low + 2, GFP_NOWAIT | __GFP_NOWARN);
            await msleep(20);
            break;
          case 'drop-caches': // "echo 2 > /proc/sys/vm/drop_caches" (mm/vmscan.c drop_slab)
            await drop_slab();
            break;
          case 'ioctl-shrink': // i915_gem_object_get_pages_gtt's retry: i915_gem_shrink() without struct_mutex held
            await i915_gem_shrink(w.i915, 4, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
            break;
          case 'oom-notifier': // out_of_memory() under oom_lock calls i915_gem_shrinker_oom (mm/oom_kill.c)
            await mutex_lock(oom_lock);
            await out_of_memory({ gfp_mask: GFP_KERNEL, order: 0 });
            mutex_unlock(oom_lock);
            break;
        }
      }, path === 'drop-caches' ? 'drop_caches' : path === 'oom-notifier' ? 'Xorg' : path === 'ioctl-shrink' ? 'gem_exec' : 'glxgears');
      user_task(async () => {
        await wait_for_completion(ready);
        await mutex_lock(w.i915.struct_mutex);
        await msleep(path === 'oom-notifier' ? 2 : 20); // waits for the GPU with struct_mutex held
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
    check: () => (judge ? first_violation(judge) : null),
  };
}

/** What the reference is compared on: what a reviewer reads off the run. */
function reviewer_view(r: struct_mutex_run): { released: number; got: number } {
  return { released: r.gem_pages_released, got: r.pages_got };
}

/**
 * One generated workload with the learner's lock, judged: every lock call
 * obeys the rule, no report is left behind, struct_mutex is free at the end,
 * the page books balance, and @more (the check's own point) holds.
 */
async function judged_run(
  impl: exercise_impl,
  ctx: check_context,
  wl: ex03_workload,
  more: (r: struct_mutex_run) => string | null,
): Promise<check_outcome> {
  const learner = lock_of(impl);
  // A dying reclaimer is dying when it calls the lock (as_caller_life leaves kswapd and kworkers as they are).
  const { lock, judge } = judged_lock(wl.dying ? (i915) => as_caller_life(wl.dying, () => learner(i915)) : learner);
  const { result, value } = await run_struct_mutex_workload(wl, { lock });
  const broken = first_violation(judge);
  const bad = first_report(result, BAD_REPORTS);
  if (broken) return fail(`${broken}${dying_note(wl.dying, 'the lock')}${bad ? `\n  The kernel said: ${bad}` : ''}${judge.in_flight.size ? dmesg_tail(result) : ''}`);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`the workload never finished: ${result.stop}${dmesg_tail(result)}`);
  if (value.owner_at_end) {
    return fail(`when every task was done, struct_mutex was still held by ${value.owner_at_end}: the shrinker took it and nobody released it ` +
      '(a lock taken must be given back, or the next mutex_lock() on it blocks for ever).');
  }
  if (value.books) return fail(value.books);
  const own = more(value);
  if (own) return fail(`${own}${dying_note(wl.dying, 'the lock')}`);
  const differs = like_reference(ctx, wl, reviewer_view(value));
  if (differs) return fail(`the run differs from the reference solution's: ${differs}`);
  return pass();
}

/**
 * A workload of this exercise: the shared one, and whether the task that
 * takes the path is dying when it calls the lock (scenarios/reclaim_context.ts
 * caller_life; absent: alive). v4.11's i915_gem_shrinker_lock() is
 * mutex_trylock_recursive() and nothing else: a dying owner's lock is still
 * its own, and a free lock is free for a dying task too.
 */
type ex03_workload = struct_mutex_workload & { dying?: caller_life };
const describe = (wl: ex03_workload): string =>
  `${describe_struct_mutex_workload(wl)}${wl.dying ? `; "${wl.reclaimer}" is dying${describe_caller_life(wl.dying)} when it calls the shrinker` : ''}`;

/**
 * arb_workload - arb_struct_mutex_workload with the kind of task that takes
 * the path drawn for every workload (a user process, a kernel thread, a
 * kworker on system_wq: any of them allocates, recurses into reclaim under
 * struct_mutex, calls i915_gem_shrink() or reaches the OOM notifier). The
 * lock's rule does not change with the kind of task.
 */
function arb_workload(paths: readonly lock_path[], holders: readonly struct_mutex_holder[]): fc.Arbitrary<ex03_workload> {
  // The machine and the convoy from the whole range of each (scenarios/machine_ranges.ts): each close of a key
  // (pids past 300, 2+ waiters) was passed by a key one past its largest point (4000001, 3; then 64).
  return fc.tuple(arb_struct_mutex_workload(paths, holders), arb_caller_task, fc.option(arb_machine, { nil: null }), arb_convoy, arb_caller_life).map(([wl, task, m, convoy, dying]) => {
    const out: ex03_workload = {
      ...with_reclaimer_task(wl, task),
      ...(m ? { first_pid: m.first_pid, nr_cpus: m.nr_cpus, uptime_secs: m.uptime_secs } : {}),
      ...(wl.flags !== 'none' && wl.holder !== 'nobody' && convoy > 1 ? { queued: convoy } : {}),
    };
    // A dying user task that takes the path itself, holding the lock or finding it free (kswapd is the caller on its
    // path; kworkers and kernel threads get no signals; under another holder the answer is FAILED for anyone).
    const dies = dying && wl.path !== 'kswapd' && (out.reclaimer_task ?? 'user') === 'user' && wl.holder !== 'other';
    return dies ? { ...out, dying } : out;
  });
}
/** A hand-picked workload taken by a task of @task. */
const as_task = (wl: struct_mutex_workload, task: caller_task): struct_mutex_workload => with_reclaimer_task(wl, task);

/**
 * The thread's own case, in the kernel's default schedule, lockdep on and
 * off: the ioctl holding struct_mutex allocates while the GPU scans out
 * (scenarios/thread.ts holder_allocates_under_pressure). If its own reclaim
 * cannot shrink i915, the OOM killer kills a bystander ("users' oom").
 */
async function thread_case(impl: exercise_impl): Promise<check_outcome> {
  for (const id of ['ex03-holder-allocates', 'ex03-holder-allocates-nolockdep']) {
    const out = await explore_declared(scenarios, id, impl);
    if (!out.ok) return out;
  }
  return pass();
}

/** The thread's case with the learner's lock, every lock call judged, lockdep on or off. */
function holder_case(impl: exercise_impl, lockdep: boolean): scenario {
  const { lock, judge } = judged_lock(lock_of(impl));
  const sc = holder_allocates_under_pressure(`ex03-holder-allocates${lockdep ? '' : '-nolockdep'}`, { lock });
  return { ...sc, params: { ...sc.params, lockdep, max_steps: HOLDER_CASE_MAX_STEPS }, check: () => first_violation(judge) };
}

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('03-reclaim-recursion', [
  {
    id: 'ex03-recursion',
    title: 'a GEM ioctl holds struct_mutex and allocates under pressure: direct reclaim and kswapd call your lock',
    build: (impl) => ({ scenario: recursion(lock_of(impl)) }),
  },
  {
    id: 'ex03-holder-allocates',
    title: 'the thread\'s case: the ioctl holding struct_mutex allocates while the GPU scans out (lockdep on, default schedule)',
    build: (impl) => ({ scenario: holder_case(impl, true), options: { preemption_bound: 0 } }),
  },
  {
    id: 'ex03-holder-allocates-nolockdep',
    title: 'the same with lockdep off',
    build: (impl) => ({ scenario: holder_case(impl, false), options: { preemption_bound: 0 } }),
  },
  ...FREE_LOCK_PATHS.map((path) => ({
    id: `ex03-free-then-taken-${path}`,
    title: `struct_mutex is free when ${FREE_LOCK_CALLER[path]} calls your lock, and a GEM ioctl takes it at any moment`,
    // Direct reclaim makes many schedule points (one allocation each page): there one preemption, which is all the race needs.
    build: (impl: exercise_impl) => ({ scenario: free_then_taken(lock_of(impl), path), options: path === 'direct' ? { preemption_bound: 1 } : {} }),
  })),
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '03-reclaim-recursion',
  golden,
  exports: { i915_gem_shrinker_lock: 'async function i915_gem_shrinker_lock(i915): Promise<shrinker_lock_state>' },
  checks: [
    {
      id: 'no-deadlock-under-recursion',
      name: 'never deadlocks when reclaim recurses under struct_mutex, and answers every lock call for the lock\'s real owner, in every schedule',
      run: (impl) => explore_declared(scenarios, 'ex03-recursion', impl),
    },
    {
      id: 'purges-cache-when-holder-allocates',
      name: 'still releases i915 buffers when the task in reclaim is the one holding struct_mutex, on every path, whatever the lock\'s owner word carries',
      async run(impl, ctx) {
        const thread = await thread_case(impl);
        if (!thread.ok) return thread;
        return for_each_workload(
          {
            arbitrary: arb_workload(['direct', 'direct-nofs', 'ioctl-shrink', 'oom-notifier'], ['reclaimer']),
            seed: 0x03a1,
            generated: 3,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'reclaimer', 'none', true),
              // i915's own retire worker (a kworker) allocates under struct_mutex; a kernel thread's allocation runs out of memory holding it.
              as_task(decisive_workload('direct', 'reclaimer', 'waiters', false), 'kworker'),
              as_task(decisive_workload('oom-notifier', 'reclaimer', 'handoff', false), 'kthread'),
              // A desktop's pids (red team 11: plain mutex_trylock() only for pids >= 300 passed every check, the model
              // numbered tasks from 1) and a convoy behind the holder (red team 11: RECURSIVE answered "not locked" with two
              // or more tasks queued): the lists are the owner's whatever its pid and however many wait.
              { ...decisive_workload('ioctl-shrink', 'reclaimer', 'none', true, 'Xorg'), first_pid: DESKTOP_FIRST_PIDS[0] },
              { ...decisive_workload('direct', 'reclaimer', 'waiters', false, 'firefox'), first_pid: DESKTOP_FIRST_PIDS[1], queued: 3 },
              { ...decisive_workload('oom-notifier', 'reclaimer', 'handoff', true), queued: 2 },
              // A long convoy (a loaded desktop's every GL client): a back-off keyed to a larger count fails here too.
              { ...decisive_workload('direct', 'reclaimer', 'waiters', true, 'Xorg'), queued: 64 },
              // The top of every range at once: the longest convoy drawn on 512 CPUs, the top pids, 104 days up.
              { ...decisive_workload('ioctl-shrink', 'reclaimer', 'waiters', false, 'Xorg'), queued: CONVOY_MAX, ...LARGEST_MACHINE },
              // A dying holder (fixer P, session 14: 'not locked' for a task with SIGKILL pending, an OOM victim or
              // PF_EXITING passed every check; no caller was ever dying): its lock is still its own, and its reclaim the
              // only one that can shrink i915 while it holds it.
              { ...decisive_workload('direct', 'reclaimer', 'none', true), dying: 'oom-victim' },
              { ...decisive_workload('ioctl-shrink', 'reclaimer', 'waiters', false, 'Xorg'), dying: 'sigkill' },
              { ...decisive_workload('direct-nofs', 'reclaimer', 'none', false, 'glxgears'), dying: 'exiting' },
            ],
            describe,
          },
          (wl) =>
            judged_run(impl, ctx, wl, (r) =>
              r.gem_pages_released > 0
                ? null
                : `the task holding struct_mutex went into reclaim and not one page of i915's purgeable buffer cache was released: ` +
                  "only that task's own reclaim can shrink i915 while it holds the lock (\"users' oom\")."),
        );
      },
    },
    {
      id: 'keeps-outer-frame-lock',
      name: 'leaves struct_mutex held by the outer frame when the shrinker returns, on every path',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_workload(['direct', 'direct-nofs', 'kswapd', 'ioctl-shrink', 'oom-notifier'], ['reclaimer']),
            seed: 0x03b2,
            generated: 4,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              as_task(decisive_workload('ioctl-shrink', 'reclaimer', 'waiters', true), 'kworker'),
              decisive_workload('direct-nofs', 'reclaimer', 'none', false),
              { ...decisive_workload('kswapd', 'reclaimer', 'waiters', true, 'Xorg'), first_pid: DESKTOP_FIRST_PIDS[0], queued: 3 },
            ],
            describe,
          },
          (wl) =>
            judged_run(impl, ctx, wl, (r) =>
              r.reclaimer_kept_lock
                ? null
                : `"${wl.reclaimer}" took struct_mutex and then went into the shrinker; when it came back the lock was no longer its own: ` +
                  'the shrinker released the lock of the frame that called it, which carries on as if it still held it.'),
          ),
    },
    {
      id: 'never-sleeps-on-struct-mutex',
      name: 'never sleeps on struct_mutex, and gives up at once when another task holds it, whatever the tasks are called, even when it takes the lock the moment it finds it free',
      async run(impl, ctx) {
        for (const path of FREE_LOCK_PATHS) {
          const raced = await explore_declared(scenarios, `ex03-free-then-taken-${path}`, impl);
          if (!raced.ok) return raced;
        }
        return for_each_workload(
          {
            arbitrary: arb_workload(['direct', 'kswapd', 'drop-caches', 'oom-notifier'], ['other', 'nobody']),
            seed: 0x03c3,
            generated: 2,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('drop-caches', 'other', 'none', true, 'i915_ioctl', 'i915_ioctl'),
              as_task(decisive_workload('oom-notifier', 'other', 'waiters', false), 'kworker'),
              decisive_workload('kswapd', 'other', 'handoff', false, 'kswapd0', 'kswapd0'),
              as_task(decisive_workload('direct', 'nobody', 'none', true), 'kthread'),
              // Another task's lock with a convoy behind it, tasks numbered as on a big server.
              { ...decisive_workload('direct', 'other', 'waiters', false, 'firefox', 'Xorg'), first_pid: DESKTOP_FIRST_PIDS[1], queued: 3 },
              // A dying task finds the lock free: free for it too.
              { ...decisive_workload('drop-caches', 'nobody', 'none', false, 'Xorg'), dying: 'exiting' },
            ],
            describe,
          },
          (wl) => judged_run(impl, ctx, wl, () => null),
        );
      },
    },
    {
      id: 'never-reads-a-stale-owner',
      name: 'never reads the owner\'s task_struct through the pointer __mutex_owner() gives: the owner may unlock, exit and be freed between that read and its use (SMP, CONFIG_PREEMPT)',
      async run(impl) {
        const lock = lock_of(impl);
        for (const nth of STALE_OWNER_AT_OPS) {
          const problem = await judge_stale_owner((w) => lock(w.i915), 'i915_gem_shrinker_lock', nth, { release: '4.12', shrinker_ops: { lock } });
          if (problem) return fail(problem);
        }
        return pass(`with the owner exiting and its task_struct freed after each of the call's atomic ops ${STALE_OWNER_AT_OPS.join(', ')} on the owner word, nothing read it`);
      },
    },
    {
      id: 'never-shrinks-under-another-holder',
      name: 'never releases or unbinds i915 objects while another task holds struct_mutex, on every path',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_workload(['direct', 'direct-nofs', 'kswapd', 'drop-caches', 'ioctl-shrink'], ['other']),
            seed: 0x03d4,
            generated: 4,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'other', 'none', false, 'i915_ioctl', 'i915_ioctl'),
              decisive_workload('ioctl-shrink', 'other', 'none', true),
              // Whatever the holder is doing, its lock protects the lists: a holder asleep in its own
              // direct reclaim (PF_MEMALLOC) comes back to them, and i915's free worker (a kworker,
              // PF_WQ_WORKER) unlinks objects under it (scenarios/struct_mutex_reclaim.ts holder_is).
              { ...decisive_workload('kswapd', 'other', 'none', false, 'kswapd0', 'i915_ioctl'), holder_is: 'in-reclaim' },
              { ...decisive_workload('drop-caches', 'other', 'waiters', true, 'Xorg', 'Xorg'), holder_is: 'in-reclaim' },
              { ...decisive_workload('direct', 'other', 'none', true, 'glxgears', 'kworker/0:1'), holder_is: 'kworker' },
              // A kworker's reclaim (writeback) meets the lock held by a GEM ioctl: another task's lock, whatever kind the caller is.
              as_task(decisive_workload('ioctl-shrink', 'other', 'waiters', false, 'i915_ioctl', 'Xorg'), 'kworker'),
              { ...decisive_workload('ioctl-shrink', 'other', 'handoff', true, 'Xorg', 'glxgears'), first_pid: DESKTOP_FIRST_PIDS[0], queued: 3 },
            ],
            describe,
          },
          (wl) =>
            judged_run(impl, ctx, wl, (r) =>
              r.released_under_other_holder === 0
                ? null
                : `while "${wl.holder_comm}" held struct_mutex, ${r.released_under_other_holder} pages of i915 objects were released: ` +
                  'the shrinker walked and unbound objects whose lists another task was changing (the real unbind asserts that its caller holds the lock).'),
          ),
    },
  ],
}));
