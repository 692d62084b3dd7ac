// The thread's phenomena as scenarios for the kernel model: each one is a
// small program that the tests run once (as the kernel would) and the
// explorer runs under every interleaving within a bound.
//
// Every scenario is a function returning a fresh `scenario` (explorer/),
// parameterised by the historical variant it reproduces.
import type { scenario } from '../explorer/scenario';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_create, i915_gem_object_mark_active, PAGE_SIZE } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_releasable_pages, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { i915_release } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_trylock, mutex_unlock } from '../kernel/locking/mutex';
import { failslab_set } from '../kernel/mm/slab';
import { rcu_barrier } from '../kernel/rcu/update';
import { current, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { PF_WQ_WORKER } from '../kernel/sched/task';
import { jiffies } from '../kernel/time/timekeeping';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS, type gem_world as world } from './i915_world';

/** Pages the ioctl allocates under struct_mutex: enough to go below the min watermark. */
const PRESSURE_PAGES = 40;

/** What exercise 09 changes in rcu_hang: the learner's i915_gem_shrink, and lockdep off. */
export interface rcu_hang_variant {
  shrink?: i915_shrinker_ops['shrink'];
  lockdep?: boolean;
  /** Exercise 13: the learner's whole shrinker (count, scan, the OOM notifier). */
  ops?: Partial<i915_shrinker_ops>;
}

/**
 * rcu_hang - Andrea's hang (lessons/sources.md §7, §9). A task holds
 * struct_mutex, frees a buffer (its release now waits for RCU and then for
 * the free worker, which needs struct_mutex), waits a little for the GPU,
 * then allocates under memory pressure. Reclaim enters the i915 shrinker
 * recursively. In v4.10 i915_gem_shrink() then waits for an expedited grace
 * period, which needs a kworker on system_wq; under memory pressure none can
 * be created (modelled by failing kworker allocations), so the task waits
 * for ever while holding struct_mutex. Lockdep sees nothing: the wait is a
 * wait_event on a workqueue wakeup, not a lock.
 * @creation_fails: whether new kworkers cannot be allocated.
 */
