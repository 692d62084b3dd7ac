// Reclaim meets objects on their way to being freed: every path into the
// i915 shrinker's unlock, while the free worker is idle, queued behind
// another driver's work, blocked on struct_mutex, or about to be queued by
// RCU callbacks still pending. For exercise 08 (never wait for a workqueue
// from reclaim); the free path itself is scenarios/gem_free_path.ts.
//
// i915_gem_shrinker_unlock() (drivers/gpu/drm/i915/i915_gem_shrinker.c) is
// called by whoever called i915_gem_shrinker_lock():
// - count and scan (mm/vmscan.c do_shrink_slab) in direct reclaim, with
//   GFP_KERNEL or GFP_NOFS (i915 ignores __GFP_FS), in the allocating task
//   with PF_MEMALLOC set; recursively (unlock = false) when that task is a
//   GEM ioctl already holding struct_mutex;
// - count and scan from kswapd0 (PF_MEMALLOC | PF_KSWAPD), woken when an
//   allocation goes below the low watermark;
// - count and scan from drop_caches (fs/drop_caches.c drop_slab), a plain
//   process;
// - i915_gem_shrink() on the ioctl's own path, struct_mutex held (unlock = false);
// - the OOM notifier (mm/oom_kill.c out_of_memory, under oom_lock), in the
//   allocating task WITHOUT PF_MEMALLOC: it takes the lock itself (unlock =
//   true) and i915_gem_shrink_all() nests inside it (unlock = false).
// When kworkers cannot be created (their allocation fails under the same
// memory pressure: fault injection, mm/failslab.c), a wait for a
// !WQ_MEM_RECLAIM work item may never end.
import { fc } from '../course/workload';
import { run_once, type once_result } from '../course/check_helpers';
import { page_accounting, watch_sleeping_locks } from '../course/invariants';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { model_i915_object_freed, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrink, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { boot_params } from '../kernel/init/params';
import { atomic_long_or, atomic_long_read, model_watch_atomic_writes } from '../kernel/lib/atomic';
import { __mutex_owner, mutex_lock, mutex_unlock, MUTEX_FLAG_HANDOFF, MUTEX_FLAG_WAITERS, MUTEX_FLAGS, type mutex } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS, GFP_NOWAIT, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { oom_lock, out_of_memory } from '../kernel/mm/oom_kill';
import { zone_info } from '../kernel/mm/page_alloc';
import { failslab_set } from '../kernel/mm/slab';
import { drop_slab } from '../kernel/mm/vmscan';
import { rcu_barrier } from '../kernel/rcu/update';
import { current, model_task_sched, msleep } from '../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC, PF_WQ_WORKER, task_ptr, type task_struct } from '../kernel/sched/task';
import { jiffies as jiffies_now } from '../kernel/time/timekeeping';
import { flush_work } from '../kernel/workqueue';
import { arb_comm, make_gem_objects } from './gem_workloads';
import { busy_kworker, FREEABLE_KINDS } from './gem_free_path';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS, type gem_world as world } from './i915_world';

/** The ways into the shrinker's unlock. */
export const UNLOCK_PATHS = [
  'direct', //            GFP_KERNEL allocation below the min watermark: count/scan, unlock = true
  'direct-nofs', //       the same with GFP_NOFS
  'direct-recursive', //  the ioctl allocates holding struct_mutex: count/scan, unlock = false
  'kswapd', //            GFP_NOWAIT allocation below the low watermark: kswapd0's count/scan, unlock = true
  'drop-caches', //       drop_slab() from a plain process: unlock = true
  'ioctl-shrink', //      i915_gem_shrink() from the ioctl holding struct_mutex: unlock = false
  'oom-notifier', //      out_of_memory() -> i915_gem_shrinker_oom(): unlock = true, and false nested in it
] as const;
export type unlock_path = (typeof UNLOCK_PATHS)[number];

