// Exercise 06's workload: a GEM execbuffer ioctl holds struct_mutex and
// applies relocations to a buffer object, allocating a relocation buffer
// with kmalloc(GFP_KERNEL) on the way. Memory is at the min watermark, so
// that kmalloc enters direct reclaim, and reclaim calls the i915 shrinker,
// which sees RECURSIVE (the ioctl's own lock) and goes to work on the very
// objects the ioctl is using. Unless the ioctl pinned them, "the shrinker can
// and will undo your objects as you work" (Chris Wilson, 7 April 2017).
//
// The machine has swap, so a needed (WILLNEED) object is releasable: its
// pages can be written out. Without swap only purgeable objects could be
// taken, and the scenario would need an object that is purgeable yet in use,
// which is not what the thread is about.
import type { scenario } from '../explorer/scenario';
import { run_once, type once_result } from '../course/check_helpers';
import { lock_owners, locks_balanced, measure_call, page_accounting } from '../course/invariants';
import { fc } from '../course/workload';
import { I915_MADV_DONTNEED, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import {
  i915_gem_object_bind,
  i915_gem_object_create,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  model_relocations_written,
  PAGE_SIZE,
  type drm_i915_gem_object,
  type sg_table,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_object_get, i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { user_task } from '../kernel/fork';
import { default_boot_params } from '../kernel/init/params';
import { model_checker_read } from '../kernel/lib/atomic';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { format_gfp, GFP_ATOMIC, GFP_NOWAIT, __GFP_DIRECT_RECLAIM, __GFP_NOWARN } from '../kernel/mm/gfp';
import { __free_pages, alloc_pages, MAX_ORDER, zone_info, type page } from '../kernel/mm/page_alloc';
import { failslab_set, kmalloc_slab } from '../kernel/mm/slab';
import { wakeup_kswapd } from '../kernel/mm/kswapd';
import { rmqueue } from '../kernel/mm/zone';
import { current, msleep } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { arb_comm, arb_gem_objects, describe_objects, make_gem_objects, type gem_object_spec } from './gem_workloads';
import { gem_world, populate, WORLD_PARAMS, type gem_world as world } from './i915_world';
import { describe_uptime } from './uptime';

/**
 * Scheduler steps one execbuffer run may take, in the thread's workload.
 * The reference relocates in at most 180 steps under every explored
 * schedule (50 under the kernel's own); a relocation that polls for memory
 * with struct_mutex held (GFP_NOWAIT and msleep() until it succeeds) never
 * ends, because kswapd's i915 shrinker cannot take the lock the ioctl holds.
 * Stopped here it gets the step-limit verdict in a few seconds; at the
 * default 200000 steps the explorer's first schedule ran ~100 s and over a
 * gigabyte before the worker's heap limit ended it without a verdict.
 */
export const RELOC_MAX_STEPS = 5_000;

/**
 * Scheduler steps one generated relocation may take: the reference needs at
 * most 1470 (the machine where only the OOM killer makes room, and the
 * killed memory hog's exit and reaping run in the same boot).
 */
export const RELOC_WORKLOAD_MAX_STEPS = 10_000;

/** The small machine, with swap (64 pages) so that needed objects can be released. */
export const RELOC_PARAMS = { ...WORLD_PARAMS, swap_pages: 64, max_steps: RELOC_MAX_STEPS } as const;

/** The learner's relocation step: 0 or a negative errno. */
export type relocate_fn = (i915: drm_i915_private, obj: drm_i915_gem_object) => Promise<number>;

/** What one execbuffer ioctl saw, for checks. */
export interface execbuffer_outcome {
  /** What the relocation returned (null: it never returned). */
  ret: number | null;
  /** The object's pin count before and after the relocation. */
  pin_before: number;
  pin_after: number;
  /** The object's sg_table before and after (the same table if its pages stayed put). */
  pages_before: sg_table | null;
  pages_after: sg_table | null;
}

/** Pages in the target object of the relocations. */
export const TARGET_PAGES = 8;

/**
 * fill_to_min - from a task: take free pages until exactly the min
 * watermark is left, keeping them in @keep. GFP_NOWAIT (as atomic
 * allocations elsewhere would) never enters reclaim itself; it only wakes
 * kswapd. Large blocks first, so the setup stays cheap for the explorer.
 */
async function fill_to_min(keep: Array<[page, number]>): Promise<void> {
  for (;;) {
    const { free, min, low } = zone_info();
    if (free <= min) return;
    let order = 0;
    while (free - (2 << order) >= low) order++;
    const p = await alloc_pages(GFP_NOWAIT, order);
    if (!p) return;
    keep.push([p, order]);
  }
}

/**
 * execbuffer_ioctl - the task body: set up the world (a pinned scanout
 * buffer, one purgeable cache object that reclaim may take, and the target
 * object with its pages, unpinned and needed), then, under struct_mutex
 * with memory at the min watermark, call @relocate on the target. Fills
 * @out as it goes. The memory taken to create the pressure is given back at
 * the end, so kswapd goes back to sleep and the run ends soon after.
 */
export async function execbuffer_ioctl(w: world, relocate: relocate_fn, out: execbuffer_outcome): Promise<void> {
  await populate(w, { pinned_pages: 4, cache_objects: 1, cache_object_pages: 4 });
  const obj = await i915_gem_object_create(w.i915, TARGET_PAGES * PAGE_SIZE);
  if (!obj || (await i915_gem_object_pin_pages(obj))) throw new Error('execbuffer_ioctl: no memory for the target object');
  i915_gem_object_unpin_pages(obj); // it has pages; nothing pins them
  const keep: Array<[page, number]> = [];
  await mutex_lock(w.i915.struct_mutex);
  i915_gem_object_get(obj); // execbuffer's own reference, from looking the handle up (eb_lookup_vmas)
  await fill_to_min(keep);
  out.pin_before = model_checker_read(obj.mm.pages_pin_count);
  out.pages_before = obj.mm.pages;
  out.ret = await relocate(w.i915, obj);
  out.pin_after = model_checker_read(obj.mm.pages_pin_count);
  out.pages_after = obj.mm.pages;
  i915_gem_object_put(obj); // eb_release_vmas
  mutex_unlock(w.i915.struct_mutex);
  for (const [p, order] of keep) __free_pages(p, order);
}

/** A fresh outcome record. */
export function new_execbuffer_outcome(): execbuffer_outcome {
  return { ret: null, pin_before: -1, pin_after: -1, pages_before: null, pages_after: null };
}

/**
 * relocate_under_pressure - the scenario: one execbuffer ioctl as above,
 * with kswapd (woken by the pressure) free to run at any point. A
 * relocation that keeps using pages the shrinker dropped under its kmalloc
 * gets KASAN's use-after-free report.
 */
export function relocate_under_pressure(id: string, relocate: relocate_fn, out: execbuffer_outcome = new_execbuffer_outcome()): scenario {
  return {
    id,
    params: { ...RELOC_PARAMS },
    setup() {
      Object.assign(out, new_execbuffer_outcome());
      const w = gem_world({ release: '4.12' });
      user_task(() => execbuffer_ioctl(w, relocate, out), 'i915_execbuf');
    },
  };
}

// ---------------------------------------------------------------------------
// Generated relocation workloads (exercise 06's graded properties)
//
// One execbuffer ioctl as above, on a machine fast-check generates: the
// target object in every state a batch can be in, any mix of other objects,
// swap on or off, free memory at, just above or just below each watermark
// (and down to the atomic reserve), lockdep on or off, any task name, and
// fault injection at the n'th slab allocation the relocation makes. The
// outcome records what a reviewer checks afterwards.

/** The states a batch object can be in when execbuffer relocates it. */
export const TARGET_STATES = [
  'unpinned', //        has pages, nobody pins them: what the shrinker takes first
  'no-pages', //        never used: the pages are read in by the relocation itself, under pressure
  'bound', //           bound into the GTT and idle: the binding pins once, so it is still releasable
  'pinned-by-user', //  someone else (a CPU mmap) holds a pin: the relocation must leave it
] as const;
export type target_state = (typeof TARGET_STATES)[number];

/** A free-memory level: a watermark and an offset from it, or the bottom of the atomic reserve. */
export type memory_level = { mark: 'min' | 'low' | 'high'; delta: number } | { mark: 'atomic-floor'; delta: 0 };

export interface relocation_workload {
  /**
   * The batch. purgeable (opt-in): userspace marked it I915_MADV_DONTNEED while it still has pages (a bo cache
   * hands out such buffers; execbuffer takes them as they are): the shrinker's first pass purges exactly these,
   * so an unpinned one is gone under the ioctl's own kmalloc (red team 11: no-pin-for-purgeable).
   */
  target: {
    state: target_state;
    pages: number;
    purgeable?: boolean;
    bound_twice?: boolean;
    shared?: boolean;
    /** Opt-in: an earlier execbuffer's relocation wrote the batch (obj->mm.dirty): the second execbuffer of a batch, the common case. */
    dirty?: boolean;
    /**
     * Opt-in ('bound' only): the GPU has just completed the previous execbuffer of this batch and nobody has retired
     * that request yet (obj->active_count still set). i915_gem_shrink() retires first, so reclaim under the ioctl's
     * kmalloc finds it idle.
     */
    gpu_completed?: boolean;
  };
  /** The other GEM objects on the machine. */
  objects: gem_object_spec[];
  /** Purgeable buffer cache objects of 4 pages (Mesa's bo cache). */
  cache_objects: number;
  /**
   * Jiffies the GPU still uses the buffer cache (0: idle). While it does,
   * reclaim's scan skips the cache; if nothing else can go, reclaim fails
   * and the OOM notifier, inside the ioctl's own allocation, waits for the
   * GPU and then releases everything it may, busy or not.
   */
  cache_busy_jiffies: number;
  swap: boolean;
  level: memory_level;
  lockdep: boolean;
  /** The ioctl task's name. */
  comm: string;
  /** Fail the n'th slab allocation the relocation makes and every later one of the ioctl's (0: none), as failslab would. */
  fail_nth_kmalloc: number;
  /** Seconds the machine has been up (absent: a fresh boot; scenarios/uptime.ts). */
  uptime_secs?: number;
  /**
   * Pages of RAM (absent: WORLD_PARAMS', 256). A batch of thousands of pages needs a machine to hold it: whether
   * the relocation pins its batch must not depend on the batch's size (red team 10 and 11: pins only batches up to
   * 64, then 256 pages, each one past the largest batch the checks had made).
   */
  totalram_pages?: number;
  /** CPUs and the first pid (boot params nr_cpus, first_pid; absent: 2 CPUs, pids from 1). */
  nr_cpus?: number;
  first_pid?: number;
  /**
   * Resident anonymous pages of another process, "memhog", asleep the whole
   * time (0 or absent: none). Without swap nothing but the OOM killer can
   * free them, and the OOM killer picks it (the biggest rss) only for an
   * allocation that may use the filesystem: out_of_memory() returns early
   * for one without __GFP_FS ("The OOM killer does not compensate for
   * IO-less reclaim", mm/oom_kill.c, v4.11) and the allocator retries.
   */
  hog_pages?: number;
  /**
   * Another CPU allocates at the relocation's first reclaiming kmalloc made
   * while the batch has pages (GFP_ATOMIC: an interrupt handler, network
   * RX), down to one page below the min watermark, between whatever the
   * relocation looked at and kmalloc's own watermark check. Free memory is a
   * snapshot that other CPUs change at any time: an answer that decided from
   * it (pin only when memory is low) now meets reclaim anyway.
   */
  racing_allocator?: boolean;
  /**
   * For a batch 'pinned-by-user': the other user (a CPU mmap, a display flip
   * finishing) drops its pin at that same moment. pages_pin_count is raised
   * and dropped without struct_mutex (i915_gem_object_unpin_pages,
   * i915_gem_object_unpin_map; obj->mm.lock in v4.11): someone else's pin is
   * theirs to drop, and only the relocation's own pin protects it.
   */
  user_unpins_in_kmalloc?: boolean;
}

/** The comm of the workload's memory hog (hog_pages): no ioctl task is named so. */
export const HOG_COMM = 'memhog';

/**
 * A level at, one page above or one page below the min, low or high
 * watermark; above min also a few pages more (room for a small batch's own
 * pages and nothing else: the relocation's kmalloc then lands below min).
 */
export const arb_memory_level: fc.Arbitrary<memory_level> = fc.oneof(
  fc.record({ mark: fc.constant('min' as const), delta: fc.integer({ min: -1, max: 3 }) }),
  fc.record({ mark: fc.constantFrom('low' as const, 'high' as const), delta: fc.integer({ min: -1, max: 1 }) }),
);

/** arb_relocation_workload - machines for the relocation; @faults: also inject allocation failures. */
export function arb_relocation_workload(faults: boolean): fc.Arbitrary<relocation_workload> {
  // Down at the atomic reserve, reclaim must find about 20 pages for the
  // relocation to go on: the machine then has a bigger buffer cache, so that
  // a correct relocation never ends in the OOM killer.
  const level_and_cache = fc.oneof(
    fc.record({ level: arb_memory_level, cache_objects: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ level: fc.constant<memory_level>({ mark: 'atomic-floor', delta: 0 }), cache_objects: fc.integer({ min: 8, max: 10 }) }),
  );
  return fc
    .record({
      target: fc.record({ state: fc.constantFrom(...TARGET_STATES), pages: fc.integer({ min: 1, max: 12 }) }),
      objects: arb_gem_objects(0, 6, 4),
      level_and_cache,
      swap: fc.boolean(),
      cache_busy_jiffies: fc.constantFrom(0, 0, 20),
      lockdep: fc.boolean(),
      comm: arb_comm,
      fail_nth_kmalloc: faults ? fc.integer({ min: 1, max: 2 }) : fc.constant(0),
    })
    .map(({ level_and_cache: lc, ...rest }) => ({ ...rest, level: lc.level, cache_objects: Math.max(lc.cache_objects, cache_needed(rest.target, lc.level)) }));
}

/** A delta above high that the small machine never reaches: nothing is taken, free memory stays as the setup left it. */
export const NOTHING_TAKEN = 1000;

/**
 * Every watermark, one page below it, at it and one page above it, or well
 * above high (plenty free: what a "memory is fine" rule sees).
 */
export const arb_any_watermark_level: fc.Arbitrary<memory_level> = fc.oneof(
  fc.record({ mark: fc.constantFrom('min' as const, 'low' as const, 'high' as const), delta: fc.integer({ min: -1, max: 1 }) }),
  fc.record({ mark: fc.constant('high' as const), delta: fc.oneof(fc.integer({ min: 2, max: 24 }), fc.constant(NOTHING_TAKEN)) }),
);


/**
 * arb_racy_relocation_workload - machines where what the relocation sees
 * when it looks does not last: free memory at, just above or just below
 * each watermark (or plenty), another CPU allocating at its kmalloc, and a
 * batch another user pinned dropping that pin at the same moment.
 */
export const arb_racy_relocation_workload: fc.Arbitrary<relocation_workload> = fc
  .record({
    target: fc.record({ state: fc.constantFrom(...TARGET_STATES), pages: fc.integer({ min: 1, max: 12 }) }),
    objects: arb_gem_objects(0, 4, 4),
    level: arb_any_watermark_level,
    cache_objects: fc.integer({ min: 1, max: 4 }),
    swap: fc.boolean(),
    lockdep: fc.boolean(),
    comm: arb_comm,
    racing_allocator: fc.constantFrom(true, true, false),
    user_unpins_in_kmalloc: fc.constantFrom(true, true, false),
  })
  .map((wl) => ({
    ...wl,
    cache_busy_jiffies: 0,
    fail_nth_kmalloc: 0,
    // the racer takes memory down below min: room for reclaim to climb back over it
    cache_objects: Math.max(wl.cache_objects, cache_needed(wl.target, { mark: 'min', delta: -1 })),
  }));

/**
 * cache_needed - purgeable 4-page cache objects the machine needs so that a
 * correct relocation of @target at @level never ends in the OOM killer: a
 * batch without pages has them read in under the same pressure, and down at
 * the atomic reserve reclaim must first climb back over the min watermark.
 */
export function cache_needed(target: relocation_workload['target'], level: memory_level): number {
  const pages = (target.state === 'no-pages' ? target.pages : 0) + (level.mark === 'atomic-floor' ? 28 : 4);
  return Math.ceil(pages / 4);
}

/**
 * The largest batch the checks relocate: 16384 pages, 64 MiB, past any chunk
 * a relocation would plausibly treat apart (a real batch buffer is kilobytes
 * to a few megabytes; the model makes such a batch in about a second).
 */
export const LARGEST_BATCH_PAGES = 16_384;

/**
 * big_batch - @wl with a batch of @pages on a machine that holds it twice
 * over, free memory as the setup left it: no pressure is needed to judge
 * the rule that holds at every size, that every allocation that can reclaim
 * is made with the batch pinned (run_relocation's unpinned_alloc).
 */
export function big_batch(wl: relocation_workload, pages: number): relocation_workload {
  const totalram_pages = Math.max(256, 2 ** Math.ceil(Math.log2(2 * pages + 256)));
  return { ...wl, target: { ...wl.target, pages }, totalram_pages, level: { mark: 'high', delta: NOTHING_TAKEN } };
}

/** The thread's case: an unpinned batch, swap, memory at the min watermark. */
export const DECISIVE_RELOCATION: relocation_workload = {
  target: { state: 'unpinned', pages: TARGET_PAGES },
  objects: [],
  cache_objects: 1,
  cache_busy_jiffies: 0,
  swap: true,
  level: { mark: 'min', delta: 0 },
  lockdep: true,
  comm: 'i915_execbuf',
  fail_nth_kmalloc: 0,
};

export function describe_relocation_workload(wl: relocation_workload): string {
  const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;
  const level = wl.level.mark === 'atomic-floor' ? 'free memory down to the atomic reserve (below min)' :
    wl.level.delta >= NOTHING_TAKEN ? 'free memory as the setup left it (far above the high watermark)' :
    `free memory ${wl.level.delta === 0 ? 'at' : wl.level.delta > 0 ? `${pages(wl.level.delta)} above` : `${pages(-wl.level.delta)} below`} the ${wl.level.mark} watermark`;
  return `batch ${wl.target.state}${wl.target.bound_twice ? ' twice (the global GTT and a ppgtt)' : ''}${wl.target.purgeable ? ' and marked DONTNEED (purgeable)' : ''}${wl.target.shared ? ', shared with another client (a second handle)' : ''}${wl.target.dirty ? ', dirty (an earlier relocation wrote it)' : ''}${wl.target.gpu_completed ? ', its previous request completed on the GPU and not yet retired (active)' : ''}, ${wl.target.pages} pages; other objects: ${describe_objects(wl.objects)}; ` +
    `${wl.cache_objects} purgeable cache objects${wl.cache_busy_jiffies ? ` the GPU still uses for ${wl.cache_busy_jiffies} jiffies` : ''}; swap ${wl.swap ? 'on' : 'off'}; ${level}; lockdep ${wl.lockdep ? 'on' : 'off'}; ` +
    `ioctl task "${wl.comm}"` + (wl.fail_nth_kmalloc ? `; slab allocation #${wl.fail_nth_kmalloc} of the relocation fails (failslab)` : '') +
    (wl.hog_pages ? `; a sleeping process "${HOG_COMM}" holds ${pages(wl.hog_pages)} of anonymous memory` : '') +
    (wl.racing_allocator ? '; at the relocation\'s first kmalloc with the batch\'s pages present, another CPU allocates (GFP_ATOMIC) down to 1 page below the min watermark' : '') +
    (wl.user_unpins_in_kmalloc && wl.target.state === 'pinned-by-user' ? '; the batch\'s other user drops its pin at that kmalloc' : '') +
    (wl.totalram_pages ? `; a machine of ${wl.totalram_pages} pages` : '') +
    (wl.nr_cpus ? `; ${wl.nr_cpus} CPUs` : '') + (wl.first_pid ? `; tasks numbered from pid ${wl.first_pid}` : '') +
    describe_uptime(wl.uptime_secs);
}

/** What one generated relocation did: the reviewer's list. */
export interface relocation_outcome {
  /** What the relocation returned (null: it never returned). */
  ret: number | null;
  /** Relocations written into the page the batch holds at index 0 afterwards. */
  written: number;
  /** Did the batch keep the same sg_table (its pages were never put) across the call? */
  same_pages: boolean;
  /** Is the batch marked dirty afterwards (its pages will be written back, not dropped)? */
  dirty: boolean;
  /** pages_pin_count after minus before. */
  pin_delta: number;
  /** Objects live in kmalloc-1024 (the relocation buffer's cache) after minus before. */
  reloc_buffers_leaked: number;
  /** Slab allocations the injected fault hit (0, or 1 and every later one of the ioctl's). */
  faults_hit: number;
  /** Who owns struct_mutex after the call (the ioctl must still own it). */
  locks: string | null;
  /** The page allocator's books. */
  books: string | null;
  /** Jiffies the call took and the times the ioctl slept in it. */
  stalled_jiffies: number;
  slept: number;
  /** Free pages right after the call (what else ran meanwhile moves it; reserves are the page allocator's record: model_reserve_pages_taken). */
  free_after: number;
  /**
   * The first allocation the relocation made that may enter direct reclaim
   * while the batch had pages and nobody pinned them (what it was), or null.
   * Whether an allocation reclaims depends on everything else the machine
   * does meanwhile; that it MAY is in its gfp mask.
   */
  unpinned_alloc?: string | null;
}

/**
 * fill_to - from a task: take free pages until @target are left: with
 * GFP_NOWAIT down to the min watermark (never reclaims, only wakes kswapd),
 * then with GFP_ATOMIC below it (an atomic allocation may dip into the
 * reserve; the kernel's ALLOC_HIGH/ALLOC_HARDER). Target -1: take every
 * page GFP_ATOMIC can get. Large blocks first: up to order 4 (64 KiB) on
 * machines up to 512 MiB, larger on bigger ones (fill_max_order), so that
 * filling a machine of up to 64 GiB takes at most about 16384 allocations.
 */
async function fill_to(target: number, keep: Array<[page, number]>): Promise<void> {
  let max_order = fill_max_order(zone_info().managed);
  for (;;) {
    const { free, min } = zone_info();
    if (target >= 0 && free <= target) return;
    const gfp = free > min && (target < 0 || target >= min) ? GFP_NOWAIT : GFP_ATOMIC;
    const floor = Math.max(target < 0 ? 0 : target, gfp === GFP_NOWAIT ? min : 0);
    let order = 0;
    while (order < max_order && free - (2 << order) >= floor) order++;
    const p = await alloc_pages(gfp | __GFP_NOWARN, order);
    if (p) {
      keep.push([p, order]);
      continue;
    }
    if (order === 0) return; // nothing more to take with these flags
    max_order = order - 1; // the watermark refused a block: smaller ones
  }
}

/** Blocks fill_to takes from a machine of up to 512 MiB at order 4 (fill_max_order). */
const FILL_BLOCKS = 8192;

/**
 * fill_max_order - the largest block fill_to starts with on a machine of
 * @managed pages: order 4 up to 2^17 pages (512 MiB: every machine the
 * checks filled before big machines, so their runs are unchanged), then one
 * order more per doubling of RAM, up to MAX_ORDER - 1 (4 MiB blocks): a
 * 64 GiB machine fills in 16384 allocations, not a million.
 */
export function fill_max_order(managed: number): number {
  return Math.min(MAX_ORDER - 1, Math.max(4, Math.ceil(Math.log2(managed / FILL_BLOCKS))));
}

function level_target(level: memory_level): number {
  if (level.mark === 'atomic-floor') return -1;
  const { min, low, high } = zone_info();
  return { min, low, high }[level.mark] + level.delta;
}

async function make_target(w: world, spec: relocation_workload['target']): Promise<drm_i915_gem_object> {
  const obj = await i915_gem_object_create(w.i915, spec.pages * PAGE_SIZE);
  if (!obj) throw new Error('check setup: no memory for the batch object');
  if (spec.state === 'no-pages') return obj;
  if (await i915_gem_object_pin_pages(obj)) throw new Error('check setup: no memory for the batch pages');
  if (spec.state === 'pinned-by-user') return obj; // keeps its pin
  i915_gem_object_unpin_pages(obj);
  if (spec.state === 'bound' && (await i915_gem_object_bind(obj))) throw new Error('check setup: cannot bind the batch');
  // Opt-in: bound in a context's ppgtt too (full ppgtt: most batches have two VMAs), bind_count 2.
  if (spec.state === 'bound' && spec.bound_twice && (await i915_gem_object_bind(obj))) throw new Error('check setup: cannot bind the batch twice');
  if (spec.purgeable) i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
  // Opt-in: another client holds the batch too (flink'd, or shared with PRIME): one more reference.
  if (spec.shared) i915_gem_object_get(obj);
  // Opt-in: written by an earlier relocation (dirty pages go to swap or the page cache on release, they are not kept).
  if (spec.dirty) obj.mm.dirty = true;
  // Opt-in: the previous execbuffer's request has just completed, not yet retired (i915_vma_move_to_active's record).
  if (spec.state === 'bound' && spec.gpu_completed) i915_gem_object_mark_active(obj, jiffies());
  return obj;
}

/**
 * run_relocation - boot the small machine described by @wl, and in one
 * ioctl task ("@wl.comm") holding struct_mutex with memory at @wl.level,
 * call @relocate on the batch, with @shrinker_ops as i915's shrinker if
 * given, stopping after @max_steps scheduler steps. Returns the run and the
 * outcome (undefined if the task never got that far).
 */
export async function run_relocation(
  wl: relocation_workload,
  relocate: relocate_fn,
  shrinker_ops?: Partial<i915_shrinker_ops>,
  max_steps: number = default_boot_params.max_steps,
): Promise<once_result<relocation_outcome>> {
  const w = { world: null as world | null };
  return run_once(
    { ...WORLD_PARAMS, swap_pages: wl.swap ? 64 : 0, lockdep: wl.lockdep, max_steps, uptime_secs: wl.uptime_secs ?? 0, ...(wl.totalram_pages ? { totalram_pages: wl.totalram_pages } : {}),
      ...(wl.nr_cpus ? { nr_cpus: wl.nr_cpus } : {}), ...(wl.first_pid ? { first_pid: wl.first_pid } : {}) },
    async (): Promise<relocation_outcome> => {
      const i915 = w.world!.i915;
      await populate(w.world!, { pinned_pages: 4, cache_objects: wl.cache_objects, cache_object_pages: 4 });
      if (wl.cache_busy_jiffies) for (const o of w.world!.cache) i915_gem_object_mark_active(o, jiffies() + wl.cache_busy_jiffies);
      await make_gem_objects(i915, wl.objects);
      const obj = await make_target(w.world!, wl.target);
      const keep: Array<[page, number]> = [];
      const relocs_cache = kmalloc_slab(RELOC_BUFFER_BYTES);
      await mutex_lock(i915.struct_mutex);
      // execbuffer's own reference, from looking the handle up (v4.11 eb_lookup_vmas): during the relocation the
      // batch always has at least two (a reference keeps the object, not its pages).
      i915_gem_object_get(obj);
      await fill_to(level_target(wl.level), keep);
      const before = { pin: model_checker_read(obj.mm.pages_pin_count), pages: obj.mm.pages, buffers: relocs_cache.nr_objects };
      const locks = lock_owners([i915.struct_mutex]);
      const faults = { seen: 0, hit: 0 };
      let unpinned_alloc: string | null = null;
      const ioctl = current;
      // Pins held by the batch's other user (not the relocation's): they protect nothing the relocation can count on.
      let user_pins = wl.target.state === 'pinned-by-user' ? 1 : 0;
      let raced = false;
      // Every slab allocation passes should_failslab(): watch the relocation's own, and inject the workload's fault.
      failslab_set((size, gfp) => {
        const reclaiming = current === ioctl && (gfp & __GFP_DIRECT_RECLAIM) !== 0;
        if (reclaiming && !raced && obj.mm.pages) {
          // slab_pre_alloc_hook's might_sleep() (a voluntary preemption point): the rest of the machine moves on.
          raced = true;
          if (wl.user_unpins_in_kmalloc && user_pins > 0) {
            i915_gem_object_unpin_pages(obj); // the other user's unpin, without struct_mutex
            user_pins--;
          }
          if (wl.racing_allocator) other_cpu_allocates(zone_info().min - 1, keep);
        }
        // Only the relocation's own pin (beyond the bindings' and the other user's) keeps the shrinker off the pages.
        if (reclaiming && !unpinned_alloc && obj.mm.pages && model_checker_read(obj.mm.pages_pin_count) - user_pins <= obj.bind_count && obj.vma_pin_count === 0) {
          unpinned_alloc = `kmalloc(${size}, ${format_gfp(gfp)})`;
        }
        // From the n'th on, every slab allocation the ioctl makes fails (failslab with times -1 once the interval is
        // reached): a fallback allocation after a failed try meets the same shortage, so the error path is reached
        // however many tries the relocation makes (red team 13's nowait_first_then_reclaim: a fallback that succeeds
        // after one injected failure is what a fallback is for).
        if (!wl.fail_nth_kmalloc) return false;
        if (faults.hit > 0 ? current !== ioctl : ++faults.seen !== wl.fail_nth_kmalloc) return false;
        faults.hit++;
        return true;
      });
      const m = await measure_call(() => relocate(i915, obj));
      failslab_set(null);
      const page0 = obj.mm.pages?.pages[0] ?? null;
      const out: relocation_outcome = {
        ret: m.value,
        written: page0 ? model_relocations_written(page0) : 0,
        same_pages: obj.mm.pages === before.pages,
        dirty: obj.mm.dirty,
        pin_delta: model_checker_read(obj.mm.pages_pin_count) - before.pin + ((wl.target.state === 'pinned-by-user' ? 1 : 0) - user_pins),
        reloc_buffers_leaked: relocs_cache.nr_objects - before.buffers,
        faults_hit: faults.hit,
        locks: locks_balanced(locks),
        books: null,
        stalled_jiffies: m.stalled_jiffies,
        slept: m.slept,
        free_after: zone_info().free,
        unpinned_alloc,
      };
      i915_gem_object_put(obj); // eb_release_vmas
      mutex_unlock(i915.struct_mutex);
      for (const [p, order] of keep) __free_pages(p, order);
      out.books = page_accounting();
      return out;
    },
    () => {
      // Exercise 13 runs this with the learner's shrinker (count, scan, the OOM notifier) in place of v4.11's.
      w.world = gem_world({ release: '4.12', ...(shrinker_ops ? { shrinker_ops } : {}) });
      // Asleep for longer than any relocation takes; if the OOM killer picks it, the reaper frees its pages.
      if (wl.hog_pages) user_task(() => msleep(HOG_SLEEP_MS), HOG_COMM, { rss_pages: wl.hog_pages });
    },
    wl.comm,
  );
}

/**
 * other_cpu_allocates - models atomic allocations made on the other CPU at
 * this instant (an interrupt handler's, network RX: GFP_ATOMIC may go below
 * min, ALLOC_HIGH|ALLOC_HARDER): take free pages until @target are left,
 * waking kswapd as their slow path does (mm/page_alloc.c). The pages are
 * kept in @keep and given back when the ioctl is done.
 */
function other_cpu_allocates(target: number, keep: Array<[page, number]>): void {
  wakeup_kswapd(0);
  while (zone_info().free > target) {
    const p = rmqueue(0);
    if (!p) return;
    keep.push([p, 0]);
  }
}

/** How long the memory hog sleeps: longer than any relocation takes (virtual time, no work). */
const HOG_SLEEP_MS = 2000;

/** The size of the relocation buffer the exercise allocates (32 entries of 32 bytes): it comes from kmalloc-1024. */
export const RELOC_BUFFER_BYTES = 32 * 32;
