// Exercise 12's workloads: the thread's expedited grace-period wait, made
// visible to lockdep, called from each shape of the i915 shrinker and each
// path into it (lessons/sources.md §5, §8, §12).
//
// Lockdep learns dependencies from what tasks hold when they take a lock (or
// a lockdep map). Two facts of v4.11 make the thread's hang visible to it
// once the wait is annotated, in a run where nothing hangs:
// - the GEM free worker runs inside process_one_work(), which holds the work
//   item's own map (a write acquisition) while it takes struct_mutex: the
//   edge (&i915->mm.free_work) -> &dev->struct_mutex;
// - a GEM ioctl allocates with GFP_KERNEL under struct_mutex: the
//   RECLAIM_FS-ON-W usage bit on struct_mutex.
// An annotated wait supplies the missing half: struct_mutex -> free_work
// when it waits under struct_mutex (a cycle), IN-RECLAIM_FS on free_work
// when it waits in reclaim (a reclaim inversion). Each edge and bit may come
// before or after the others: lockdep reports whichever closes the loop.
//
// A workload is one boot: an ioctl allocates under struct_mutex; a buffer is
// freed and the free worker runs (before the wait, or after it); a path
// reaches the shrinker, whose unlock waits as the chosen release did.
import { describe_first_pid } from './desktop_pids';
import { fc } from '../course/workload';
import { i915_gem_object_put, type i915_gem_options } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_create, i915_gem_object_pin_pages, PAGE_SIZE } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrink, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { boot_params } from '../kernel/init/params';
import { model_lockdep_held_classes } from '../kernel/locking/lockdep';
import { mutex_init, mutex_lock, mutex_trylock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS, GFP_NOWAIT, __GFP_KSWAPD_RECLAIM, __GFP_NOWARN } from '../kernel/mm/gfp';
import { oom_lock, out_of_memory } from '../kernel/mm/oom_kill';
import { zone_info } from '../kernel/mm/page_alloc';
import { drop_slab } from '../kernel/mm/vmscan';
import { failslab_set } from '../kernel/mm/slab';
import { rcu_barrier } from '../kernel/rcu/update';
import { current, msleep, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { PF_WQ_WORKER } from '../kernel/sched/task';
import { flush_work } from '../kernel/workqueue';
import { run_once, run_parts, type once_parts, type once_result } from '../course/check_helpers';
import { arb_comm, arb_gem_objects, describe_objects, make_gem_objects, type gem_object_spec } from './gem_workloads';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS } from './i915_world';
import { arb_caller_task, describe_caller_task, run_as, type caller_task } from './reclaim_context';

/** The learner's annotated wait: synchronize_rcu_expedited() as i915 calls it. */
export type annotated_wait = (i915: drm_i915_private) => Promise<void>;

/**
 * Where the shrinker waits for the expedited grace period, by release
 * (lessons/sources.md §8): v4.10 after "unlock if we locked" (so in the
 * nested case under the outer frame's struct_mutex), v4.11 (c053b5a) only
 * after a real unlock, v4.12 not at all.
 */
export type shrinker_shape = '4.10' | '4.11' | '4.12';

/**
 * shrinker_unlock_that_waits - i915_gem_shrinker_unlock() of @shape with
 * @wait as its grace-period wait. The model's i915_gem_shrink (release
 * '4.12'), count and scan all end with it, so this places the wait where
 * each release had it. (v4.10 waited only in i915_gem_shrink; here count and
 * scan wait too: more calls of the same wait, in the same lock states.)
 */
export function shrinker_unlock_that_waits(shape: shrinker_shape, wait: annotated_wait): i915_shrinker_ops['unlock'] {
  switch (shape) {
    case '4.10':
      return async (i915, unlock) => {
        if (unlock) mutex_unlock(i915.struct_mutex);
        await wait(i915);
      };
    case '4.11':
      return async (i915, unlock) => {
        if (!unlock) return;
        mutex_unlock(i915.struct_mutex);
        await wait(i915);
      };
    case '4.12':
      return async (i915, unlock) => {
        if (unlock) mutex_unlock(i915.struct_mutex);
      };
  }
}

/** The shrinker's world for @shape: the v4.12 body (no waits of its own), with the unlock of @shape. */
export function annotated_world_options(shape: shrinker_shape, wait: annotated_wait): i915_gem_options {
  return { release: '4.12', shrinker_ops: { unlock: shrinker_unlock_that_waits(shape, wait) } };
}

