// A small machine with an i915 GPU under memory pressure: the stage on which
// the thread's scenarios (scenarios/thread.ts) and the exercises play.
//
// Memory is laid out so that reclaim has nothing to take but i915's
// buffers: a "scanout" object whose pages stay pinned fills most of RAM, and
// a userspace buffer cache (objects marked I915_MADV_DONTNEED, as Mesa does
// for buffers it keeps for reuse) holds the rest. There is no swap, so only
// purging the cache gives memory back: exactly the pages Chris says are
// "returned to the system directly by truncating the shmemfs filp".
import { i915_gem_load, type i915_gem_options } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { I915_MADV_DONTNEED, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_create,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { GFP_KERNEL, type gfp_t } from '../kernel/mm/gfp';
import { alloc_page, type page } from '../kernel/mm/page_alloc';
import { boot_params } from '../kernel/init/params';
import { DECLARE_WORK, flush_work, schedule_work_on } from '../kernel/workqueue';

/**
 * The machine: 256 pages (1 MiB) of RAM, no swap, two CPUs. Tiny, so that the
 * explorer can afford thousands of runs; the watermarks come out at
 * min 32, low 40, high 48 pages (min_free_kbytes is clamped to 128).
 */
export const WORLD_PARAMS = { nr_cpus: 2, totalram_pages: 256, swap_pages: 0 } as const;

export interface world_layout {
  /** Pages pinned by the scanout buffer (never reclaimable). */
  pinned_pages: number;
  /** Purgeable cache objects, and pages in each. */
  cache_objects: number;
  cache_object_pages: number;
}

export const DEFAULT_LAYOUT: world_layout = { pinned_pages: 140, cache_objects: 4, cache_object_pages: 12 };

export interface gem_world {
  i915: drm_i915_private;
  scanout: drm_i915_gem_object | null;
  cache: drm_i915_gem_object[];
}

/** Set up GEM (call from a scenario's setup). */
export function gem_world(opts: i915_gem_options = {}): gem_world {
  return { i915: i915_gem_load(opts), scanout: null, cache: [] };
}

/**
 * populate - from a task: create the pinned scanout buffer and the purgeable
 * buffer cache. The cache objects end with pages, unpinned and DONTNEED, so
 * the shrinker may purge them.
 */
export async function populate(w: gem_world, layout: world_layout = DEFAULT_LAYOUT): Promise<void> {
  const scanout = await i915_gem_object_create(w.i915, layout.pinned_pages * PAGE_SIZE);
  if (!scanout || (await i915_gem_object_pin_pages(scanout))) throw new Error('populate: no memory for the scanout buffer');
  w.scanout = scanout;
  for (let i = 0; i < layout.cache_objects; i++) {
    const obj = await i915_gem_object_create(w.i915, layout.cache_object_pages * PAGE_SIZE);
    if (!obj || (await i915_gem_object_pin_pages(obj))) throw new Error('populate: no memory for the buffer cache');
    i915_gem_object_unpin_pages(obj);
    i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
    w.cache.push(obj);
  }
}

/**
 * allocate_pages - from a task: take @n pages one at a time with @gfp (as a
 * driver filling a command buffer would). Returns how many it got; the pages
 * are kept, so the pressure lasts.
 */
export async function allocate_pages(n: number, gfp: gfp_t = GFP_KERNEL, keep: page[] = []): Promise<number> {
  let got = 0;
  for (let i = 0; i < n; i++) {
    const p = await alloc_page(gfp);
    if (!p) break;
    keep.push(p);
    got++;
  }
  return got;
}

/** Pages still held by the buffer cache. */
export function cache_pages_resident(w: gem_world): number {
  return w.cache.reduce((sum, o) => sum + (o.mm.pages ? o.mm.pages.pages.length : 0), 0);
}

/**
 * warm_up_workqueues - from a task: run one trivial work item on every CPU's
 * system_wq pool, so each pool has created its spare idle kworker while
 * memory is still plentiful (a machine that has been up for a while has).
 * Without it the first work item queued under pressure makes its pool
 * allocate a kworker, and that allocation enters reclaim.
 */
export async function warm_up_workqueues(): Promise<void> {
  for (let cpu = 0; cpu < boot_params().nr_cpus; cpu++) {
    const work = DECLARE_WORK(async () => {}, 'warm_up');
    schedule_work_on(cpu, work);
    await flush_work(work);
  }
}
