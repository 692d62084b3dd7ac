// Models: mm/filemap.c (add_to_page_cache_lru, __delete_from_page_cache,
// pagecache_get_page, behind include/linux/pagemap.h's find_get_page and
// find_or_create_page) and mm/truncate.c
// (truncate_inode_pages_range), v4.11, for ordinary files.
//
// The page cache is what makes most memory reclaimable: a clean file page
// can be dropped at once (it can be read again), a dirty one after it was
// written back. Scenarios use it to give reclaim something to reclaim.
//
// A page in the page cache holds one reference for the cache; a caller that
// looked it up holds another, to drop with put_page().
//
// Simplified: no readahead, no I/O on read (pages are "uptodate" at once), no
// page locks, no workingset refault detection, truncation never waits for
// writeback (the write holds its own reference, so the page is freed when it
// completes).
import { model_task_context } from '../sched/core';
import type { gfp_t } from './gfp';
import { address_space, model_page_ref_add, PG_dirty, PG_swapbacked, PG_uptodate, type page } from './mm_types';
import { alloc_page } from './page_alloc';
import { account_page_cleaned, set_page_dirty } from './page_writeback';
import { get_page, lru_cache_add, put_page } from './swap';
import { node_stat } from './vmstat';
import { rmqueue } from './zone';

export { address_space };

/** A new, empty ordinary file named @name. */
export function filemap_create(name: string): address_space {
  return new address_space(name, false);
}

/** __add_to_page_cache: @p joins @mapping at @index; the cache takes a reference. */
export function add_to_page_cache(p: page, mapping: address_space, index: number): void {
  model_page_ref_add(p, 1);
  p.mapping = mapping;
  p.index = index;
  p.flags |= PG_uptodate | (mapping.swapbacked ? PG_swapbacked : 0);
  mapping.pages.set(index, p);
  node_stat.nr_file_pages++;
  if (mapping.swapbacked) node_stat.nr_shmem++;
}

/** add_to_page_cache_lru - add @p to @mapping at @index and to the LRU (inactive list). */
export function add_to_page_cache_lru(p: page, mapping: address_space, index: number): void {
  add_to_page_cache(p, mapping, index);
  lru_cache_add(p);
}

/**
 * __delete_from_page_cache + put: @p leaves its file (truncation). The
 * cache's reference is dropped, which frees the page unless someone else
 * still holds one.
 */
export function delete_from_page_cache(p: page): void {
  const mapping = p.mapping;
  if (mapping === null || mapping.kind !== 'file') return;
  account_page_cleaned(p);
  p.flags &= ~PG_dirty;
  mapping.pages.delete(p.index);
  node_stat.nr_file_pages--;
  if (mapping.swapbacked) node_stat.nr_shmem--;
  p.mapping = null;
  put_page(p);
}

/** find_get_page - the page at @index with a reference for the caller, or null. */
export function find_get_page(mapping: address_space, index: number): page | null {
  const p = mapping.pages.get(index);
  if (!p) return null;
  get_page(p);
  return p;
}

/**
 * find_or_create_page - the page at @index, allocating it (with @gfp) if the
 * file has none there. Returns it with a reference for the caller, or null.
 */
export async function find_or_create_page(mapping: address_space, index: number, gfp: gfp_t): Promise<page | null> {
  model_task_context('find_or_create_page');
  const found = find_get_page(mapping, index);
  if (found) return found;
  const p = await alloc_page(gfp);
  if (!p) return null;
  // Someone may have added it while we slept in the allocator.
  const raced = find_get_page(mapping, index);
  if (raced) {
    put_page(p);
    return raced;
  }
  add_to_page_cache_lru(p, mapping, index);
  return p;
}

/** truncate_inode_pages_range - drop the pages of @mapping with index in [@start, @end]. */
export function truncate_inode_pages_range(mapping: address_space, start: number, end: number): void {
  for (const [index, p] of [...mapping.pages]) if (index >= start && index <= end) delete_from_page_cache(p);
}

/**
 * model_filemap_populate_at_boot - scenario setup: give @mapping @nr pages of
 * page cache (indices 0..nr-1), dirty or clean, straight from the zone as if
 * the files had been read before the scenario starts. Throws if RAM is too small.
 */
export function model_filemap_populate_at_boot(mapping: address_space, nr: number, dirty = false): void {
  const base = mapping.pages.size;
  for (let i = 0; i < nr; i++) {
    const p = rmqueue(0);
    if (!p) throw new Error(`model_filemap_populate_at_boot(${mapping.host}): ${nr} pages do not fit in RAM`);
    add_to_page_cache_lru(p, mapping, base + i);
    if (dirty) set_page_dirty(p);
    put_page(p); // the cache keeps its reference
  }
}
