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
import { dmesg_tail, first_report } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { for_each_workload, like_reference } from '../course/workload';
import type { scenario } from '../explorer/scenario';
import type { report_kind } from '../kernel/panic';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { allocate_pages, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';
import { holder_allocates_under_pressure } from '../scenarios/thread';
import { first_violation, judged_lock, type shrinker_lock_fn } from '../scenarios/shrinker_lock_contract';
import {
  arb_struct_mutex_workload,
  decisive_workload,
  describe_struct_mutex_workload,
  run_struct_mutex_workload,
  type struct_mutex_run,
  type struct_mutex_workload,
} from '../scenarios/struct_mutex_reclaim';
import golden from './03-reclaim-recursion.golden';

const lock_of = (impl: exercise_impl): shrinker_lock_fn => impl.i915_gem_shrinker_lock as shrinker_lock_fn;

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

/** Reports no workload may leave behind (an OOM kill included: reclaim must have found i915's buffers). */
const BAD_REPORTS: readonly report_kind[] = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'oom', 'forgotten_await', 'step_limit'];

/** Shrinking re-runs a workload: a handful is enough to show a smaller one, and keeps a wrong answer's verdict quick. */
const SHRINK_BUDGET = 12;

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
    params: { ...WORLD_PARAMS },
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
  wl: struct_mutex_workload,
  more: (r: struct_mutex_run) => string | null,
): Promise<check_outcome> {
  const { lock, judge } = judged_lock(lock_of(impl));
  const { result, value } = await run_struct_mutex_workload(wl, { lock });
  const broken = first_violation(judge);
  const bad = first_report(result, BAD_REPORTS);
  if (broken) return fail(`${broken}${bad ? `\n  The kernel said: ${bad}` : ''}${judge.in_flight.size ? dmesg_tail(result) : ''}`);
  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
  if (!value) return fail(`the workload never finished: ${result.stop}${dmesg_tail(result)}`);
  if (value.owner_at_end) {
    return fail(`when every task was done, struct_mutex was still held by ${value.owner_at_end}: the shrinker took it and nobody released it ` +
      '(a lock taken must be given back, or the next mutex_lock() on it blocks for ever).');
  }
  if (value.books) return fail(value.books);
  const own = more(value);
  if (own) return fail(own);
  const differs = like_reference(ctx, wl, reviewer_view(value));
  if (differs) return fail(`the run differs from the reference solution's: ${differs}`);
  return pass();
}

const describe = describe_struct_mutex_workload;

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
  return { ...sc, params: { ...sc.params, lockdep }, check: () => first_violation(judge) };
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
]);

export default define_checks({
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
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'ioctl-shrink', 'oom-notifier'], ['reclaimer']),
            seed: 0x03a1,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'reclaimer', 'none', true),
              decisive_workload('direct', 'reclaimer', 'waiters', false),
              decisive_workload('oom-notifier', 'reclaimer', 'handoff', false),
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
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'ioctl-shrink', 'oom-notifier'], ['reclaimer']),
            seed: 0x03b2,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [decisive_workload('ioctl-shrink', 'reclaimer', 'waiters', true), decisive_workload('direct-nofs', 'reclaimer', 'none', false)],
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
      name: 'never sleeps on struct_mutex, and gives up at once when another task holds it, whatever the tasks are called',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'kswapd', 'drop-caches', 'oom-notifier'], ['other', 'nobody']),
            seed: 0x03c3,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('drop-caches', 'other', 'none', true, 'i915_ioctl', 'i915_ioctl'),
              decisive_workload('oom-notifier', 'other', 'waiters', false),
              decisive_workload('kswapd', 'other', 'handoff', false, 'kswapd0', 'kswapd0'),
              decisive_workload('direct', 'nobody', 'none', true),
            ],
            describe,
          },
          (wl) => judged_run(impl, ctx, wl, () => null),
        ),
    },
    {
      id: 'never-shrinks-under-another-holder',
      name: 'never releases or unbinds i915 objects while another task holds struct_mutex, on every path',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'drop-caches', 'ioctl-shrink'], ['other']),
            seed: 0x03d4,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'other', 'none', false, 'i915_ioctl', 'i915_ioctl'),
              decisive_workload('ioctl-shrink', 'other', 'none', true),
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
});