/** The ways into the shrinker a workload takes. */
export const WAIT_PATHS = [
  'ioctl',
  'direct-reclaim',
  'direct-nofs',
  'kswapd',
  'drop-caches',
  'oom-notifier',
  'unrelated-lock',
  'direct-only',
  'nested-lock',
] as const;
export type wait_path = (typeof WAIT_PATHS)[number];

export interface annotated_wait_workload {
  path: wait_path;
  /**
   * When the free worker runs (and takes struct_mutex): before the shrinker
   * waits, after it, or (ioctl path) during it, blocked on the struct_mutex
   * that the waiting ioctl holds, with a kworker to spare for the grace period.
   */
  worker: 'first' | 'after' | 'during';
  /** The task that takes the path (the GEM ioctl on the ioctl and direct paths). */
  comm: string;
  /**
   * The kind of task that takes the path (scenarios/reclaim_context.ts): a user process (absent: the default), a
   * kernel thread, or a kworker running a work item on system_wq (writeback, another driver's work, i915's own
   * workers; @comm is then unused). Only on ANY_TASK_WAIT_PATHS, and not while the free worker runs 'during' the wait.
   */
  task?: caller_task;
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  /** Boot param first_pid: the tasks' pids start there (scenarios/desktop_pids.ts). Absent: from 1. */
  first_pid?: number;
}

/**
 * The paths any kind of task takes itself: not kswapd's (kswapd is the
 * waiter there) nor drop_caches (a write from user space).
 */
export const ANY_TASK_WAIT_PATHS: readonly wait_path[] = ['ioctl', 'direct-reclaim', 'direct-nofs', 'oom-notifier', 'unrelated-lock', 'direct-only', 'nested-lock'];

/** with_wait_task - @w taken by a task of @task where its path allows it (ANY_TASK_WAIT_PATHS, free worker not 'during'); else by a user process. */
export function with_wait_task(w: annotated_wait_workload, task: caller_task): annotated_wait_workload {
  const { task: _drop, ...rest } = w;
  return task !== 'user' && ANY_TASK_WAIT_PATHS.includes(w.path) && w.worker !== 'during' ? { ...rest, task } : rest;
}

export const arb_wait_workload = (paths: readonly wait_path[]): fc.Arbitrary<annotated_wait_workload> =>
  fc.record({
    path: fc.constantFrom(...paths),
    worker: fc.constantFrom('first' as const, 'after' as const, 'during' as const),
    comm: arb_comm,
    task: arb_caller_task,
    objects: arb_gem_objects(0, 6, 4),
    swap: fc.boolean(),
    lockdep: fc.constant(true),
  })
    .map((w) => (w.worker === 'during' && w.path !== 'ioctl' ? { ...w, worker: 'after' as const } : w))
    .map((w) => with_wait_task(w, w.task));

export function describe_wait_workload(wl: annotated_wait_workload): string {
  // The task that takes the path; a kworker's comm is its pool's own, so it is named by its kind.
  const me = wl.task === 'kworker' ? 'a kworker running a work item on system_wq (PF_WQ_WORKER)' : `"${wl.comm}"${describe_caller_task(wl.task ?? 'user')}`;
  const how: Record<wait_path, string> = {
    ioctl: `${me} holds struct_mutex and calls i915_gem_shrink() itself (as get_pages does when an allocation fails)`,
    'direct-reclaim': `${me} holds struct_mutex and allocates GFP_KERNEL below the min watermark (direct reclaim recurses into i915)`,
    'direct-nofs': `${me} holds struct_mutex and allocates GFP_NOFS below the min watermark`,
    kswapd: `${me} allocates GFP_NOWAIT below the low watermark and kswapd0 runs the shrinker`,
    'drop-caches': `${me} writes 2 to /proc/sys/vm/drop_caches`,
    'oom-notifier': `${me}'s allocation has run out of retries: under oom_lock, out_of_memory() calls i915's OOM notifier (the GPU is idle)`,
    'unrelated-lock': `${me} holds a lock the free worker never takes and calls i915_gem_shrink()`,
    'direct-only': `${me} holds no lock and allocates GFP_KERNEL & ~__GFP_KSWAPD_RECLAIM below the min watermark (only its own direct reclaim reaches i915; kswapd is not woken)`,
    'nested-lock': `an ioctl took pps_mutex under struct_mutex earlier (struct_mutex -> pps_mutex); now ${me} holds pps_mutex (not struct_mutex) and calls i915_gem_shrink()`,
  };
  const when = { first: 'before that', after: 'after that', during: 'meanwhile, blocked on struct_mutex' }[wl.worker];
  return `${how[wl.path]}; the free worker runs ${when}; ` +
    `an ioctl allocated under struct_mutex earlier; a buffer cache${wl.objects.length ? ` and ${describe_objects(wl.objects)}` : ''}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}` +
    describe_first_pid(wl.first_pid);
}

