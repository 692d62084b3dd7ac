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
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_create,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
  type sg_table,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_NOWAIT } from '../kernel/mm/gfp';
import { __free_pages, alloc_pages, zone_info, type page } from '../kernel/mm/page_alloc';
import { gem_world, populate, WORLD_PARAMS, type gem_world as world } from './i915_world';

/** The small machine, with swap (64 pages) so that needed objects can be released. */
export const RELOC_PARAMS = { ...WORLD_PARAMS, swap_pages: 64 } as const;

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
  await fill_to_min(keep);
  out.pin_before = obj.mm.pages_pin_count;
  out.pages_before = obj.mm.pages;
  out.ret = await relocate(w.i915, obj);
  out.pin_after = obj.mm.pages_pin_count;
  out.pages_after = obj.mm.pages;
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
