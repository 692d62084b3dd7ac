// Models: mm/shmem.c (shmem_file_setup, shmem_read_mapping_page_gfp,
// shmem_getpage_gfp, shmem_truncate_range, shmem_writepage) and
// include/linux/pagemap.h (mapping_set_unevictable), v4.11, simplified.
//
// The backing store of an i915 GEM object is a shmem file (lessons/sources.md
// §8). Its pages are swap-backed: they live on the anon LRU lists and the
// only place reclaim can put their data is swap. So:
//  - a page i915 holds (pinned: a reference beyond the page cache's) is not
//    reclaimable at all;
//  - an unpinned page on the LRU is reclaimable only with swap: a dirty one
//    is written to swap first, then freed (a clean one, never written, is
//    simply dropped); with no swap the anon lists are not even scanned;
//  - truncating the file (shmem_truncate_range) is the one way i915 puts
//    pages straight back on the free list.
//
// Simplified: a file's size is given in pages (the kernel's
// shmem_file_setup takes bytes), no holes punched in partial pages, no
// huge pages, no fallocate, swapping in is instant. A shmem page in the swap
// cache stays indexed in its file until reclaim frees it (the kernel moves
// it to the swap cache in shmem_writepage).
import { model_task_context } from '../sched/core';
import { add_to_page_cache, delete_from_page_cache } from './filemap';
import type { gfp_t } from './gfp';
import { address_space, AS_UNEVICTABLE, PAGE_SHIFT, PAGE_SIZE, PG_swapcache, type page } from './mm_types';
import { alloc_page } from './page_alloc';
import { set_page_dirty } from './page_writeback';
import { shmem_range_resident, shmem_range_truncate } from './shmem_range';
import { get_page, lru_cache_add, put_page } from './swap';
import { try_to_free_swap } from './swap_state';
import { swap_free } from './swapfile';
import { count_vm_event } from './vmstat';

export { set_page_dirty } from './page_writeback';
export { mark_page_accessed, check_move_unevictable_pages, put_page, get_page } from './swap';

/** A shmem (tmpfs) file: struct file + its inode's address_space. */
export interface shmem_file {
  readonly name: string;
  /** i_size in pages. */
  readonly nr_pages: number;
  readonly mapping: address_space;
}

/** shmem_file_setup - an unlinked shmem file of @nr_pages pages (no pages allocated yet). */
export function shmem_file_setup(name: string, nr_pages: number): shmem_file {
  return { name, nr_pages, mapping: new address_space(name, true) };
}

/**
 * shmem_read_mapping_page_gfp - the page at @index of @file, allocated with
 * @gfp on first use (or read back from swap). The page is in the file's page
 * cache and on the LRU; it is returned with an extra reference, which the
 * caller must drop with put_page(). Returns null if the allocation failed
 * (the kernel's ERR_PTR(-ENOMEM)) or @index is past the end of the file.
 */
export async function shmem_read_mapping_page_gfp(file: shmem_file, index: number, gfp: gfp_t): Promise<page | null> {
  model_task_context('shmem_read_mapping_page_gfp');
  if (index < 0 || index >= file.nr_pages) return null;
  const mapping = file.mapping;
  const cached = mapping.pages.get(index);
  if (cached) return shmem_get_cached(cached);
  const p = await alloc_page(gfp);
  if (!p) return null;
  // Another task may have brought the page in while we slept in the allocator.
  const raced = mapping.pages.get(index);
  if (raced) {
    put_page(p);
    return shmem_get_cached(raced);
  }
  const swap = mapping.swap.get(index);
  add_to_page_cache(p, mapping, index);
  if (swap !== undefined) {
    // Swap-in: the data is read back and the slot freed; only memory holds it now.
    mapping.swap.delete(index);
    swap_free(swap);
    count_vm_event('pswpin');
    set_page_dirty(p);
  }
  // lru_cache_add_anon: a new shmem page starts on the inactive anon list.
  lru_cache_add(p);
  return p;
}

/** A page already in the cache: take it back from the swap cache if needed, and a reference. */
function shmem_get_cached(p: page): page {
  if (p.flags & PG_swapcache) {
    // shmem_getpage_gfp: back from the swap cache, the slot is freed and the page dirtied.
    try_to_free_swap(p);
    set_page_dirty(p);
  }
  get_page(p);
  return p;
}

/**
 * shmem_truncate_range - drop the pages and swap slots of the byte range
 * [@lstart, @lend] (@lend = -1: to the end). A page nobody else holds is
 * freed at once; a page someone still holds is freed by their put_page().
 */
export function shmem_truncate_range(file: shmem_file, lstart: number, lend: number): void {
  const start = Math.ceil(lstart / PAGE_SIZE);
  const end = lend === -1 ? Infinity : (lend + 1) >> PAGE_SHIFT;
  const mapping = file.mapping;
  for (const [index, p] of [...mapping.pages]) {
    if (index < start || index >= end) continue;
    if (p.flags & PG_swapcache) try_to_free_swap(p);
    delete_from_page_cache(p);
  }
  for (const [index, slot] of [...mapping.swap]) {
    if (index < start || index >= end) continue;
    mapping.swap.delete(index);
    swap_free(slot);
  }
  // A huge file's blocks (shmem_range.ts) go whole.
  shmem_range_truncate(mapping, start === 0 && end === Infinity);
}

/** mapping_set_unevictable - reclaim will move the file's LRU pages to the unevictable list. */
export function mapping_set_unevictable(file: shmem_file): void {
  file.mapping.flags |= AS_UNEVICTABLE;
}

/**
 * mapping_clear_unevictable - the file's pages may be reclaimed again. Pages
 * already on the unevictable list stay there until
 * check_move_unevictable_pages() is called on them (as i915 does since 2018).
 */
export function mapping_clear_unevictable(file: shmem_file): void {
  file.mapping.flags &= ~AS_UNEVICTABLE;
}

/** Pages of @file in memory (its page cache). */
export function shmem_nr_pages_resident(file: shmem_file): number {
  return file.mapping.pages.size + shmem_range_resident(file.mapping);
}

/** Pages of @file in swap. */
export function shmem_nr_pages_swapped(file: shmem_file): number {
  return file.mapping.swap.size;
}
