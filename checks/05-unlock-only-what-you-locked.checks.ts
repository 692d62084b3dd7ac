// The graded checks of exercise 05 (unlock only what you locked).
// Each check plugs your i915_gem_shrinker_unlock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it after the v4.11
// i915_gem_shrinker_lock) and runs workloads on the small machine of
// scenarios/i915_world.ts.
//
// Every call of your function, in every check, is judged against the
// kernel's rule (scenarios/shrinker_lock_contract.ts): unlock = true (the
// lock call took struct_mutex) → the caller's hold ends; unlock = false (an
// outer frame of the same task took it) → the lock and its owner word are
// left exactly as they were; never sleep. The rule is stated against the
// mutex's owner word, so it holds with lockdep on and off. The workloads are
// generated (fixed seeds): every path into the shrinker, struct_mutex free,
// held by the caller or by another task (with waiters and a pending
// handoff), task names that collide, every kind of object.
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_in_gem_world } from '../course/check_helpers';
import { for_each_workload, like_reference } from '../course/workload';
import type { scenario } from '../explorer/scenario';
import type { report_kind } from '../kernel/panic';
import { user_task } from '../kernel/fork';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, PAGE_SIZE } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { atomic_long_read } from '../kernel/lib/atomic';
import { __mutex_owner, mutex_lock, mutex_trylock, mutex_unlock, MUTEX_FLAG_WAITERS } from '../kernel/locking/mutex';
import { rcu_barrier } from '../kernel/rcu/update';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { current, msleep } from '../kernel/sched/core';
import { allocate_pages, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';
import { first_violation, judged_unlock, type contract_judge, type shrinker_unlock_fn } from '../scenarios/shrinker_lock_contract';
import {
  arb_struct_mutex_workload,
  decisive_workload,
  describe_struct_mutex_workload,
  run_struct_mutex_workload,
  type struct_mutex_run,
  type struct_mutex_workload,
} from '../scenarios/struct_mutex_reclaim';
import golden from './05-unlock-only-what-you-locked.golden';

const unlock_of = (impl: exercise_impl): shrinker_unlock_fn => impl.i915_gem_shrinker_unlock as shrinker_unlock_fn;

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

/** Reports no workload may leave behind: a "bad unlock balance", a DEBUG_LOCKS_WARN_ON, a task stuck on the lock, an OOM kill... */
const BAD_REPORTS: readonly report_kind[] = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'oom', 'forgotten_await', 'step_limit'];

/** Shrinking re-runs a workload: a handful is enough to show a smaller one, and keeps a wrong answer's verdict quick. */
const SHRINK_BUDGET = 12;

/**
 * Two tasks share struct_mutex, explored under every schedule within two
 * preemptions. "i915_ioctl" takes it, marks itself inside its critical
 * section, and allocates under memory pressure (so reclaim calls the
 * shrinker recursively); "gem_close" waits for the lock meanwhile. The
 * invariant every mutex exists for: gem_close must not get the lock while
 * i915_ioctl is still inside. Every unlock call is judged too.
 */
