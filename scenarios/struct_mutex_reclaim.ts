// Reclaim meets struct_mutex: one generated workload for every state the
// lock can be in when the i915 shrinker is called, on every path into it.
//
// The shrinker's lock and unlock (drivers/gpu/drm/i915/i915_gem_shrinker.c)
// are called from count and scan (mm/vmscan.c do_shrink_slab) in direct
// reclaim, in GFP_NOFS reclaim, in kswapd and from drop_caches; from
// i915_gem_shrink() on an ioctl's own path; and from the OOM notifier
// (mm/oom_kill.c out_of_memory). When they are called, struct_mutex is
// free, held by the calling task (a GEM ioctl allocating under it: reclaim
// recursion), or held by another task; and its owner word may carry
// MUTEX_FLAG_WAITERS (another task queued on it) and MUTEX_FLAG_HANDOFF
// (the first waiter asked for the lock to be handed over). A check that
// takes one of these accepts answers keyed to it; this workload takes any
// of them, with generated task names (a holder and a reclaimer may share
// one), objects of every kind, swap on or off, memory just above the low
// watermark or at it, and lockdep on or off.
import { fc } from '../course/workload';
import { run_once, type once_result } from '../course/check_helpers';
import { page_accounting } from '../course/invariants';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_create, i915_gem_object_pin_pages, PAGE_SIZE, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrink, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import type { boot_params } from '../kernel/init/params';
import { atomic_long_or, atomic_long_read } from '../kernel/lib/atomic';
import { __mutex_owner, mutex_lock, mutex_unlock, MUTEX_FLAG_HANDOFF, MUTEX_FLAG_WAITERS } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS, GFP_NOWAIT, __GFP_NORETRY, __GFP_NOWARN } from '../kernel/mm/gfp';
import { oom_lock, out_of_memory } from '../kernel/mm/oom_kill';
import { alloc_page, __free_page, zone_info } from '../kernel/mm/page_alloc';
import { drop_slab } from '../kernel/mm/vmscan';
import { complete, complete_all, init_completion, wait_for_completion, type completion } from '../kernel/sched/completion';
import { current, msleep } from '../kernel/sched/core';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { DECLARE_WORK, schedule_work } from '../kernel/workqueue';
import { describe_first_pid } from './desktop_pids';
import { arb_comm, arb_gem_objects, describe_objects, make_gem_objects, type gem_object_spec } from './gem_workloads';
import { describe_caller_task, run_as, type caller_task } from './reclaim_context';
import { allocate_pages, gem_world, warm_up_workqueues, WORLD_PARAMS, type gem_world as world } from './i915_world';

/** The ways into the shrinker's lock and unlock. */
export const LOCK_PATHS = [
  'direct', //        count/scan from direct reclaim: the task allocates GFP_KERNEL below the min watermark
  'direct-nofs', //   the same with GFP_NOFS (shrink_slab still calls i915, which ignores __GFP_FS)
  'kswapd', //        count/scan from kswapd0, woken by an allocation below the low watermark
  'drop-caches', //   count/scan from "echo 2 > /proc/sys/vm/drop_caches" (drop_slab)
  'ioctl-shrink', //  i915_gem_shrink() called by the task itself (i915_gem_object_get_pages_gtt on a failed allocation)
  'oom-notifier', //  i915_gem_shrinker_oom(), called by out_of_memory() under oom_lock
] as const;
export type lock_path = (typeof LOCK_PATHS)[number];

/** Who holds struct_mutex while the path runs. */
export const STRUCT_MUTEX_HOLDERS = ['reclaimer', 'other', 'nobody'] as const;
export type struct_mutex_holder = (typeof STRUCT_MUTEX_HOLDERS)[number];

/** The flag bits of the holder's owner word (kernel/locking/mutex.c). */
export const OWNER_FLAGS = ['none', 'waiters', 'handoff'] as const;
export type owner_flags = (typeof OWNER_FLAGS)[number];

/**
 * What the other holder (holder 'other') is doing while it holds the lock.
 * Whatever it is doing, its lock protects the lists and the shrinker must
 * keep off them: an answer keyed to the holder's state is wrong.
 *   ioctl       a GEM ioctl in a plain process (the default)
 *   in-reclaim  a GEM ioctl that allocated under the lock and is now in
 *               direct reclaim, asleep there: PF_MEMALLOC is set
 *               (__perform_reclaim(), mm/page_alloc.c), and when it returns
 *               it carries on changing the lists; it may also be inside
 *               i915's own scan, unbinding
 *   kworker     one of i915's work items (the free worker, which unbinds
 *               and unlinks the objects it frees under struct_mutex:
 *               __i915_gem_free_objects), PF_WQ_WORKER
 */