/** What a finished workload reports besides the run. */
export interface annotated_wait_run {
  /** Locks the workload task still held (lockdep's list) when it was done: must be none. */
  held_at_end: string[];
}

const CACHE: readonly gem_object_spec[] = [
  { kind: 'purgeable', pages: 6 },
  { kind: 'purgeable', pages: 6 },
];

/**
 * run_annotated_wait - boot the small i915 machine with the shrinker of
 * @shape waiting with @wait, and take @wl's path. Kworkers can be created
 * (warm pools, enough memory for them): nothing here has to hang.
 */
export function run_annotated_wait(
  wl: annotated_wait_workload,
  shape: shrinker_shape,
  wait: annotated_wait,
  params: Partial<boot_params> = {},
): Promise<once_result<annotated_wait_run>> {
  return run_parts(annotated_wait_parts(wl, shape, wait, params));
}

/** annotated_wait_parts - what run_annotated_wait runs, as data (a scenario is made of it: course/check_helpers.ts once_scenario). */
export function annotated_wait_parts(
  wl: annotated_wait_workload,
  shape: shrinker_shape,
  wait: annotated_wait,
  params: Partial<boot_params> = {},
): once_parts<annotated_wait_run> {
  let w: ReturnType<typeof gem_world> | null = null;
  const unrelated = { lock: null as ReturnType<typeof mutex_init> | null };
  return {
    params: { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0, ...(wl.first_pid ? { first_pid: wl.first_pid } : {}), ...params },
    body: async () => {
      const i915 = w!.i915;
      await warm_up_workqueues();
      // On the OOM path the GPU is idle: the notifier gives up after 5 s of a busy GPU, before it shrinks anything.
      const objects = wl.path === 'oom-notifier' ? wl.objects.filter((o) => o.kind !== 'bound-active') : wl.objects;
      await make_gem_objects(i915, [...CACHE, ...objects]);
      // A GEM ioctl allocates under struct_mutex (every one of them does): RECLAIM_FS-ON-W.
      await mutex_lock(i915.struct_mutex);
      const victim = await i915_gem_object_create(i915, PAGE_SIZE);
      mutex_unlock(i915.struct_mutex);
      const free_and_run_worker = async (): Promise<void> => {
        if (victim) i915_gem_object_put(victim);
        await rcu_barrier(); // the RCU callback has queued the free work
        await flush_work(i915.mm.free_work); // and the worker has taken struct_mutex and finished
      };
      if (wl.worker === 'first') await free_and_run_worker();
      if (wl.worker === 'during' && wl.path === 'ioctl') {
        // The ioctl frees the buffer under struct_mutex; the free worker starts and blocks on it.
        await mutex_lock(i915.struct_mutex);
        if (victim) i915_gem_object_put(victim);
        await rcu_barrier();
        await i915_gem_shrink(i915, 8, SCAN_FLAGS);
        mutex_unlock(i915.struct_mutex);
        await flush_work(i915.mm.free_work);
      } else {
        // The path, taken by this task, a kernel thread or a kworker (run_as waits for it).
        await run_as(wl.task ?? 'user', wl.comm, () => take_path(wl.path, i915, unrelated));
      }
      if (wl.worker === 'after' || (wl.worker === 'during' && wl.path !== 'ioctl')) await free_and_run_worker();
      await msleep(20); // let kswapd settle
      return { held_at_end: model_lockdep_held_classes(current) };
    },
    setup: () => {
      w = gem_world(annotated_world_options(shape, wait));
      unrelated.lock = mutex_init('&dev_priv->pps_mutex');
    },
    comm: wl.comm,
  };
}

const SCAN_FLAGS = I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE;