export function rcu_hang(release: i915_release, creation_fails = true, variant: rcu_hang_variant = {}): scenario {
  const { shrink, lockdep = true, ops } = variant;
  return {
    id: `rcu-hang-v${release}${creation_fails ? '' : '-workers-ok'}${shrink ? '-ex09' : ''}${ops ? '-ex13' : ''}${lockdep ? '' : '-nolockdep'}`,
    footprint: 'memory', // workload and shrinker code touch kernel objects directly (explorer/scenario.ts)
    params: { ...WORLD_PARAMS, hung_task_panic: true, lockdep },
    setup() {
      const w = gem_world({ release, shrinker_ops: { ...ops, ...(shrink ? { shrink } : {}) } });
      if (creation_fails) failslab_set(() => (current.flags & PF_WQ_WORKER) !== 0);
      user_task(async () => {
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        const tmp = await i915_gem_object_create(w.i915, 16 * PAGE_SIZE);
        if (tmp) i915_gem_object_put(tmp);
        await schedule_timeout_uninterruptible(2); // waiting for the GPU, lock held
        await allocate_pages(PRESSURE_PAGES);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
  };
}

/** A shrinker lock that simply blocks: what Andrea's "just call mutex_trylock" is an alternative to. */
export const mutex_lock_shrinker_lock: i915_shrinker_ops['lock'] = async (i915) => {
  await mutex_lock(i915.struct_mutex, 'i915_gem_shrinker_lock');
  return { locked: true, unlock: true };
};

/**
 * shrinker_lock_recursion - a task holding struct_mutex allocates under
 * pressure and reclaim calls the i915 shrinker (lessons/sources.md §8, the
 * recursion the thread discusses). With @lock_style 'mutex_lock' the
 * shrinker blocks on the lock its own task holds; with 'trylock_recursive'
 * (v4.11) it sees RECURSIVE and goes on.
 */
export function shrinker_lock_recursion(lock_style: 'mutex_lock' | 'trylock_recursive'): scenario {
  return {
    id: `shrinker-lock-${lock_style === 'mutex_lock' ? 'mutex-lock' : 'trylock-recursive'}`,
    footprint: 'memory', // workload and shrinker code touch kernel objects directly (explorer/scenario.ts)
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: lock_style === 'mutex_lock' ? { lock: mutex_lock_shrinker_lock } : {} });
      user_task(async () => {
        await populate(w);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
  };
}

/**
 * flush_from_reclaim - Andrea's 2/5: after a real unlock the shrinker flushes
 * the GEM free worker, which lives on system_wq ("events", no
 * WQ_MEM_RECLAIM). A task in direct reclaim carries PF_MEMALLOC, so
 * check_flush_dependency() warns, once per boot. Model choice: the flush is
 * added to the v4.12 shrinker (no RCU wait before it). On v4.11 the
 * expedited grace period that precedes the flush lets the free work, queued
 * on the same pool ahead of the grace-period work, finish first, and the
 * flush finds nothing to wait for in the default schedule.
 */
export function flush_from_reclaim(flush: boolean): scenario {
  return {
    id: `flush-from-reclaim${flush ? '' : '-none'}`,
    footprint: 'memory', // workload and shrinker code touch kernel objects directly (explorer/scenario.ts)
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', flush_free_work_in_shrinker: flush });
      user_task(async () => {
        await warm_up_workqueues();
        await populate(w);
        // Drop a buffer under struct_mutex and wait until its RCU callback
        // has run (rcu_barrier guarantees the callback, not the work it
        // queues): the free worker starts and blocks on struct_mutex.
        await mutex_lock(w.i915.struct_mutex);
        const last = w.cache.pop();
        if (last) i915_gem_object_put(last);
        await rcu_barrier();
        mutex_unlock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        await allocate_pages(10);
      }, 'i915_ioctl');
    },
  };
}

/** count_objects that reports 0 whenever struct_mutex cannot be taken with a plain trylock. */
export const trylock_count: i915_shrinker_ops['count'] = async (i915) => {
  if (!mutex_trylock(i915.struct_mutex)) return 0;
  const n = i915_gem_releasable_pages(i915);
  mutex_unlock(i915.struct_mutex);
  return n;
};

/**
 * count_objects that takes no lock: later kernels' count, which reads running
 * totals kept under i915's locks (READ_ONCE of counters, no walk). v4.11 has
 * no such totals; this reads the same number atomically from the model's own
 * helper, for scenarios that need scan called whoever holds struct_mutex. A
 * learner's count may not do this: exercise 01 reports any walk of the lists
 * without struct_mutex (kernel/drivers/gpu/drm/i915/i915_gem_list_debug.ts).
 */
export const lockfree_count: i915_shrinker_ops['count'] = async (i915) => i915_gem_releasable_pages(i915);

/**
 * holder_allocates_under_pressure - the task holding struct_mutex (a GEM
 * ioctl, "i915_ioctl") allocates while the GPU is busy scanning out, with
 * @shrinker_ops replacing the i915 shrinker's pieces (an exercise's count,
 * scan or lock). Only the shrinker, called recursively from the ioctl's own
 * reclaim, can give the buffer cache back: if it hides the cache from
 * reclaim or refuses to release it, reclaim makes no progress (and, with
 * nothing reclaimable left to meet the min watermark, should_reclaim_retry
 * gives up after the first pass) and the allocation goes to the OOM path.
 * There i915's notifier first waits for the GPU to idle, uninterruptibly,
 * holding oom_lock, for as long as the scanout keeps it busy (30 s: v4.11's
 * i915_gem_wait_for_idle(dev_priv, 0) has no deadline); only then can it
 * purge. A notifier or lock that cannot take struct_mutex gives up after
 * its 5 s ("Unable to lock GPU to purge memory."), and the OOM killer kills
 * a bystander ("firefox").
 * The one "lock holder allocates" workload of the course: exercises reuse it.
 */
export function holder_allocates_under_pressure(id: string, shrinker_ops: Partial<i915_shrinker_ops>): scenario {
  return {
    id,
    footprint: 'memory', // workload and shrinker code touch kernel objects directly (explorer/scenario.ts)
    params: { ...WORLD_PARAMS },
    setup() {
      const w: world = gem_world({ release: '4.12', shrinker_ops });
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 15 });
      user_task(async () => {
        await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
        if (w.scanout) i915_gem_object_mark_active(w.scanout, jiffies() + 30_000);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(PRESSURE_PAGES);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
  };
}

/** count_under_pressure - holder_allocates_under_pressure with @count as the shrinker's count_objects. */
export function count_under_pressure(id: string, count: i915_shrinker_ops['count']): scenario {
  return holder_allocates_under_pressure(id, { count });
}

/** The thread's point about count: a trylock count hides memory, a lock-free one does not. */
export function count_hides_memory(count: 'trylock' | 'lockfree'): scenario {
  return count_under_pressure(`count-${count}`, count === 'trylock' ? trylock_count : lockfree_count);
}
