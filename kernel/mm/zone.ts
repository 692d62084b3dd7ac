// Models: include/linux/mmzone.h (struct zone, watermarks) and the buddy
// half of mm/page_alloc.c (__setup_per_zone_wmarks, init_per_zone_wmark_min,
// __zone_watermark_ok, rmqueue, free_pages_prepare/free_one_page), v4.11.
//
// The machine has one node with one zone of boot_params().totalram_pages
// pages, all free at boot. Watermarks are computed as v4.11 does:
//   min_free_kbytes = int_sqrt(lowmem_kbytes * 16), clamped to [128, 65536]
//   min  = min_free_kbytes in pages
//   low  = min + max(min/4, managed * watermark_scale_factor / 10000)
//   high = min + 2 * (low - min)
// (watermark_scale_factor = 10). For 4096 pages (16 MiB): min 128, low 160,
// high 192.
//
// Simplified: no buddy lists and no fragmentation (a free block of any order
// is available while enough pages are free), no per-cpu page lists, no
// highatomic reserves, no lowmem_reserve. Freed page objects are kept and
// reused, hottest first, so the same frame comes back as in the kernel.
import { FP_ZONE, FP_ZONE_FREE, footprint_add, footprint_read, footprint_read_range, footprint_write } from '../footprint';
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { report } from '../panic';
import { current } from '../sched/core';
import { ALLOC_HARDER, ALLOC_HIGH } from './internal';
import { kasan_track } from './kasan';
import {
  format_page_flags,
  model_page_set,
  page,
  PAGE_SIZE,
  page_struct_address,
  PG_active,
  PG_locked,
  PG_lru,
  PG_slab,
  PG_swapcache,
  PG_unevictable,
  PG_writeback,
} from './mm_types';
import { count_vm_events } from './vmstat';

/** watermark_scale_factor sysctl default (v4.6+). */
export const WATERMARK_SCALE_FACTOR = 10;

/** struct zone, reduced: the page counts reclaim and the allocator look at. */
export interface zone {
  readonly name: 'Normal';
  /** managed_pages. */
  managed_pages: number;
  /** NR_FREE_PAGES. */
  free_pages: number;
  /** min_free_kbytes this boot derived its watermarks from. */
  min_free_kbytes: number;
  /** watermark[WMARK_MIN], [WMARK_LOW], [WMARK_HIGH], in pages. */
  watermark: [number, number, number];
}

let nr_free_pages = 0;
let watermarks: [number, number, number] = Object.freeze([0, 0, 0]) as [number, number, number];

/**
 * The zone of this boot (a live object: read its fields at any time). Its
 * free pages and watermarks are accessors that tag FP_ZONE_FREE and FP_ZONE on
 * every read and write, whoever makes it (learner code too); the model's own
 * watermark tests and page counts tag the free count as a counter (a range
 * read, an add): kswapd's first steps read
 * nothing else of mm, so the explorer may commute them with other tasks'
 * (kernel/footprint.ts). The watermarks are frozen: set them whole.
 */
export const zone: zone = {
  name: 'Normal',
  managed_pages: 0,
  get free_pages(): number {
    footprint_read(FP_ZONE_FREE);
    return nr_free_pages;
  },
  set free_pages(n: number) {
    footprint_write(FP_ZONE_FREE);
    nr_free_pages = n;
  },
  min_free_kbytes: 0,
  get watermark(): [number, number, number] {
    footprint_read(FP_ZONE);
    return watermarks;
  },
  set watermark(w: [number, number, number]) {
    footprint_write(FP_ZONE);
    watermarks = Object.freeze([w[0], w[1], w[2]]) as [number, number, number];
  },
};

/** Free page objects by order, hottest last. */
let free_objs: page[][] = [];
/** Frame number for the next page object that has to be created. */
let next_pfn = 0;

/** int_sqrt - integer square root. */
export function int_sqrt(x: number): number {
  return Math.floor(Math.sqrt(x));
}

register_initcall('core', 'mm_zone', () => {
  const managed = boot_params().totalram_pages;
  zone.managed_pages = managed;
  zone.free_pages = managed;
  // init_per_zone_wmark_min: lowmem_kbytes is nr_free_buffer_pages() in kB.
  const lowmem_kbytes = managed * (PAGE_SIZE >> 10);
  zone.min_free_kbytes = Math.min(65536, Math.max(128, int_sqrt(lowmem_kbytes * 16)));
  // __setup_per_zone_wmarks with a single lowmem zone (tmp = pages_min).
  const min = zone.min_free_kbytes >> 2;
  const tmp = Math.max(min >> 2, Math.floor((managed * WATERMARK_SCALE_FACTOR) / 10000));
  zone.watermark = [min, min + tmp, min + 2 * tmp];
  free_objs = [];
  next_pfn = 0x1000; // the first 16 MiB of "physical" memory belong to the kernel image, as it were
});

export function min_wmark_pages(z: zone): number {
  return z.watermark[0];
}
export function low_wmark_pages(z: zone): number {
  return z.watermark[1];
}
export function high_wmark_pages(z: zone): number {
  return z.watermark[2];
}

/**
 * __zone_watermark_ok - would @free_pages, less this allocation, stay above
 * @mark? ALLOC_HIGH may dip half below it, ALLOC_HARDER a further quarter.
 */
