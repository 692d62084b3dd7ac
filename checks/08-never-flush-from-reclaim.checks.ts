// The graded checks of exercise 08 (never wait for a workqueue from reclaim).
// Each check plugs your i915_gem_shrinker_unlock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it after the v4.11
// i915_gem_shrinker_lock) and runs a workload on the small machine of
// scenarios/i915_world.ts, with the v4.12 shrinker (no RCU waits of its own).
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_in_gem_world } from '../course/check_helpers';
import type { scenario } from '../explorer/scenario';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { failslab_set } from '../kernel/mm/slab';
import { drop_slab } from '../kernel/mm/vmscan';
import { rcu_barrier } from '../kernel/rcu/update';
import { current } from '../kernel/sched/core';
import { PF_WQ_WORKER, type task_struct } from '../kernel/sched/task';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS } from '../scenarios/i915_world';

type unlock_fn = i915_shrinker_ops['unlock'];
const unlock_of = (impl: exercise_impl): unlock_fn => impl.i915_gem_shrinker_unlock as unlock_fn;

/** Pages the ioctl allocates: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

const BAD_KINDS = ['warn', 'lockdep', 'bug', 'deadlock', 'hung_task', 'forgotten_await', 'step_limit'] as const;
const who = (t: task_struct | null): string => (t ? `${t.comm}:${t.pid}` : 'nobody');

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

export default define_checks({
  exercise: '08-never-flush-from-reclaim',
  exports: { i915_gem_shrinker_unlock: 'async function i915_gem_shrinker_unlock(i915, unlock: boolean): Promise<void>' },
  checks: [
    {
      id: 'no-flush-from-reclaim',
      name: 'reclaim never flushes the !WQ_MEM_RECLAIM free worker (no check_flush_dependency WARNING in any interleaving)',
      run: (impl) => no_failures(free_then_allocate(unlock_of(impl), false)),
    },
    {
      id: 'no-hang-without-new-kworkers',
      name: 'reclaim never waits for the free worker when no new kworker can be created',
      run: (impl) =>
        no_failures(free_then_allocate(unlock_of(impl), true), {
          fail_on: ['hung_task', 'deadlock', 'step_limit', 'assert', 'bug', 'lockdep', 'forgotten_await'],
        }),
    },
    {
      id: 'releases-what-it-took',
      name: 'releases struct_mutex when the shrinker took it itself',
      async run(impl) {
        const unlock = unlock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { unlock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          // "echo 2 > /proc/sys/vm/drop_caches": count and scan with nobody holding struct_mutex.
          await drop_slab();
          return who(mutex_is_locked(i915.struct_mutex) ? __mutex_owner(i915.struct_mutex) : null);
        });
        if (value === undefined) return fail(`drop_slab() never returned: ${result.stop}${dmesg_tail(result)}`);
        if (value !== 'nobody') {
          return fail(`after drop_slab(), struct_mutex is still held by ${value}, which took it in the shrinker and never released it: ` +
            'the next ioctl to call mutex_lock() on it will block for ever.' + dmesg_tail(result));
        }
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        return pass('struct_mutex was free again after the shrinker ran');
      },
    },
    {
      id: 'keeps-outer-frame-lock',
      name: 'leaves struct_mutex to the outer frame when reclaim recurses from the task holding it',
      async run(impl) {
        const unlock = unlock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { unlock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          await mutex_lock(i915.struct_mutex);
          await allocate_pages(PRESSURE_PAGES); // reclaim enters the shrinker: RECURSIVE
          const owner = __mutex_owner(i915.struct_mutex);
          if (owner === current) mutex_unlock(i915.struct_mutex);
          return who(owner);
        });
        if (value === undefined) return fail(`the ioctl never got back from its allocation: ${result.stop}${dmesg_tail(result)}`);
        if (value !== 'check:1') {
          return fail(`the ioctl ("check") took struct_mutex and allocated; when the allocation returned, struct_mutex was owned by ${value}. ` +
            'Reclaim entered the shrinker recursively (unlock = false) and the shrinker released the lock of the frame that called the allocator.' +
            dmesg_tail(result));
        }
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        return pass('the ioctl still owned struct_mutex after its allocation');
      },
    },
  ],
});