export const OTHER_HOLDER_STATES = ['ioctl', 'in-reclaim', 'kworker'] as const;
export type other_holder_state = (typeof OTHER_HOLDER_STATES)[number];

export interface struct_mutex_workload {
  path: lock_path;
  holder: struct_mutex_holder;
  /** Owner-word flags while it is held: a task queued on it (WAITERS), which asked for a handoff (HANDOFF). */
  flags: owner_flags;
  /** The task that takes the path into the shrinker. */
  reclaimer: string;
  /** The other task that holds struct_mutex (holder 'other'); may have the reclaimer's name. */
  holder_comm: string;
  /** Holder 'other' only: what that task is doing (default 'ioctl'; opt-in, so that recorded workloads stay as they are). */
  holder_is?: other_holder_state;
  /**
   * The kind of task that takes the path (scenarios/reclaim_context.ts): a user process (the default), a kernel thread,
   * or a kworker running a work item on system_wq (then @reclaimer is unused: the kworker has its own comm). Only the
   * paths any task can take: not 'kswapd' (kswapd is the caller there) nor 'drop-caches' (a write from user space).
   * Opt-in, so that recorded workloads stay as they are.
   */
  reclaimer_task?: caller_task;
  /**
   * Flags 'waiters' or 'handoff' only: how many tasks queue on struct_mutex
   * behind its holder (a convoy: Xorg and the GL clients). Default 1. Opt-in,
   * so that recorded workloads stay as they are.
   */
  queued?: number;
  /** Boot param first_pid (scenarios/desktop_pids.ts): the tasks' pids start there. Default 1; opt-in as above. */
  first_pid?: number;
  /** Boot params nr_cpus and uptime_secs (scenarios/machine_ranges.ts). Default 2 CPUs, a fresh boot; opt-in as above. */
  nr_cpus?: number;
  uptime_secs?: number;
  /** GEM objects besides the purgeable buffer cache every machine has. */
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  /** Free pages above the low watermark once the machine is set up (0: exactly at it). */
  start_above_low: number;
  /** How far below the watermark (min for direct reclaim, low for kswapd) the allocation goes. */
  below: number;
}

/** arb_struct_mutex_workload - any workload whose path and holder are among @paths and @holders. */
export function arb_struct_mutex_workload(
  paths: readonly lock_path[] = LOCK_PATHS,
  holders: readonly struct_mutex_holder[] = STRUCT_MUTEX_HOLDERS,
): fc.Arbitrary<struct_mutex_workload> {
  return fc.record({
    path: fc.constantFrom(...paths),
    holder: fc.constantFrom(...holders),
    flags: fc.constantFrom(...OWNER_FLAGS),
    reclaimer: arb_comm,
    holder_comm: arb_comm,
    objects: arb_gem_objects(0, 6, 5),
    swap: fc.boolean(),
    lockdep: fc.boolean(),
    start_above_low: fc.integer({ min: 0, max: 4 }),
    below: fc.integer({ min: 1, max: 6 }),
  });
}

/** The buffer cache every machine has: three purgeable 6-page buffers (Mesa's DONTNEED cache), so reclaim can always succeed. */
export const BUFFER_CACHE: readonly gem_object_spec[] = [
  { kind: 'purgeable', pages: 6 },
  { kind: 'purgeable', pages: 6 },
  { kind: 'purgeable', pages: 6 },
];

/** One object of every kind reclaim must tell apart (the decisive mix). */
export const EVERY_KIND: readonly gem_object_spec[] = [
  { kind: 'pinned', pages: 2 },
  { kind: 'scanout', pages: 2 },
  { kind: 'bound-idle', pages: 3 },
  { kind: 'bound-active', pages: 2 },
  { kind: 'needed', pages: 3 },
  { kind: 'dirty-needed', pages: 2 },
  { kind: 'no-pages', pages: 1 },
];

/**
 * decisive_workload - the thread's case on @path: @holder holds struct_mutex
 * (with @flags), every kind of object, swap on, memory 2 pages above low.
 */