async function take_path(path: wait_path, i915: drm_i915_private, unrelated: { lock: ReturnType<typeof mutex_init> | null }): Promise<void> {
  switch (path) {
    case 'ioctl':
      await mutex_lock(i915.struct_mutex);
      await i915_gem_shrink(i915, 8, SCAN_FLAGS);
      mutex_unlock(i915.struct_mutex);
      return;
    case 'direct-reclaim':
    case 'direct-nofs': {
      await fill_to_low(i915);
      const z2 = zone_info();
      await mutex_lock(i915.struct_mutex);
      await allocate_pages(z2.free - z2.min + 2, path === 'direct-reclaim' ? GFP_KERNEL : GFP_NOFS);
      mutex_unlock(i915.struct_mutex);
      return;
    }
    case 'direct-only': {
      // mm/page_alloc.c __alloc_pages_slowpath(): without __GFP_KSWAPD_RECLAIM kswapd is not woken, so the
      // allocating task's own direct reclaim is the only way into the shrinker (v4.11: it takes and drops struct_mutex itself).
      await fill_to_low(i915);
      const z2 = zone_info();
      await allocate_pages(z2.free - z2.min + 2, GFP_KERNEL & ~__GFP_KSWAPD_RECLAIM);
      return;
    }
    case 'kswapd': {
      await fill_to_low(i915);
      const z2 = zone_info();
      await allocate_pages(z2.free - z2.low + 2, GFP_NOWAIT | __GFP_NOWARN);
      await msleep(20);
      return;
    }
    case 'drop-caches':
      await drop_slab();
      return;
    case 'oom-notifier':
      // __alloc_pages_may_oom(): the OOM killer runs under oom_lock, taken with a trylock.
      if (!mutex_trylock(oom_lock)) throw new Error('check setup: oom_lock is taken');
      await out_of_memory({ gfp_mask: GFP_KERNEL, order: 0 });
      mutex_unlock(oom_lock);
      return;
    case 'nested-lock':
      // Another path nests the lock inside struct_mutex (lockdep records struct_mutex -> pps_mutex) ...
      await mutex_lock(i915.struct_mutex);
      await mutex_lock(unrelated.lock!);
      mutex_unlock(unrelated.lock!);
      mutex_unlock(i915.struct_mutex);
      // ... and this one waits under it: free_work -> struct_mutex -> pps_mutex -> (wait for free_work).
      await mutex_lock(unrelated.lock!);
      await i915_gem_shrink(i915, 8, SCAN_FLAGS);
      mutex_unlock(unrelated.lock!);
      return;
    case 'unrelated-lock':
      await mutex_lock(unrelated.lock!);
      await i915_gem_shrink(i915, 8, SCAN_FLAGS);
      mutex_unlock(unrelated.lock!);
      return;
  }
}

/** A pinned buffer (the framebuffer) fills memory down to just above the low watermark. */
async function fill_to_low(i915: drm_i915_private): Promise<void> {
  const fill = zone_info().free - (zone_info().low + 2) - 1;
  if (fill <= 0) return;
  const pinned = await i915_gem_object_create(i915, fill * PAGE_SIZE);
  if (!pinned || (await i915_gem_object_pin_pages(pinned))) throw new Error('check setup: no memory for the pinned buffer');
}

/**
 * annotated_thread_hang - the thread's own hang (rcu_hang in thread.ts) with
 * the v4.10 shape waiting with @wait, on a machine whose free worker has
 * already run once (lockdep learns from the whole boot, and a machine that
 * has been up for a minute has freed buffers before): a GEM ioctl holds struct_mutex and
 * frees a buffer (the free worker starts and blocks on struct_mutex), then
 * allocates under pressure; reclaim recurses into the shrinker, which waits
 * for the expedited grace period, whose work item needs a kworker that
 * cannot be created. The run hangs; the question is what lockdep printed
 * before it did.
 */
export async function run_annotated_thread_hang(wait: annotated_wait, comm: string): Promise<once_result<void>> {
  let w: ReturnType<typeof gem_world> | null = null;
  return run_once(
    { ...WORLD_PARAMS, hung_task_panic: true, lockdep: true },
    async () => {
      const world = w!;
      await populate(world);
      // The machine has been up for a while: buffers were freed before, and
      // the free worker has run, taking struct_mutex, while memory was plentiful.
      const old = await i915_gem_object_create(world.i915, PAGE_SIZE);
      if (old) i915_gem_object_put(old);
      await rcu_barrier();
      await flush_work(world.i915.mm.free_work);
      // From now on memory is too short for a new kworker (as under the thread's pressure).
      failslab_set(() => (current.flags & PF_WQ_WORKER) !== 0);
      await mutex_lock(world.i915.struct_mutex);
      const tmp = await i915_gem_object_create(world.i915, 16 * PAGE_SIZE);
      if (tmp) i915_gem_object_put(tmp);
      await schedule_timeout_uninterruptible(2); // waiting for the GPU, lock held
      await allocate_pages(40);
      mutex_unlock(world.i915.struct_mutex);
    },
    () => {
      w = gem_world(annotated_world_options('4.10', wait));
    },
    comm,
  );
}