export function __zone_watermark_ok(z: zone, order: number, mark: number, alloc_flags: number, free_pages: number): boolean {
  // Order > 0: the kernel then looks for a free block of that order; the model has no fragmentation.
  void z;
  return free_pages > watermark_ok_above(order, mark, alloc_flags);
}

/** The most free pages with which __zone_watermark_ok still says no (its test is "free pages above this"). */
function watermark_ok_above(order: number, mark: number, alloc_flags: number): number {
  let min = mark;
  if (alloc_flags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (alloc_flags & ALLOC_HARDER) min -= Math.floor(min / 4);
  // (no highatomic reserve and no lowmem_reserve in the model)
  // free_pages - (2^order - 1) <= min fails the test.
  return min + (1 << order) - 1;
}

/**
 * free_pages_above - is the zone's free count above @t? Tags the count as a
 * range read: frees and allocations that cannot change the answer commute
 * with this test (explorer/README.md).
 */
function free_pages_above(t: number): boolean {
  const v = nr_free_pages;
  const ok = v > t;
  if (ok) footprint_read_range(FP_ZONE_FREE, v, t + 1, Infinity);
  else footprint_read_range(FP_ZONE_FREE, v, -Infinity, t);
  return ok;
}

/** zone_free_pages_below - fewer than @n free pages in the zone (a range read of the count, as free_pages_above). */
export function zone_free_pages_below(n: number): boolean {
  return !free_pages_above(n - 1);
}

/** zone_watermark_ok - __zone_watermark_ok with the zone's current free pages. */
export function zone_watermark_ok(z: zone, order: number, mark: number, alloc_flags: number): boolean {
  void z;
  return free_pages_above(watermark_ok_above(order, mark, alloc_flags));
}

/**
 * rmqueue - take a free block of 2^@order pages from the zone, ignoring
 * watermarks (the caller checked them). Returns it with one reference, or
 * null if the zone really has too few free pages.
 */
export function rmqueue(order: number): page | null {
  const n = 1 << order;
  if (zone_free_pages_below(n)) return null;
  // A counter: the take commutes with frees and with tests it cannot change.
  footprint_add(FP_ZONE_FREE, -n);
  nr_free_pages -= n;
  const stack = free_objs[order];
  let p = stack && stack.length > 0 ? stack.pop()! : undefined;
  if (!p) {
    p = new page(next_pfn);
    next_pfn += n;
  }
  p.order = order;
  p.flags = 0;
  model_page_set(p, '_refcount', 1);
  p.mapping = null;
  p.index = 0;
  p.private = 0;
  p.slab = null;
  model_page_set(p, 'freed', false);
  model_page_set(p, 'free_track', null);
  count_vm_events('pgalloc', n);
  return p;
}

/** Flags that must be clear when a page is freed (PAGE_FLAGS_CHECK_AT_FREE, v4.11). */
const PAGE_FLAGS_CHECK_AT_FREE = PG_lru | PG_locked | PG_writeback | PG_slab | PG_swapcache | PG_active | PG_unevictable;

/**
 * bad_page - "BUG: Bad page state": a page freed while still in use somewhere.
 * The kernel prints it, taints, and leaks the page rather than corrupt the
 * free lists; so does the model.
 */
function bad_page(p: page, reason: string, bad_flags: number): void {
  const mapping = p.mapping ? (p.mapping.kind === 'anon' ? 'anon' : p.mapping.host) : '  (null)';
  const lines = [
    `BUG: Bad page state in process ${current.comm}  pfn:${p.pfn.toString(16).padStart(5, '0')}`,
    `page:${page_struct_address(p)} count:${p._refcount} mapcount:0 mapping:${mapping} index:0x${p.index.toString(16)}`,
    `flags: ${format_page_flags(p.flags)}`,
    `page dumped because: ${reason}`,
  ];
  if (bad_flags & p.flags) lines.push(`bad because of flags: ${format_page_flags(bad_flags & p.flags)}`);
  report('bug', `Bad page state: ${reason}`, lines);
}

/**
 * __free_pages_ok - give a block whose last reference is gone back to the
 * zone (free_pages_prepare + free_one_page). @how names the freeing call for
 * KASAN's free track.
 */
export function free_pages_to_zone(p: page, how: string): void {
  // An anon page's mapping is cleared here (PageMappingFlags); a page cache
  // page must already have left its file.
  if (p.mapping !== null && p.mapping.kind === 'anon') p.mapping = null;
  if (p.mapping !== null) return bad_page(p, 'non-NULL mapping', 0);
  if (p._refcount !== 0) return bad_page(p, 'nonzero _refcount', 0);
  if (p.flags & PAGE_FLAGS_CHECK_AT_FREE) return bad_page(p, 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set', PAGE_FLAGS_CHECK_AT_FREE);
  const n = 1 << p.order;
  p.flags = 0;
  // kasan_free_pages: poison, and remember who freed it.
  model_page_set(p, 'freed', true);
  model_page_set(p, 'free_track', kasan_track(how));
  (free_objs[p.order] ??= []).push(p);
  footprint_add(FP_ZONE_FREE, n);
  nr_free_pages += n;
  count_vm_events('pgfree', n);
}
