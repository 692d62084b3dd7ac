// Models: include/linux/scatterlist.h (v4.11) for_each_sg, sg_page and an
// entry's length: walking a GEM object's sg_table entry by entry.
//
// An entry is one page of an ordinary object, and one block of 2^order pages
// (up to 4 MiB) of a huge one (more than MODEL_SHMEM_RANGE_PAGES pages,
// kernel/mm/shmem_range.ts), as v4.11's get_pages_gtt coalesces consecutive
// pages into one entry. Work done per entry (a block-wise swap writeback:
// one bounce block and one __swap_writepage each) costs O(entries): a 4 GiB
// object is about a thousand entries, where page by page it is a million.
import { sg_table_page, type sg_table } from '../drivers/gpu/drm/i915/i915_gem_object';
import type { page } from '../mm/mm_types';

const PAGE_SHIFT = 12;

/** struct scatterlist, reduced: the entry's first page and its length in bytes (PAGE_SIZE << order). */
export interface scatterlist {
  readonly page: page;
  readonly length: number;
}

/**
 * for_each_sg - the entries of @st in order (a frozen list: the table is the
 * GEM core's). Reads the table as sg_table_page does: only a table
 * i915_gem_object_get_pages() built, and KASAN sees a walk of a freed one.
 */
export function for_each_sg(st: sg_table): readonly scatterlist[] {
  sg_table_page(st, 0, 'for_each_sg');
  const heads = st.blocks ?? st.pages;
  return Object.freeze(heads.map((p) => Object.freeze({ page: p, length: 1 << (PAGE_SHIFT + p.order) })));
}

/** sg_page - the first page of entry @sg. */
export function sg_page(sg: scatterlist): page {
  return sg.page;
}