/** Paths where the shrinker took struct_mutex itself (unlock = true is passed). */
export const SUCCESS_PATHS: readonly unlock_path[] = ['direct', 'direct-nofs', 'kswapd', 'drop-caches', 'oom-notifier'];
/** Paths where an outer frame of the task holds struct_mutex (unlock = false is passed). */
export const RECURSIVE_PATHS: readonly unlock_path[] = ['direct-recursive', 'ioctl-shrink', 'oom-notifier'];

/** What the free path is doing when reclaim runs. */
export const FREE_STATES = [
  'idle', //               nothing in flight
  'callbacks-pending', //  objects just released: their RCU callbacks queue free_work during reclaim
  'queued-behind-busy', // free_work queued behind another driver's long item on the same kworker
  'worker-blocked', //     free_work running, blocked on struct_mutex (the task held it while releasing)
] as const;
export type free_state = (typeof FREE_STATES)[number];

export interface unlock_workload {
  path: unlock_path;
  free: free_state;
  /** Objects whose last reference is dropped (0 when idle). */
  freed: number;
  /** Kworkers cannot be created (their allocation fails), and the hung-task detector panics. */
  no_new_kworkers: boolean;
  /**
   * With the free worker queued on struct_mutex: it has also woken once and
   * found the lock taken again, so it set MUTEX_FLAG_HANDOFF and the next
   * unlock hands the lock straight to it (kernel/locking/mutex.c).
   */
  handoff: boolean;
  /** How far below the watermark the allocation goes. */
  below: number;
  swap: boolean;
  lockdep: boolean;
  /** The task that takes the path (an ioctl, a user program; may be called "kswapd0"). */
  comm: string;
}

export const arb_unlock_workload = (paths: readonly unlock_path[] = UNLOCK_PATHS): fc.Arbitrary<unlock_workload> =>
  fc
    .record({
      path: fc.constantFrom(...paths),
      free: fc.constantFrom(...FREE_STATES),
      freed: fc.integer({ min: 1, max: 24 }),
      no_new_kworkers: fc.boolean(),
      handoff: fc.boolean(),
      below: fc.integer({ min: 1, max: 6 }),
      swap: fc.boolean(),
      lockdep: fc.boolean(),
      comm: arb_comm,
    })
    .map((wl) => ({ ...wl, freed: wl.free === 'idle' ? 0 : wl.freed, handoff: wl.free === 'worker-blocked' && wl.handoff }));

export function describe_unlock_workload(wl: unlock_workload): string {
  const path: Record<unlock_path, string> = {
    direct: 'direct reclaim (GFP_KERNEL allocation below the min watermark)',
    'direct-nofs': 'direct reclaim with GFP_NOFS',
    'direct-recursive': 'direct reclaim by an ioctl that holds struct_mutex (recursion)',
    kswapd: 'kswapd0 (GFP_NOWAIT allocation below the low watermark)',
    'drop-caches': 'echo 2 > /proc/sys/vm/drop_caches',
    'ioctl-shrink': "i915_gem_shrink() on the ioctl's own path, struct_mutex held",
    'oom-notifier': 'the OOM notifier (out_of_memory() under oom_lock)',
  };
  const free: Record<free_state, string> = {
    idle: 'no object being freed',
    'callbacks-pending': `${wl.freed} objects just released (their RCU callbacks still queued)`,
    'queued-behind-busy': `${wl.freed} objects on mm.free_list, free_work queued behind another driver's long item`,
    'worker-blocked': `${wl.freed} objects taken by the free worker, which waits for struct_mutex`,
  };
  return `${path[wl.path]} by "${wl.comm}"; ${free[wl.free]}${wl.handoff ? ' (and asked for a handoff: MUTEX_FLAG_HANDOFF)' : ''}; ` +
    `${wl.no_new_kworkers ? 'no kworker can be created; ' : ''}` +
    `${wl.below} pages below the watermark; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}`;
}

