// Every way reclaim calls into i915's shrinker, as one generated workload.
//
// A shrinker callback is not called from one place. do_shrink_slab()
// (mm/vmscan.c) calls count_objects and scan_objects for:
// - direct reclaim (__alloc_pages_direct_reclaim -> try_to_free_pages), in
//   the task that allocates: often a GEM ioctl holding struct_mutex, so the
//   shrinker recurses into the lock its own task holds;
// - the same with GFP_NOFS (filesystem code, or a driver that must not
//   recurse into the FS): shrink_slab still calls every shrinker, and each
//   one decides what __GFP_FS forbids it (i915 does not look at it);
// - kswapd (mm/vmscan.c balance_pgdat), woken when an allocation goes below
//   the low watermark, running in its own task with PF_MEMALLOC|PF_KSWAPD,
//   concurrently with the allocating task, which may hold struct_mutex
//   while it waits for the GPU: then kswapd meets a lock it cannot take;
// - drop_caches (fs/drop_caches.c drop_slab), from a plain process.
// A check that takes one of them accepts answers keyed to it ("only kswapd
// can...", "only when __GFP_FS..."); this workload takes all of them, on a
// generated GEM machine at generated memory levels.
import { fc } from '../course/workload';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { i915_gem_object_create, i915_gem_object_pin_pages, PAGE_SIZE, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { boot_params } from '../kernel/init/params';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS, GFP_NOWAIT, __GFP_NOWARN } from '../kernel/mm/gfp';
import { zone_info } from '../kernel/mm/page_alloc';
import { kfree, kmalloc } from '../kernel/mm/slab';
import { drop_slab, shrinker_nr_deferred } from '../kernel/mm/vmscan';
import { msleep } from '../kernel/sched/core';
import { run_once, type once_result } from '../course/check_helpers';
import { page_accounting } from '../course/invariants';
import { arb_comm, arb_gem_objects, describe_objects, make_gem_objects, type gem_object_spec } from './gem_workloads';
import { allocate_pages, gem_world, WORLD_PARAMS } from './i915_world';

/** The ways into the shrinker this workload takes. */
export const RECLAIM_PATHS = ['direct', 'direct-nofs', 'kswapd', 'kswapd-while-held', 'drop-caches'] as const;
/**
 * Paths suites opt into (named in hand-picked workloads), kept out of the
 * generated list so that existing generated workloads stay as recorded:
 * 'kswapd-after-ioctl' is kswapd meeting a FREE struct_mutex after a GEM
 * ioctl has allocated under it (GFP_KERNEL). With lockdep on, the ioctl's
 * allocation marks struct_mutex as held across a __GFP_FS allocation, so a
 * shrinker that then takes it with a sleeping mutex_lock() in kswapd (a
 * reclaim context) gets v4.11 lockdep's "inconsistent lock state" report:
 * the deadlock that mutex_lock() from reclaim is, even on a free lock.
 */
export const MORE_RECLAIM_PATHS = ['kswapd-after-ioctl'] as const;
export type reclaim_path = (typeof RECLAIM_PATHS)[number] | (typeof MORE_RECLAIM_PATHS)[number];

export interface reclaim_path_workload {
  path: reclaim_path;
  /** GEM objects besides a small purgeable buffer cache that every machine has (so reclaim can always succeed). */
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  /** The task that allocates (holding struct_mutex on the direct paths) or writes drop_caches. */
  comm: string;
  /** Free pages above the low watermark before the workload starts (0: exactly at it). */
  start_above_low: number;
  /** How far below the watermark the allocation goes (min for direct reclaim, low for kswapd). */
  below: number;
}

export const arb_reclaim_path_workload: fc.Arbitrary<reclaim_path_workload> = fc.record({
  path: fc.constantFrom(...RECLAIM_PATHS),
  objects: arb_gem_objects(0, 8, 6),
  swap: fc.boolean(),
  lockdep: fc.boolean(),
  comm: arb_comm,
  start_above_low: fc.integer({ min: 0, max: 4 }),
  below: fc.integer({ min: 1, max: 8 }),
});

/** The buffer cache every machine has: three purgeable 8-page buffers (Mesa's DONTNEED cache). */
export const PATH_CACHE: readonly gem_object_spec[] = [
  { kind: 'purgeable', pages: 8 },
  { kind: 'purgeable', pages: 8 },
  { kind: 'purgeable', pages: 8 },
];

/** One decisive workload per path: the buffer cache and one object of every releasable kind. */
export function decisive_path_workloads(comm: string, lockdep: boolean): reclaim_path_workload[] {
  const objects: gem_object_spec[] = [
    { kind: 'needed', pages: 4 },
    { kind: 'bound-idle', pages: 3 },
    { kind: 'bound-active', pages: 2 },
    { kind: 'pinned', pages: 2 },
  ];
  return RECLAIM_PATHS.map((path) => ({ path, objects, swap: true, lockdep, comm, start_above_low: 2, below: 4 }));
}

