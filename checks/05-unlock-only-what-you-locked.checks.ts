// The graded checks of exercise 05 (unlock only what you locked).
// Each check plugs your i915_gem_shrinker_unlock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it after the v4.11
// i915_gem_shrinker_lock) and runs a workload on the small machine of
// scenarios/i915_world.ts.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, no_failures, run_in_gem_world } from '../course/check_helpers';
import type { scenario } from '../explorer/scenario';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { lockdep_assert_held } from '../kernel/locking/lockdep';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { drop_slab } from '../kernel/mm/vmscan';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { current } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import { allocate_pages, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';

type unlock_fn = i915_shrinker_ops['unlock'];
const unlock_of = (impl: exercise_impl): unlock_fn => impl.i915_gem_shrinker_unlock as unlock_fn;

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

const who = (t: task_struct | null): string => (t ? `${t.comm}:${t.pid}` : 'nobody');

/** The first report whose kind is one of @kinds, with its title, or null. */
function first_of(r: run_result, kinds: readonly string[]): string | null {
  const x = r.reports.find((rep) => kinds.includes(rep.kind));
  return x ? `${x.kind}: ${x.title}` : null;
}

/**
 * Two tasks share struct_mutex. "i915_ioctl" takes it, marks itself inside
 * its critical section, and allocates under memory pressure (so reclaim
 * calls the shrinker recursively); "gem_close" waits for the lock meanwhile.
 * The invariant every mutex exists for: gem_close must not get the lock
 * while i915_ioctl is still inside.
 */
export function contended(unlock: unlock_fn): scenario {
  const seen = { overlap: '' };
  return {
    id: 'ex05-contended',
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { unlock } });
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
    check: () => seen.overlap || null,
  };
}

export default define_checks({
  exercise: '05-unlock-only-what-you-locked',
  exports: { i915_gem_shrinker_unlock: 'async function i915_gem_shrinker_unlock(i915, unlock: boolean): Promise<void>' },
  checks: [
    {
      id: 'outer-frame-keeps-lock',
      name: 'the outer frame still holds struct_mutex when reclaim returns',
      async run(impl) {
        const unlock = unlock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { unlock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          await mutex_lock(i915.struct_mutex);
          await allocate_pages(PRESSURE_PAGES);
          lockdep_assert_held(i915.struct_mutex); // as the ioctl's next step would
          const owner = __mutex_owner(i915.struct_mutex);
          if (owner === current) mutex_unlock(i915.struct_mutex);
          return who(owner);
        });
        if (value === undefined) return fail(`the ioctl never got back from its allocation: ${result.stop}${dmesg_tail(result)}`);
        if (value !== 'check:1') {
          return fail(`the ioctl ("check") took struct_mutex and allocated; when the allocation returned, struct_mutex was owned by ${value}. ` +
            'Reclaim entered the shrinker recursively and the shrinker released the lock of the frame that called the allocator, ' +
            'which goes on as if it still held it.' + dmesg_tail(result));
        }
        const bad = first_of(result, ['warn', 'lockdep', 'bug', 'deadlock', 'hung_task', 'forgotten_await', 'step_limit']);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        return pass('the ioctl still owned struct_mutex after its allocation');
      },
    },
    {
      id: 'no-second-holder',
      name: 'no other task gets struct_mutex while the outer frame still believes it holds it',
      run: (impl) => no_failures(contended(unlock_of(impl)), { fail_on: ['assert', 'deadlock', 'hung_task', 'bug', 'forgotten_await', 'step_limit'] }),
    },
    {
      id: 'no-unlock-imbalance',
      name: 'never releases struct_mutex more often than it was taken (no "bad unlock balance")',
      async run(impl) {
        const unlock = unlock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { unlock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          // An ioctl: lock, allocate (reclaim recurses into the shrinker), unlock.
          await mutex_lock(i915.struct_mutex);
          await allocate_pages(PRESSURE_PAGES);
          mutex_unlock(i915.struct_mutex);
          // Then "echo 2 > /proc/sys/vm/drop_caches": drop_slab() runs count
          // and scan with nobody holding struct_mutex, so the shrinker takes
          // and releases the lock itself.
          await drop_slab();
          return true;
        });
        const bad = result.reports.find((r) => r.kind === 'lockdep' || r.kind === 'warn' || r.kind === 'bug');
        if (bad) {
          const why = bad.title.includes('bad unlock balance')
            ? 'struct_mutex was released by a task that did not hold it (any more)'
            : bad.title.includes('still has locks held') ? 'a task ended still holding a lock it took' : 'the workload went wrong';
          return fail(`${bad.kind}: ${bad.title} — ${why}: every acquisition must be matched by exactly one release, ` +
            'by the frame that made it.' + dmesg_tail(result));
        }
        if (!value) return fail(`the workload did not finish: ${result.stop}${dmesg_tail(result)}`);
        return pass('every unlock matched a lock');
      },
    },
    {
      id: 'releases-what-it-took',
      name: 'releases struct_mutex when the shrinker took it itself (no leaked lock)',
      async run(impl) {
        const unlock = unlock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { unlock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          await allocate_pages(PRESSURE_PAGES); // no lock held: reclaim's shrinker takes it (SUCCESS)
          return who(mutex_is_locked(i915.struct_mutex) ? __mutex_owner(i915.struct_mutex) : null);
        });
        if (value === undefined) return fail(`the allocation never returned: ${result.stop}${dmesg_tail(result)}`);
        if (value !== 'nobody') {
          return fail(`after reclaim, struct_mutex is still held by ${value}, which took it in the shrinker and never released it: ` +
            'the next ioctl to call mutex_lock() on it will block for ever.' + dmesg_tail(result));
        }
        const bad = first_of(result, ['lockdep', 'warn', 'bug', 'deadlock', 'hung_task', 'forgotten_await', 'step_limit']);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        return pass('struct_mutex was free again after reclaim');
      },
    },
  ],
});