export function decisive_workload(
  path: lock_path,
  holder: struct_mutex_holder,
  flags: owner_flags,
  lockdep: boolean,
  reclaimer = 'i915_ioctl',
  holder_comm = 'gpu_wait',
): struct_mutex_workload {
  return { path, holder, flags, reclaimer, holder_comm, objects: [...EVERY_KIND], swap: true, lockdep, start_above_low: 2, below: 4 };
}

/** The paths a kernel thread or a kworker can take into the shrinker itself (see reclaimer_task). */
export const ANY_TASK_PATHS: readonly lock_path[] = ['direct', 'direct-nofs', 'ioctl-shrink', 'oom-notifier'];

/**
 * with_reclaimer_task - @wl with its path taken by a task of @task, where
 * the path allows it (ANY_TASK_PATHS); else unchanged (a user process).
 */
export function with_reclaimer_task(wl: struct_mutex_workload, task: caller_task): struct_mutex_workload {
  return ANY_TASK_PATHS.includes(wl.path) ? { ...wl, reclaimer_task: task } : wl;
}

/** The reclaiming task in a description: its comm, or for a kworker the pool's own. */
function reclaimer_words(wl: struct_mutex_workload): string {
  const task = wl.reclaimer_task ?? 'user';
  return task === 'kworker' ? 'a kworker running a work item on system_wq (PF_WQ_WORKER)' : `"${wl.reclaimer}"${describe_caller_task(task)}`;
}

/** The workload in a reviewer's words. */
export function describe_struct_mutex_workload(wl: struct_mutex_workload): string {
  const me = reclaimer_words(wl);
  const held =
    wl.holder === 'reclaimer'
      ? `${me} holds struct_mutex`
      : wl.holder === 'other'
        ? wl.holder_is === 'kworker'
          ? 'a kworker (i915\'s free worker, PF_WQ_WORKER) holds struct_mutex'
          : `"${wl.holder_comm}" (another task${wl.holder_is === 'in-reclaim' ? ', itself asleep in direct reclaim: PF_MEMALLOC' : ''}) holds struct_mutex`
        : 'nobody holds struct_mutex';
  const queued = wl.queued && wl.queued > 1 ? `${wl.queued} other tasks queued on it` : 'another task queued on it';
  const flags = wl.holder === 'nobody' || wl.flags === 'none' ? '' : wl.flags === 'waiters' ? `, ${queued} (WAITERS)` : `, ${queued}, the first asking for a handoff (WAITERS|HANDOFF)`;
  const how: Record<lock_path, string> = {
    direct: `${me} allocates GFP_KERNEL|__GFP_NORETRY ${wl.below} pages below the min watermark (direct reclaim)`,
    'direct-nofs': `${me} allocates GFP_NOFS|__GFP_NORETRY ${wl.below} pages below the min watermark (direct reclaim)`,
    kswapd: `"${wl.reclaimer}" allocates GFP_NOWAIT ${wl.below} pages below the low watermark and kswapd0 reclaims`,
    'drop-caches': `"${wl.reclaimer}" writes 2 to /proc/sys/vm/drop_caches`,
    'ioctl-shrink': `${me} calls i915_gem_shrink() for ${8 + wl.below} pages (the ioctl's own path)`,
    'oom-notifier': `${me} runs out_of_memory() and the i915 OOM notifier`,
  };
  return `${held}${flags}; ${how[wl.path]}; free memory ${wl.start_above_low} pages above the low watermark; ` +
    `buffer cache 3×6p purgeable + ${describe_objects(objects_of(wl))}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}${describe_first_pid(wl.first_pid)}` +
    `${wl.nr_cpus && wl.nr_cpus !== 2 ? `; ${wl.nr_cpus} CPUs` : ''}${wl.uptime_secs ? `; the machine up for ${wl.uptime_secs} s` : ''}`;
}

/**
 * The workload's own objects. On the OOM notifier's path a GPU-active
 * object would make the notifier wait for the GPU (5 s) and then OOM-kill:
 * another exercise's story, so there the objects are all idle.
 */
function objects_of(wl: struct_mutex_workload): gem_object_spec[] {
  return wl.path === 'oom-notifier' ? wl.objects.filter((o) => o.kind !== 'bound-active') : wl.objects;
}

/** The tasks that queue on struct_mutex (flags 'waiters'/'handoff'): the first closes a buffer, the rest are a desktop's GEM clients. */
const QUEUED_COMMS = ['gem_close', 'Xorg', 'glxgears', 'firefox'] as const;