export function describe_reclaim_path_workload(wl: reclaim_path_workload): string {
  const how: Record<reclaim_path, string> = {
    direct: `"${wl.comm}" holds struct_mutex and allocates GFP_KERNEL ${wl.below} pages below the min watermark (direct reclaim recurses into i915)`,
    'direct-nofs': `"${wl.comm}" holds struct_mutex and allocates GFP_NOFS ${wl.below} pages below the min watermark`,
    kswapd: `"${wl.comm}" allocates GFP_NOWAIT ${wl.below} pages below the low watermark and kswapd0 reclaims`,
    'kswapd-while-held': `"${wl.comm}" takes struct_mutex, allocates GFP_NOWAIT ${wl.below} pages below the low watermark, ` +
      'and waits 20 ms for the GPU with the lock held while kswapd0 reclaims',
    'drop-caches': `"${wl.comm}" writes 2 to /proc/sys/vm/drop_caches`,
    'kswapd-after-ioctl': `"${wl.comm}" kmallocs (GFP_KERNEL) under struct_mutex and unlocks, then allocates GFP_NOWAIT ${wl.below} pages below the low watermark and kswapd0 reclaims with the lock free`,
  };
  return `${how[wl.path]}; free memory started ${wl.start_above_low} pages above the low watermark; ` +
    `buffer cache 3×8p purgeable + ${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}`;
}

/** What a reviewer reads off a finished reclaim-path run. */
export interface reclaim_path_run {
  /** Pages of GEM objects (cache and generated ones) that were released. */
  gem_pages_released: number;
  /** The i915 shrinker's nr_deferred when everything settled. */
  nr_deferred: number;
  /** Who holds struct_mutex at the end (null: nobody, as it must be). */
  struct_mutex_owner: string | null;
  /** page_accounting()'s verdict (null: the books balance). */
  books: string | null;
}

/** The ioctl's allocation under struct_mutex on the 'kswapd-after-ioctl' path (from a slab that has room: no page taken). */
const IOCTL_KMALLOC_BYTES = 64;

const resident = (objs: readonly drm_i915_gem_object[]): number => objs.reduce((s, o) => s + (o.mm.pages ? o.mm.pages.pages.length : 0), 0);

/**
 * run_reclaim_path - boot the small i915 machine with @shrinker_ops (the
 * learner's callback, wrapped by the check to judge every call), build the
 * workload's objects, bring free memory to just above the low watermark with
 * a pinned buffer, then take the workload's path into reclaim and let
 * kswapd settle. @params overrides boot parameters.
 */
export async function run_reclaim_path(
  wl: reclaim_path_workload,
  shrinker_ops: Partial<i915_shrinker_ops>,
  params: Partial<boot_params> = {},
): Promise<once_result<reclaim_path_run>> {
  let w: ReturnType<typeof gem_world> | null = null;
  return run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0, ...params },
    async () => {
      const i915 = w!.i915;
      const objs = await make_gem_objects(i915, [...PATH_CACHE, ...wl.objects]);
      // A pinned buffer (think: the framebuffer) fills memory down to just above the low watermark.
      const fill = zone_info().free - (zone_info().low + wl.start_above_low) - 1; // -1: the object's own kmalloc
      if (fill > 0) {
        const pinned = await i915_gem_object_create(i915, fill * PAGE_SIZE);
        if (!pinned || (await i915_gem_object_pin_pages(pinned))) throw new Error('check setup: no memory for the pinned buffer');
      }
      const before = resident(objs);
      const z = zone_info();
      switch (wl.path) {
        case 'direct':
        case 'direct-nofs':
          await mutex_lock(i915.struct_mutex); // a GEM ioctl: allocations under struct_mutex
          await allocate_pages(z.free - z.min + wl.below, wl.path === 'direct' ? GFP_KERNEL : GFP_NOFS);
          mutex_unlock(i915.struct_mutex);
          break;
        case 'kswapd':
          await allocate_pages(z.free - z.low + wl.below, GFP_NOWAIT | __GFP_NOWARN);
          break;
        case 'kswapd-while-held':
          await mutex_lock(i915.struct_mutex);
          await allocate_pages(z.free - z.low + wl.below, GFP_NOWAIT | __GFP_NOWARN);
          await msleep(20); // waiting for the GPU with the lock held: kswapd runs meanwhile
          mutex_unlock(i915.struct_mutex);
          break;
        case 'drop-caches':
          await drop_slab();
          break;
        case 'kswapd-after-ioctl': {
          await mutex_lock(i915.struct_mutex); // a GEM ioctl's small allocation under the lock
          kfree(await kmalloc(IOCTL_KMALLOC_BYTES, GFP_KERNEL));
          mutex_unlock(i915.struct_mutex);
          await allocate_pages(z.free - z.low + wl.below, GFP_NOWAIT | __GFP_NOWARN);
          break;
        }
      }
      await msleep(50); // let kswapd finish what the allocation woke it for
      const owner = __mutex_owner(i915.struct_mutex);
      return {
        gem_pages_released: before - resident(objs),
        nr_deferred: i915.mm.shrinker ? shrinker_nr_deferred(i915.mm.shrinker) : 0,
        struct_mutex_owner: owner ? `${owner.comm}:${owner.pid}` : null,
        books: page_accounting(),
      };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops });
    },
    wl.comm,
  );
}
