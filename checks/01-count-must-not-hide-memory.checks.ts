// The graded checks of exercise 01 (count must not hide memory).
// Each check runs your i915_gem_shrinker_count on the kernel model.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_once, run_in_gem_world } from '../course/check_helpers';
import { I915_MADV_DONTNEED, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_bind,
  i915_gem_object_create,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL } from '../kernel/mm/gfp';
import { msleep } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { count_under_pressure } from '../scenarios/thread';
import { gem_world, WORLD_PARAMS } from '../scenarios/i915_world';

type count_fn = i915_shrinker_ops['count'];
const count_of = (impl: exercise_impl): count_fn => impl.i915_gem_shrinker_count as count_fn;
const sc = { gfp_mask: GFP_KERNEL, nr_to_scan: 0, nid: 0, memcg: null };

/**
 * Five objects that reclaim must tell apart (sizes differ so a wrong sum
 * shows which ones were miscounted): pinned (3 pages), bound and idle (4),
 * bound and busy on the GPU (5), unbound and purgeable (6), and unbound but
 * still needed with no swap to put it in (7). Only 4 + 6 = 10 pages can be
 * released now.
 */
const RELEASABLE = 10;
async function mixed_objects(i915: drm_i915_private): Promise<void> {
  const make = async (pages: number): Promise<drm_i915_gem_object> => {
    const obj = await i915_gem_object_create(i915, pages * PAGE_SIZE);
    if (!obj || (await i915_gem_object_pin_pages(obj))) throw new Error('check setup: out of memory');
    return obj;
  };
  await make(3); // stays pinned
  const idle = await make(4);
  i915_gem_object_unpin_pages(idle);
  await i915_gem_object_bind(idle);
  i915_gem_object_set_madv(idle, I915_MADV_DONTNEED);
  const busy = await make(5);
  i915_gem_object_unpin_pages(busy);
  await i915_gem_object_bind(busy);
  i915_gem_object_set_madv(busy, I915_MADV_DONTNEED);
  i915_gem_object_mark_active(busy, jiffies() + 100_000);
  const purgeable = await make(6);
  i915_gem_object_unpin_pages(purgeable);
  i915_gem_object_set_madv(purgeable, I915_MADV_DONTNEED);
  const needed = await make(7);
  i915_gem_object_unpin_pages(needed);
}

export default define_checks({
  exercise: '01-count-must-not-hide-memory',
  exports: { i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>' },
  checks: [
    {
      id: 'no-oom-when-holder-allocates',
      name: 'never reaches the OOM killer when the struct_mutex holder allocates under pressure',
      run: (impl) => no_failures(count_under_pressure('ex01-holder-allocates', count_of(impl))),
    },
    {
      id: 'counts-exactly-under-recursion',
      name: 'counts exactly the releasable pages when the task asking already holds struct_mutex',
      async run(impl) {
        const count = count_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const i915 = w.i915;
          await mixed_objects(i915);
          await mutex_lock(i915.struct_mutex); // as a GEM ioctl would, before allocating
          const n = await count(i915, sc);
          mutex_unlock(i915.struct_mutex);
          return n;
        });
        const bad = first_report(result, ['deadlock', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit']);
        if (bad) return fail(`the count went wrong before answering: ${bad}${dmesg_tail(result)}`);
        if (value !== RELEASABLE) {
          return fail(`with struct_mutex held by the caller, count returned ${String(value)}; ${RELEASABLE} pages can be released ` +
            '(pinned pages, pages the GPU is using, and needed pages with no swap to go to cannot).');
        }
        return pass(`counted ${RELEASABLE} pages`);
      },
    },
    {
      id: 'counts-exactly-unlocked',
      name: 'counts the same when nobody holds struct_mutex, and leaves it unlocked',
      async run(impl) {
        const count = count_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          await mixed_objects(w.i915);
          const n = await count(w.i915, sc);
          return { n, locked: mutex_is_locked(w.i915.struct_mutex) };
        });
        const bad = first_report(result, ['deadlock', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit']);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
        if (value.locked) return fail('struct_mutex is still locked after count returned: a lock taken must be released.');
        if (value.n !== RELEASABLE) return fail(`with struct_mutex free, count returned ${value.n}; ${RELEASABLE} pages can be released.`);
        return pass(`counted ${RELEASABLE} pages and released the lock`);
      },
    },
    {
      id: 'never-waits-for-struct-mutex',
      name: 'never sleeps waiting for struct_mutex held by another task',
      async run(impl) {
        const count = count_of(impl);
        const w = { i915: null as drm_i915_private | null, released_at: -1 };
        const { result, value } = await run_once(WORLD_PARAMS, async () => {
          await msleep(1); // let the GPU task take the lock first
          await count(w.i915!, sc);
          return jiffies();
        }, () => {
          w.i915 = gem_world({ release: '4.12' }).i915;
          user_task(async () => {
            await mutex_lock(w.i915!.struct_mutex);
            await msleep(10_000); // e.g. waiting for the GPU with the lock held
            w.released_at = jiffies();
            mutex_unlock(w.i915!.struct_mutex);
          }, 'gpu_wait');
        });
        if (value === undefined) return fail(`count never returned: ${result.stop}${dmesg_tail(result)}`);
        if (value >= w.released_at) {
          return fail(`count returned only after another task released struct_mutex (at ${value} jiffies): ` +
            'a shrinker called from reclaim must not wait for a lock that the allocation it serves may be holding up.');
        }
        return pass('returned at once');
      },
    },
  ],
});
