// Models: a huge shmem file's pages as a few large blocks (mm/shmem.c's
// page cache, read in by shmem_read_mapping_page_gfp one page at a time in
// v4.11), for GEM objects of more than MODEL_SHMEM_RANGE_PAGES pages.
//
// Why: a check must be able to make a 4-16 GiB object (2^20-2^22 pages) on a
// 64 GiB machine in well under a second (red team 13's "huge sizes" class),
// and a struct page per page, each an awaited allocation, costs seconds and
// runs into the soft-lockup budget. So the file's pages are taken from the
// zone in blocks of up to MAX_ORDER-1 (falling back to smaller orders, down
// to single pages, when a block cannot be had), the way v4.10+
// i915_gem_internal.c i915_gem_object_get_pages_internal fills its sg_table:
// every page is still counted out of and back into the zone's free pages,
// every allocation still goes through alloc_pages() (watermarks, reclaim,
// fault injection), and the object's sg_table lists one entry per block, as
// v4.11's get_pages_gtt coalesces physically consecutive pages.
//
// Deviations (documented in kernel/README): the blocks are the file's page
// cache but not on the LRU (reclaim can neither see nor swap a huge file's
// pages: only truncation frees them); a block is all-or-nothing (no partial
// truncation, no swap-out). Files of MODEL_SHMEM_RANGE_PAGES pages or fewer
// never come here: their runs are unchanged.
import { GFP_KERNEL, __GFP_NORETRY, __GFP_NOWARN, type gfp_t } from './gfp';
import { BUG } from '../panic';
import { type address_space, type page } from './mm_types';
import { alloc_pages, MAX_ORDER } from './page_alloc';
import { get_page, put_page } from './swap';

/** Files above this many pages (256 MiB) keep their pages as blocks; every size the course used before stays per page. */
export const MODEL_SHMEM_RANGE_PAGES = 65_536;

/** The blocks each huge file holds in its page cache (one reference each: the cache's), in file order. */
const resident = new WeakMap<address_space, page[]>();

/** fls(x) - 1 for x >= 1: the order of the largest block not longer than @x pages. */
function floor_order(x: number): number {
  return 31 - Math.clz32(x);
}

/**
 * shmem_read_mapping_range_gfp - every page of a huge file of @nr_pages
 * pages, as blocks, each with an extra reference for the caller (the
 * object's hold, as shmem_read_mapping_page_gfp's get_page). Blocks already
 * in the file are handed out again; otherwise each block is tried at the
 * largest order with @gfp quiet (__GFP_NORETRY | __GFP_NOWARN), the order
 * lowered on failure, and a single page finally with @gfp itself.
 * Returns null (-ENOMEM) with nothing kept if a single page cannot be had.
 */
export async function shmem_read_mapping_range_gfp(mapping: address_space, nr_pages: number, gfp: gfp_t = GFP_KERNEL): Promise<page[] | null> {
  const cached = resident.get(mapping);
  if (cached) {
    for (const b of cached) get_page(b);
    return [...cached];
  }
  const blocks: page[] = [];
  let remaining = nr_pages;
  let max_order = MAX_ORDER - 1;
  while (remaining > 0) {
    let order = Math.min(floor_order(remaining), max_order);
    let b: page | null = null;
    for (;;) {
      b = await alloc_pages(gfp | __GFP_NORETRY | __GFP_NOWARN, order);
      if (!b && order === 0) b = await alloc_pages(gfp, 0); // the last resort tries hard (get_pages_gtt's second attempt)
      if (b) break;
      if (order === 0) {
        for (const q of blocks) put_page(q); // everything put back: -ENOMEM leaves the zone as it was
        return null;
      }
      max_order = --order; // later blocks start no larger (i915_gem_object_get_pages_internal)
    }
    blocks.push(b);
    remaining -= 1 << order;
  }
  // In the page cache (the cache's reference) and held by the caller (a second).
  for (const b of blocks) get_page(b);
  resident.set(mapping, blocks);
  return [...blocks];
}

/** shmem_range_truncate - shmem_truncate_range of a huge file's whole range: the cache's reference on each block goes. */
export function shmem_range_truncate(mapping: address_space, whole: boolean): void {
  const blocks = resident.get(mapping);
  if (!blocks) return;
  if (!whole) BUG('mm/shmem.c', 'model: a huge shmem file (kernel/mm/shmem_range.ts) is truncated whole or not at all');
  resident.delete(mapping);
  for (const b of blocks) put_page(b);
}

/** Pages of a huge file in memory (0 for every other file). */
export function shmem_range_resident(mapping: address_space): number {
  return (resident.get(mapping) ?? []).reduce((n, b) => n + (1 << b.order), 0);
}