/** What a reviewer reads off a finished run. */
export interface struct_mutex_run {
  /** Pages of the workload's GEM objects released by the end. */
  gem_pages_released: number;
  /** Of those, pages released while another task held struct_mutex (holder 'other'; must be 0). */
  released_under_other_holder: number;
  /** Holder 'reclaimer': did the task still own struct_mutex right after its path returned? (null otherwise) */
  reclaimer_kept_lock: boolean | null;
  /** Pages the allocation got (direct and kswapd paths). */
  pages_got: number;
  /** Who holds struct_mutex once every task is done ("task:pid", or null as it must be). */
  owner_at_end: string | null;
  /** page_accounting()'s verdict (null: the books balance). */
  books: string | null;
}

const resident = (objs: readonly drm_i915_gem_object[]): number => objs.reduce((s, o) => s + (o.mm.pages ? o.mm.pages.pages.length : 0), 0);

/** The runner's rendezvous points. */
interface run_sync {
  ready: completion;
  taken: completion;
  held: completion;
  done: completion;
}

/**
 * take_struct_mutex - from the holding task: take struct_mutex and bring its
 * owner word into @flags, with the waiter task started by the runner.
 * HANDOFF is set the way the first waiter sets it when it wakes and finds
 * the lock still taken (kernel/locking/mutex.c __mutex_lock_common).
 */
async function take_struct_mutex(w: world, flags: owner_flags, sync: run_sync, queued: number): Promise<void> {
  await mutex_lock(w.i915.struct_mutex);
  // The waiters may queue now (a convoy's all at once; one waiter as before).
  if (queued > 1) complete_all(sync.taken);
  else complete(sync.taken);
  if (flags !== 'none') await set_owner_flags(w, flags, queued);
  complete(sync.held); // the owner word is as the workload says
}

async function set_owner_flags(w: world, flags: owner_flags, queued: number): Promise<void> {
  const m = w.i915.struct_mutex;
  const all_queued = (): boolean => (atomic_long_read(m.owner) & MUTEX_FLAG_WAITERS) !== 0 && m.wait_list.length >= queued;
  for (let i = 0; i < 50 && !all_queued(); i++) await msleep(1);
  if (!all_queued()) throw new Error(`check setup: only ${m.wait_list.length} of ${queued} waiters queued on struct_mutex`);
  if (flags === 'handoff') atomic_long_or(MUTEX_FLAG_HANDOFF, m.owner);
}

/**
 * take_the_path - from the task that reclaims (any kind: run_as): take
 * struct_mutex first if the workload says it holds it, take the path into
 * the shrinker, note whether the lock is still its own, signal the other
 * holder, and release its own lock. Returns the pages the allocation got.
 */