/** One call of the shrinker's unlock, as the scheduler and the owner word saw it. */
export interface unlock_call {
  /** "comm:pid (in direct reclaim)". */
  by: string;
  unlock: boolean;
  slept: number;
  stalled_jiffies: number;
  /** The locks the caller asked for with a sleeping lock call during the call (course/invariants.ts watch_sleeping_locks). */
  sleeping_locks: string[];
  /** The caller owned struct_mutex before the call (the lock call left it so). */
  owned_before: boolean;
  /** The caller still owned it after. */
  owned_after: boolean;
  /** The owner word's flag bits (WAITERS, HANDOFF, PICKUP) before and after. */
  flags_before: number;
  flags_after: number;
  /** Who holds it after the call ("comm:pid" or "nobody"). */
  owner_after: string;
  /** At some moment during the call the owner word named no task, or another one (released, maybe re-taken). */
  let_go_during: boolean;
}

/**
 * watch_owner_word - from now until the returned stop() is called, note
 * every write to @lock's owner word that leaves it naming someone other
 * than @me (the checker's instrument on the lock itself: a release and
 * re-take inside the call leaves the word as it was, but not this record).
 */
function watch_owner_word(lock: mutex, me: task_struct): { stop(): boolean } {
  let let_go = false;
  const watch = model_watch_atomic_writes(lock.owner, (v) => {
    if ((v & ~MUTEX_FLAGS) !== task_ptr(me)) let_go = true;
  });
  return {
    stop() {
      watch.stop();
      return let_go;
    },
  };
}

function caller_text(t: task_struct): string {
  const where = t.flags & PF_KSWAPD ? ' (kswapd)' : t.flags & PF_MEMALLOC ? ' (in direct reclaim)' : '';
  return `${t.comm}:${t.pid}${where}`;
}

/**
 * recorded_unlock - @unlock, wrapped where the model calls it
 * (model_i915_shrinker_ops(i915).unlock) so that every call is measured with the
 * scheduler's counters (nvcsw: did it sleep) and the owner word (never
 * lockdep's records: the same with lockdep off).
 */
export function recorded_unlock(unlock: i915_shrinker_ops['unlock'], calls: unlock_call[], handoff = false): i915_shrinker_ops['unlock'] {
  return async (i915, should_unlock) => {
    const me = current;
    const lock = i915.struct_mutex;
    // The waiter woke while the shrinker worked and found the lock taken: it asks for a handoff.
    if (handoff && __mutex_owner(lock) === me && atomic_long_read(lock.owner) & MUTEX_FLAG_WAITERS) atomic_long_or(MUTEX_FLAG_HANDOFF, lock.owner);
    const before = { owned: __mutex_owner(lock) === me, flags: atomic_long_read(lock.owner) & MUTEX_FLAGS };
    const nvcsw = model_task_sched(me).nvcsw; // the scheduler's count: the task's field is writable by the code judged
    const t0 = jiffies_now();
    const watch = before.owned ? watch_owner_word(lock, me) : null;
    const asked = watch_sleeping_locks(me);
    let let_go = false;
    let sleeping_locks: string[] = [];
    try {
      await unlock(i915, should_unlock);
    } finally {
      let_go = watch?.stop() ?? false;
      sleeping_locks = asked.stop();
    }
    const owner = __mutex_owner(lock);
    calls.push({
      by: caller_text(me),
      unlock: should_unlock,
      slept: model_task_sched(me).nvcsw - nvcsw,
      stalled_jiffies: jiffies_now() - t0,
      sleeping_locks,
      owned_before: before.owned,
      owned_after: owner === me,
      flags_before: before.flags,
      flags_after: atomic_long_read(lock.owner) & MUTEX_FLAGS,
      owner_after: owner ? `${owner.comm}:${owner.pid}` : 'nobody',
      let_go_during: let_go,
    });
  };
}

/** What a reviewer reads off a finished run. */
export interface unlock_run {
  calls: unlock_call[];
  /** Objects released before the path that were still not freed after a drain in process context. */
  never_freed: number;
  /** Who holds struct_mutex once the path is done and the task let go of its own hold. */
  owner_at_end: string;
  /** page_accounting()'s verdict (null: the books balance). */
  books: string | null;
}

/** The world's layout here: room for two dozen objects in flight besides the buffer cache. */
const LAYOUT = { pinned_pages: 120, cache_objects: 4, cache_object_pages: 12 };

