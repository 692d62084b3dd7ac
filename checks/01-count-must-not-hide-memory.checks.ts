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
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL } from '../kernel/mm/gfp';
import { msleep } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { count_under_pressure } from '../scenarios/thread';
import { gem_world, WORLD_PARAMS } from '../scenarios/i915_world';
import { arb_comm, arb_gem_objects, describe_objects, GEM_OBJECT_KINDS, make_gem_objects, releasable_pages, type gem_object_spec } from '../scenarios/gem_workloads';
import { fc, for_each_workload, like_reference } from '../course/workload';
import { lock_owners, locks_balanced, measure_call, page_accounting } from '../course/invariants';
import golden from './01-count-must-not-hide-memory.golden';

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

/** A generated count workload: the objects, who holds struct_mutex, swap, lockdep, and the caller's name. */
interface count_workload {
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  comm: string;
}
const arb_count_workload: fc.Arbitrary<count_workload> = fc.record({ objects: arb_gem_objects(0, 10), swap: fc.boolean(), lockdep: fc.boolean(), comm: arb_comm });
/** One of every kind, no swap: the case the lesson works through. */
const DECISIVE: Omit<count_workload, 'lockdep'> = {
  objects: GEM_OBJECT_KINDS.map((kind, i) => ({ kind, pages: i + 1 })),
  swap: false,
  comm: 'i915_ioctl',
};
function describe_count_workload(wl: count_workload): string {
  return `${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}; count called by "${wl.comm}"`;
}

export default define_checks({
  exercise: '01-count-must-not-hide-memory',
  golden,
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
      name: 'on any mix of objects, counts exactly the releasable pages when struct_mutex is free, and leaves it free',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_count_workload,
            seed: 0x01c0,
            runs: 12,
            examples: [{ ...DECISIVE, lockdep: true }, { ...DECISIVE, lockdep: false }],
            describe: describe_count_workload,
          },
          async (wl) => {
            const count = count_of(impl);
            const { result, value } = await run_in_gem_world(
              { release: '4.12' },
              async (w) => {
                await make_gem_objects(w.i915, wl.objects);
                const locks = lock_owners([w.i915.struct_mutex]);
                const m = await measure_call(() => count(w.i915, { ...sc }));
                return { m, locks: locks_balanced(locks), books: page_accounting() };
              },
              undefined,
              { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0 },
              wl.comm,
            );
            const bad = first_report(result, ['deadlock', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit', 'oom']);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.locks) return fail(value.locks);
            if (value.books) return fail(value.books);
            if (value.m.slept > 0) return fail(`count slept ${value.m.slept} time(s) with nobody else holding struct_mutex: count must answer at once.`);
            const expected = releasable_pages(wl.objects, wl.swap);
            if (value.m.value !== expected) {
              return fail(`with struct_mutex free, count returned ${String(value.m.value)}; ${expected} pages can be released ` +
                '(pinned pages, bindings pinned for scanout, pages the GPU is using, and needed pages with no swap to go to cannot).');
            }
            const differs = like_reference(ctx, wl, value.m.value);
            if (differs) return fail(`count differs from the reference solution: ${differs}`);
            return pass();
          },
        ),
    },
    {
      id: 'never-waits-for-struct-mutex',
      name: 'never sleeps, not even briefly, while another task holds struct_mutex, whatever the tasks are called',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: fc.record({ caller: arb_comm, holder: arb_comm, hold_ms: fc.integer({ min: 1, max: 20_000 }), lockdep: fc.boolean() }),
            seed: 0x01d0,
            runs: 8,
            examples: [
              { caller: 'check', holder: 'gpu_wait', hold_ms: 10_000, lockdep: true },
              { caller: 'i915_ioctl', holder: 'i915_ioctl', hold_ms: 5, lockdep: false },
            ],
          },
          async (wl) => {
            const count = count_of(impl);
            const w = { i915: null as drm_i915_private | null };
            const { result, value } = await run_once(
              { ...WORLD_PARAMS, lockdep: wl.lockdep },
              async () => {
                await msleep(1); // let the other task take the lock first
                return measure_call(() => count(w.i915!, { ...sc }));
              },
              () => {
                w.i915 = gem_world({ release: '4.12' }).i915;
                user_task(async () => {
                  await mutex_lock(w.i915!.struct_mutex);
                  await msleep(wl.hold_ms); // e.g. waiting for the GPU with the lock held
                  mutex_unlock(w.i915!.struct_mutex);
                }, wl.holder);
              },
              wl.caller,
            );
            if (value === undefined) return fail(`count never returned: ${result.stop}${dmesg_tail(result)}`);
            if (value.slept > 0 || value.stalled_jiffies > 0) {
              return fail(`count slept ${value.slept} time(s) and returned after ${value.stalled_jiffies} jiffies while another task held struct_mutex: ` +
                'a shrinker called from reclaim must not wait for a lock, not even briefly: the allocation it serves may be what the holder waits for.');
            }
            return pass();
          },
        ),
    },
  ],
});
