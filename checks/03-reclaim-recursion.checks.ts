// The graded checks of exercise 03 (reclaim recursion deadlock).
// Each check plugs your i915_gem_shrinker_lock into the i915 model (count,
// scan, i915_gem_shrink and the OOM notifier all call it) and runs a
// workload on the small machine of scenarios/i915_world.ts.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_once, run_in_gem_world } from '../course/check_helpers';
import type { scenario } from '../explorer/scenario';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_mark_active } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { i915_shrinker_ops, shrinker_lock_state } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { current, msleep, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { allocate_pages, cache_pages_resident, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';

type lock_fn = i915_shrinker_ops['lock'];
const lock_of = (impl: exercise_impl): lock_fn => impl.i915_gem_shrinker_lock as lock_fn;

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark (as in scenarios/thread.ts). */
const PRESSURE_PAGES = 40;

/**
 * The recursion workload: a GEM ioctl takes struct_mutex and allocates
 * under memory pressure, so direct reclaim (and kswapd) call the shrinker
 * while the allocating task owns the lock. The allocations are
 * GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, i915's first try when it reads
 * an object's pages: one round of direct reclaim, then failure instead of
 * the OOM path, so this check is about the recursion alone.
 */
export function recursion(lock: lock_fn): scenario {
  return {
    id: 'ex03-recursion',
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { lock } });
      user_task(async () => {
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
  };
}

/**
 * The same, with the GPU busy scanning out (so the OOM notifier cannot get
 * the GPU idle and rescue the allocation) and a bystander that the OOM
 * killer would pick. Only the shrinker, called from the ioctl's own reclaim,
 * can purge the buffer cache in time.
 */
export function holder_allocates(lock: lock_fn): scenario {
  const state = { resident: -1 };
  return {
    id: 'ex03-holder-allocates',
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { lock } });
      state.resident = -1;
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 15 });
      user_task(async () => {
        await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
        if (w.scanout) i915_gem_object_mark_active(w.scanout, jiffies() + 30_000);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        state.resident = cache_pages_resident(w);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
    check() {
      if (state.resident > 0) {
        return `the ioctl's allocation returned with ${state.resident} pages of purgeable buffer cache still resident: ` +
          'the shrinker never released them, although the task in reclaim was the one holding struct_mutex.';
      }
      return null;
    },
  };
}

/**
 * Two tasks: "gpu_wait" holds struct_mutex while it waits for the GPU, and
 * "renderer", which holds nothing, allocates under memory pressure meanwhile.
 * The renderer's reclaim must leave i915's lists alone while the lock is
 * someone else's (the real unbind asserts that the caller holds it). Its
 * allocations try once (__GFP_NORETRY): failing them is allowed, touching
 * the lists is not.
 */
export function other_holder(lock: lock_fn): scenario {
  return {
    id: 'ex03-other-holder',
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { lock } });
      const locked = init_completion('gpu_wait holds struct_mutex');
      user_task(async () => {
        // Memory left at the low watermark (40 free pages), so that a few
        // allocations take the renderer into direct reclaim.
        await populate(w, { pinned_pages: 165, cache_objects: 4, cache_object_pages: 12 });
        await mutex_lock(w.i915.struct_mutex);
        complete(locked);
        await msleep(5); // waiting for the GPU, lock held
        mutex_unlock(w.i915.struct_mutex);
      }, 'gpu_wait');
      user_task(async () => {
        await wait_for_completion(locked);
        await allocate_pages(12, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
      }, 'renderer');
    },
  };
}

const STOPPERS = ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'forgotten_await', 'step_limit'] as const;

export default define_checks({
  exercise: '03-reclaim-recursion',
  exports: { i915_gem_shrinker_lock: 'async function i915_gem_shrinker_lock(i915): Promise<shrinker_lock_state>' },
  checks: [
    {
      id: 'no-deadlock-under-recursion',
      name: 'never deadlocks when reclaim recurses under struct_mutex',
      run: (impl) => no_failures(recursion(lock_of(impl))),
    },
    {
      id: 'purges-cache-when-holder-allocates',
      name: 'still releases the buffer cache when the allocating task is the only struct_mutex holder',
      run: (impl) => no_failures(holder_allocates(lock_of(impl))),
    },
    {
      id: 'keeps-outer-frame-lock',
      name: 'leaves struct_mutex held by the outer frame when reclaim returns',
      async run(impl) {
        const lock = lock_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12', shrinker_ops: { lock } }, async (w) => {
          const i915 = w.i915;
          await populate(w);
          await mutex_lock(i915.struct_mutex);
          await allocate_pages(PRESSURE_PAGES);
          const owner = __mutex_owner(i915.struct_mutex);
          const still_mine = owner === current;
          if (still_mine) mutex_unlock(i915.struct_mutex);
          return { still_mine, owner: owner ? `${owner.comm}:${owner.pid}` : 'nobody' };
        });
        if (!value) return fail(`the ioctl never got back from its allocation: ${result.stop}${dmesg_tail(result)}`);
        if (!value.still_mine) {
          return fail(`the ioctl took struct_mutex, allocated, and afterwards the lock was owned by ${value.owner}: ` +
            'reclaim released the lock of the frame that called kmalloc, which carries on as if it still held it.' + dmesg_tail(result));
        }
        const bad = first_report(result, STOPPERS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        return pass('the ioctl still owned struct_mutex after its allocation');
      },
    },
    {
      id: 'never-sleeps-on-struct-mutex',
      name: 'returns at once, without the lock, when another task holds struct_mutex',
      async run(impl) {
        const lock = lock_of(impl);
        const w = { i915: null as drm_i915_private | null, released_at: -1 };
        const { result, value } = await run_once(WORLD_PARAMS, async () => {
          await msleep(1); // let gpu_wait take the lock first
          const st: shrinker_lock_state = await lock(w.i915!);
          const at = jiffies();
          const mine = __mutex_owner(w.i915!.struct_mutex) === current;
          if (st.unlock && mine) mutex_unlock(w.i915!.struct_mutex);
          return { st, at };
        }, () => {
          w.i915 = gem_world({ release: '4.12' }).i915;
          user_task(async () => {
            await mutex_lock(w.i915!.struct_mutex);
            await msleep(10_000); // e.g. waiting for the GPU with the lock held
            w.released_at = jiffies();
            mutex_unlock(w.i915!.struct_mutex);
          }, 'gpu_wait');
        });
        if (value === undefined) return fail(`the shrinker lock never returned: ${result.stop}${dmesg_tail(result)}`);
        if (value.at >= w.released_at) {
          return fail(`the shrinker lock returned only after gpu_wait released struct_mutex (${value.at} jiffies): ` +
            'called from reclaim, it must not sleep on a lock whose holder may be waiting for the memory this reclaim is looking for.');
        }
        if (value.st.locked) {
          return fail(`while gpu_wait held struct_mutex, the shrinker lock returned { locked: true, unlock: ${value.st.unlock} }: ` +
            'the shrinker would walk and unbind objects whose lists another task is changing.');
        }
        return pass('returned { locked: false } at once');
      },
    },
    {
      id: 'never-shrinks-under-another-holder',
      name: 'never unbinds objects while another task holds struct_mutex',
      run: (impl) => no_failures(other_holder(lock_of(impl)), { fail_on: STOPPERS }),
    },
  ],
});