/**
 * run_unlock_workload - boot the small i915 machine with @unlock (recorded),
 * put the free path in the workload's state, take the path, then (process
 * context, nothing held) drain the freed objects and look at what is left.
 * @more_ops: other shrinker callbacks (exercise 13's count, scan and notifier).
 */
export async function run_unlock_workload(
  wl: unlock_workload,
  unlock: i915_shrinker_ops['unlock'],
  params: Partial<boot_params> = {},
  more_ops: Partial<i915_shrinker_ops> = {},
): Promise<once_result<unlock_run>> {
  const calls: unlock_call[] = [];
  let w: world | null = null;
  const holds_lock = wl.path === 'direct-recursive' || wl.path === 'ioctl-shrink';
  return run_once(
    {
      ...WORLD_PARAMS,
      lockdep: wl.lockdep,
      swap_pages: wl.swap ? 64 : 0,
      ...(wl.no_new_kworkers ? { hung_task_panic: true, max_steps: 20_000 } : {}),
      ...params,
    },
    async () => {
      const i915: drm_i915_private = w!.i915;
      if (!wl.no_new_kworkers) await warm_up_workqueues();
      await populate(w!, LAYOUT);
      const kinds = FREEABLE_KINDS.filter((k) => k !== 'no-pages');
      const objs: drm_i915_gem_object[] = await make_gem_objects(i915, Array.from({ length: wl.freed }, (_, i) => ({ kind: kinds[i % kinds.length]!, pages: 1 })));
      if (wl.no_new_kworkers) failslab_set(() => (current.flags & PF_WQ_WORKER) !== 0);
      // Put the free path in the workload's state.
      if (wl.free === 'worker-blocked') await mutex_lock(i915.struct_mutex);
      if (wl.free === 'queued-behind-busy') busy_kworker(current.cpu, 1500);
      for (const obj of objs) i915_gem_object_put(obj);
      if (wl.free !== 'callbacks-pending' && wl.free !== 'idle') await rcu_barrier(); // the callbacks queued free_work
      if (wl.free === 'worker-blocked') {
        await msleep(1); // the worker starts, takes the objects, and blocks on struct_mutex
        if (!holds_lock) mutex_unlock(i915.struct_mutex); // it is woken, but reclaim comes first
      } else if (holds_lock) {
        await mutex_lock(i915.struct_mutex);
      }
      // Take the path.
      const z = zone_info();
      switch (wl.path) {
        case 'direct':
        case 'direct-nofs':
        case 'direct-recursive':
          await allocate_pages(z.free - z.min + wl.below, (wl.path === 'direct-nofs' ? GFP_NOFS : GFP_KERNEL) | __GFP_NORETRY | __GFP_NOWARN);
          break;
        case 'kswapd':
          await allocate_pages(z.free - z.low + wl.below, GFP_NOWAIT | __GFP_NOWARN);
          await msleep(5); // kswapd0 reclaims meanwhile
          break;
        case 'drop-caches':
          await drop_slab();
          break;
        case 'ioctl-shrink':
          await i915_gem_shrink(i915, 8 + wl.below, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
          break;
        case 'oom-notifier':
          await mutex_lock(oom_lock);
          await out_of_memory({ gfp_mask: GFP_KERNEL, order: 0 });
          mutex_unlock(oom_lock);
          break;
      }
      if (holds_lock && __mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
      // Process context, nothing held: the drain of exercise 07. Every object
      // released before the path must be freed now, whatever the unlock did.
      failslab_set(null);
      await rcu_barrier();
      await flush_work(i915.mm.free_work);
      const owner = __mutex_owner(i915.struct_mutex);
      return {
        calls,
        never_freed: objs.filter((o) => !model_i915_object_freed(o)).length,
        owner_at_end: owner ? `${owner.comm}:${owner.pid}` : 'nobody',
        books: page_accounting(),
      };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops: { ...more_ops, unlock: recorded_unlock(unlock, calls, wl.handoff) } });
    },
    wl.comm,
  );
}