async function take_the_path(w: world, wl: struct_mutex_workload, sync: run_sync): Promise<{ got: number; kept: boolean | null }> {
  const i915 = w.i915;
  if (wl.holder === 'reclaimer') await take_struct_mutex(w, wl.flags, sync, wl.queued ?? 1);
  const z = zone_info();
  let got = 0;
  switch (wl.path) {
    case 'direct':
    case 'direct-nofs':
      got = await allocate_pages(z.free - z.min + wl.below, (wl.path === 'direct' ? GFP_KERNEL : GFP_NOFS) | __GFP_NORETRY | __GFP_NOWARN);
      break;
    case 'kswapd':
      got = await allocate_pages(z.free - z.low + wl.below, GFP_NOWAIT | __GFP_NOWARN);
      await msleep(20); // kswapd0 reclaims meanwhile, the lock still held
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
  const kept = wl.holder === 'reclaimer' ? __mutex_owner(i915.struct_mutex) === current : null;
  complete(sync.done);
  if (wl.holder === 'reclaimer' && kept) mutex_unlock(i915.struct_mutex);
  return { got, kept };
}

/**
 * run_struct_mutex_workload - boot the small i915 machine with
 * @shrinker_ops (the learner's callback, wrapped by the check to judge every
 * call), build the objects, bring free memory to just above the low
 * watermark, put struct_mutex in the workload's state, take the path, and
 * let every task finish. @params overrides boot parameters.
 */
export async function run_struct_mutex_workload(
  wl: struct_mutex_workload,
  shrinker_ops: Partial<i915_shrinker_ops>,
  params: Partial<boot_params> = {},
): Promise<once_result<struct_mutex_run>> {
  let w: world | null = null;
  let objs: drm_i915_gem_object[] = [];
  const at_other_unlock = { resident: -1 };
  const someone_holds = wl.holder !== 'nobody';
  // Completions are plain objects: one set per run.
  const sync: run_sync = {
    ready: init_completion('machine ready'),
    taken: init_completion('struct_mutex taken'),
    held: init_completion('struct_mutex held as the workload says'),
    done: init_completion('path done'),
  };
  return run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0, ...(wl.first_pid ? { first_pid: wl.first_pid } : {}),
      ...(wl.nr_cpus ? { nr_cpus: wl.nr_cpus } : {}), ...(wl.uptime_secs ? { uptime_secs: wl.uptime_secs } : {}), ...params },
    async () => {
      const i915 = w!.i915;
      // The kworker (the holder's, or the one that reclaims) exists before memory runs low.
      if ((wl.holder === 'other' && wl.holder_is === 'kworker') || wl.reclaimer_task === 'kworker') await warm_up_workqueues();
      objs = await make_gem_objects(i915, [...BUFFER_CACHE, ...objects_of(wl)]);
      // A pinned buffer (think: the framebuffer) fills memory down to just above the low watermark.
      const fill = zone_info().free - (zone_info().low + wl.start_above_low) - 1; // -1: the object's own kmalloc
      if (fill > 0) {
        const pinned = await i915_gem_object_create(i915, fill * PAGE_SIZE);
        if (!pinned || (await i915_gem_object_pin_pages(pinned))) throw new Error('check setup: no memory for the pinned buffer');
      }
      const before = resident(objs);
      complete(sync.ready);
      if (wl.holder === 'other') await wait_for_completion(sync.held);
      // The path, taken by this task, a kernel thread or a kworker (run_as waits for it): it takes and releases its own lock.
      const { got, kept } = await run_as(wl.reclaimer_task ?? 'user', wl.reclaimer, () => take_the_path(w!, wl, sync));
      await msleep(30); // let kswapd, the holder and the waiter finish
      // Then one more GEM ioctl, as every one does: allocate under struct_mutex.
      // Lockdep (when on) sees the lock held across a GFP_KERNEL allocation; if
      // reclaim ever took it with a sleeping lock, that is the report it gives
      // ("inconsistent lock state", or a cycle through fs_reclaim).
      await mutex_lock(i915.struct_mutex);
      const p = await alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
      if (p) __free_page(p);
      mutex_unlock(i915.struct_mutex);
      const owner = __mutex_owner(i915.struct_mutex);
      const released = before - resident(objs);
      return {
        gem_pages_released: released,
        released_under_other_holder: wl.holder === 'other' && at_other_unlock.resident >= 0 ? before - at_other_unlock.resident : 0,
        reclaimer_kept_lock: kept,
        pages_got: got,
        owner_at_end: owner ? `${owner.comm}:${owner.pid}` : null,
        books: page_accounting(),
      };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops });
      if (wl.holder === 'other') {
        const hold = async (): Promise<void> => {
          await take_struct_mutex(w!, wl.flags, sync, wl.queued ?? 1);
          // (model) In direct reclaim: __perform_reclaim() sets PF_MEMALLOC around try_to_free_pages().
          const noreclaim = wl.holder_is === 'in-reclaim' ? memalloc_noreclaim_save() : 0;
          // Hold it while the reclaimer's path runs. The OOM notifier waits
          // for the lock (it polls, up to 5 s): there the holder lets go soon.
          if (wl.path === 'oom-notifier') await msleep(3);
          else await wait_for_completion(sync.done);
          if (wl.holder_is === 'in-reclaim') memalloc_noreclaim_restore(noreclaim);
          at_other_unlock.resident = resident(objs);
          mutex_unlock(w!.i915.struct_mutex);
        };
        user_task(async () => {
          await wait_for_completion(sync.ready);
          if (wl.holder_is === 'kworker') schedule_work(DECLARE_WORK(hold, '__i915_gem_free_work')); // i915's free worker takes struct_mutex
          else await hold();
        }, wl.holder_comm);
      }
      if (someone_holds && wl.flags !== 'none') {
        for (let i = 0; i < (wl.queued ?? 1); i++) {
          user_task(async () => {
            await wait_for_completion(sync.taken);
            await mutex_lock(w!.i915.struct_mutex); // queued behind the holder: WAITERS
            mutex_unlock(w!.i915.struct_mutex);
          }, QUEUED_COMMS[i % QUEUED_COMMS.length]!);
        }
      }
    },
    wl.reclaimer,
  );
}