export function contended(unlock: shrinker_unlock_fn): scenario {
  const seen = { overlap: '' };
  let judge: contract_judge | null = null;
  return {
    id: 'ex05-contended',
    params: { ...WORLD_PARAMS },
    setup() {
      const judged = judged_unlock(unlock);
      judge = judged.judge;
      const w = gem_world({ release: '4.12', shrinker_ops: { unlock: judged.unlock } });
      const cs = { ioctl_inside: false };
      const locked = init_completion('i915_ioctl holds struct_mutex');
      seen.overlap = '';
      user_task(async () => {
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        cs.ioctl_inside = true;
        complete(locked);
        await allocate_pages(PRESSURE_PAGES);
        cs.ioctl_inside = false;
        if (__mutex_owner(w.i915.struct_mutex) === current) mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
      user_task(async () => {
        await wait_for_completion(locked);
        await mutex_lock(w.i915.struct_mutex);
        if (cs.ioctl_inside && !seen.overlap) {
          seen.overlap = 'gem_close acquired struct_mutex while i915_ioctl was still inside its critical section ' +
            '(after its mutex_lock, before its mutex_unlock, in the middle of an allocation): ' +
            "the shrinker released the ioctl's lock from inside reclaim, and let another task in.";
        }
        mutex_unlock(w.i915.struct_mutex);
      }, 'gem_close');
    },
    check: () => seen.overlap || (judge ? first_violation(judge) : null),
  };
}

/** What the reference is compared on: what a reviewer reads off the run. */
function reviewer_view(r: struct_mutex_run): { released: number; got: number } {
  return { released: r.gem_pages_released, got: r.pages_got };
}

/**
 * One generated workload with the learner's unlock, judged: every unlock
 * call obeys the rule, no report is left behind (lockdep's "bad unlock
 * balance", CONFIG_DEBUG_MUTEXES' DEBUG_LOCKS_WARN_ON, a waiter that never
 * gets the lock), struct_mutex is free at the end, the page books balance,
 * and @more (the check's own point) holds.
 */
async function judged_run(
  impl: exercise_impl,
  ctx: check_context,
  wl: struct_mutex_workload,
  more: (r: struct_mutex_run) => string | null,
): Promise<check_outcome> {
  const { unlock, judge } = judged_unlock(unlock_of(impl));
  const { result, value } = await run_struct_mutex_workload(wl, { unlock });
  const broken = first_violation(judge);
  const bad = first_report(result, BAD_REPORTS);
  if (broken) return fail(`${broken}${bad ? `\n  The kernel said: ${bad}` : ''}${judge.in_flight.size ? dmesg_tail(result) : ''}`);
  if (bad) {
    const why = bad.includes('bad unlock balance') || bad.includes('__owner_task(owner) != current')
      ? ' — struct_mutex was released by a task that did not hold it (any more): every acquisition is matched by exactly one release, by the frame that made it.'
      : bad.includes('still has locks held') ? ' — a task ended still holding a lock it took.' : '';
    return fail(`${bad}${why}${dmesg_tail(result)}`);
  }
  if (!value) return fail(`the workload never finished: ${result.stop}${dmesg_tail(result)}`);
  if (value.owner_at_end) {
    return fail(`when every task was done, struct_mutex was still held by ${value.owner_at_end}, which took it in the shrinker and never released it: ` +
      'the next ioctl to call mutex_lock() on it blocks for ever.');
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
 * The free worker is already running when the shrinker lets go (Andrea's
 * 2/5 and the v4.11 unlock both wait for something there): in direct
 * reclaim (PF_MEMALLOC), the shrinker's trylock took struct_mutex; a GEM
 * object freed earlier has passed its grace period, and i915's free worker
 * (system_wq) is blocked on struct_mutex, queued behind the shrinker. The
 * unlock must release the lock (the worker then frees the object) and
 * return without waiting: a wait for that worker, for a grace period, or
 * for anything else, is a wait from reclaim.
 */
async function unlock_while_free_worker_waits(impl: exercise_impl, lockdep: boolean): Promise<check_outcome> {
  const { unlock, judge } = judged_unlock(unlock_of(impl));
  const { result, value } = await run_in_gem_world(
    { release: '4.12', shrinker_ops: { unlock } },
    async (w) => {
      const i915 = w.i915;
      const doomed = await i915_gem_object_create(i915, 4 * PAGE_SIZE);
      const noreclaim = memalloc_noreclaim_save(); // as __perform_reclaim does
      if (!mutex_trylock(i915.struct_mutex)) throw new Error('check setup: struct_mutex is not free');
      if (doomed) i915_gem_object_put(doomed);
      await rcu_barrier(); // its RCU callback has queued the free worker, which blocks on struct_mutex
      const waiting = (atomic_long_read(i915.struct_mutex.owner) & MUTEX_FLAG_WAITERS) !== 0;
      await i915.shrinker_ops.unlock(i915, true);
      memalloc_noreclaim_restore(noreclaim);
      await msleep(20); // out of reclaim: the worker has all the time it needs
      return { waiting, freed: doomed?.freed ?? true };
    },
    undefined,
    { ...WORLD_PARAMS, lockdep },
    'i915_ioctl',
  );
  const broken = first_violation(judge);
  const bad = first_report(result, BAD_REPORTS);
  const how = `(direct reclaim in "i915_ioctl", the shrinker's trylock took struct_mutex, i915's free worker waiting for it; lockdep ${lockdep ? 'on' : 'off'})`;
  if (broken) return fail(`${broken}${bad ? `\n  The kernel said: ${bad}` : ''}\n  on the workload ${how}${dmesg_tail(result)}`);
  if (bad) return fail(`${bad} ${how}${dmesg_tail(result)}`);
  if (!value) return fail(`the workload never finished ${how}: ${result.stop}${dmesg_tail(result)}`);
  if (!value.waiting) return fail('check setup: the free worker never queued on struct_mutex');
  if (!value.freed) {
    return fail(`i915's free worker was queued on struct_mutex when the shrinker released it, and 20 ms later it was still waiting ${how}: ` +
      'the release did not wake the first waiter. mutex_unlock() does (and honours a pending handoff); writing the owner word does not.');
  }
  return pass();
}

export default define_checks({
  exercise: '05-unlock-only-what-you-locked',
  golden,
  exports: { i915_gem_shrinker_unlock: 'async function i915_gem_shrinker_unlock(i915, unlock: boolean): Promise<void>' },
  checks: [
    {
      id: 'outer-frame-keeps-lock',
      name: 'the outer frame still holds struct_mutex when the shrinker returns, on every path, whatever the owner word carries',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'ioctl-shrink', 'oom-notifier'], ['reclaimer']),
            seed: 0x05a1,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'reclaimer', 'none', true),
              decisive_workload('direct', 'reclaimer', 'waiters', false, 'Xorg'),
              decisive_workload('ioctl-shrink', 'reclaimer', 'handoff', false, 'glxgears'),
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
      id: 'no-second-holder',
      name: 'no other task gets struct_mutex while the outer frame still believes it holds it, in every schedule',
      run: (impl) => no_failures(contended(unlock_of(impl)), { fail_on: ['assert', 'deadlock', 'hung_task', 'bug', 'forgotten_await', 'step_limit'] }),
    },
    {
      id: 'no-unlock-imbalance',
      name: 'never releases struct_mutex more often than it was taken (no "bad unlock balance"), on every path, lockdep on or off',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(),
            seed: 0x05b2,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('drop-caches', 'nobody', 'none', true),
              decisive_workload('kswapd', 'nobody', 'none', false, 'kswapd0'),
              decisive_workload('direct', 'other', 'waiters', false),
            ],
            describe,
          },
          (wl) => judged_run(impl, ctx, wl, () => null),
        ),
    },
    {
      id: 'releases-what-it-took',
      name: 'releases struct_mutex, exactly once and at once, whenever the shrinker took it itself (no leaked lock), on every path, even with the free worker waiting',
      async run(impl, ctx) {
        for (const lockdep of [true, false]) {
          const first = await unlock_while_free_worker_waits(impl, lockdep);
          if (!first.ok) return first;
        }
        return for_each_workload(
          {
            arbitrary: arb_struct_mutex_workload(['direct', 'direct-nofs', 'kswapd', 'drop-caches', 'ioctl-shrink', 'oom-notifier'], ['nobody', 'other']),
            seed: 0x05c3,
            runs: 6,
            shrink_budget: SHRINK_BUDGET,
            examples: [
              decisive_workload('direct', 'nobody', 'none', false, 'i915_ioctl'),
              decisive_workload('oom-notifier', 'other', 'waiters', true),
              decisive_workload('kswapd', 'nobody', 'none', true, 'check'),
            ],
            describe,
          },
          (wl) => judged_run(impl, ctx, wl, () => null),
        );
      },
    },
  ],
});
