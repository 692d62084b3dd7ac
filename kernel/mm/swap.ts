// Models: mm/swap.c (put_page, lru_cache_add, mark_page_accessed,
// activate_page, rotate_reclaimable_page), include/linux/mm_inline.h
// (add_page_to_lru_list, page_lru) and check_move_unevictable_pages from
// mm/vmscan.c, v4.11.
//
// The node's LRU lists: reclaim takes pages from the tail (the oldest end)
// and new or rotated pages go to the head. Anonymous and shmem pages
// (PG_swapbacked) live on the anon lists, ordinary file pages on the file
// lists, pages of unevictable mappings on the unevictable list.
//
// Simplified: no per-cpu pagevecs (pages join a list at once), one lruvec
// (no memcg), no workingset shadow entries.
import { register_initcall } from '../init/initcall';
import { BUG } from '../panic';
import {
  model_page_ref_add,
  LRU_ACTIVE,
  LRU_FILE,
  LRU_INACTIVE_ANON,
  LRU_UNEVICTABLE,
  NR_LRU_LISTS,
  page_evictable,
  page_is_file_cache,
  PG_active,
  PG_lru,
  PG_referenced,
  PG_unevictable,
  type page,
} from './mm_types';
import { count_vm_event, count_vm_events } from './vmstat';
import { free_pages_to_zone } from './zone';

export { get_nr_swap_pages, get_total_swap_pages, nr_swap_used } from './swapfile';

/** One LRU list: a doubly linked list of pages threaded through page.lru_prev/lru_next. */
export class lru_list_head {
  /** Most recently added. */
  head: page | null = null;
  /** Oldest: where reclaim looks first. */
  tail: page | null = null;
  nr = 0;
}

/** struct lruvec: the node's five LRU lists (no memcg: one lruvec). */
export const lruvec: { lists: lru_list_head[] } = { lists: [] };

register_initcall('core', 'mm_lru', () => {
  lruvec.lists = Array.from({ length: NR_LRU_LISTS }, () => new lru_list_head());
});

/** The size of LRU list @lru (lruvec_lru_size). */
export function lru_size(lru: number): number {
  return lruvec.lists[lru]!.nr;
}

/** page_lru_base_type - the inactive list of the page's kind. */
export function page_lru_base_type(p: page): number {
  return page_is_file_cache(p) ? LRU_INACTIVE_ANON + LRU_FILE : LRU_INACTIVE_ANON;
}

/** page_lru - the list a page on the LRU belongs on, from its flags. */
export function page_lru(p: page): number {
  if (p.flags & PG_unevictable) return LRU_UNEVICTABLE;
  return page_lru_base_type(p) + (p.flags & PG_active ? LRU_ACTIVE : 0);
}

/** add_page_to_lru_list - put @p at the head of list @lru. */
export function add_page_to_lru_list(p: page, lru: number): void {
  const l = lruvec.lists[lru]!;
  p.lru = lru;
  p.lru_prev = null;
  p.lru_next = l.head;
  if (l.head) l.head.lru_prev = p;
  else l.tail = p;
  l.head = p;
  l.nr++;
}

/** add_page_to_lru_list_tail - put @p at the tail (reclaimed next). */
export function add_page_to_lru_list_tail(p: page, lru: number): void {
  const l = lruvec.lists[lru]!;
  p.lru = lru;
  p.lru_next = null;
  p.lru_prev = l.tail;
  if (l.tail) l.tail.lru_next = p;
  else l.head = p;
  l.tail = p;
  l.nr++;
}

/** del_page_from_lru_list - take @p off the list it is on. */
export function del_page_from_lru_list(p: page): void {
  if (p.lru < 0) return;
  const l = lruvec.lists[p.lru]!;
  if (p.lru_prev) p.lru_prev.lru_next = p.lru_next;
  else l.head = p.lru_next;
  if (p.lru_next) p.lru_next.lru_prev = p.lru_prev;
  else l.tail = p.lru_prev;
  p.lru_prev = p.lru_next = null;
  p.lru = -1;
  l.nr--;
}

/**
 * lru_cache_add - put a new page on the LRU. Pages of unevictable mappings
 * go straight to the unevictable list (v4.11 culls them at the first scan;
 * the model sorts them at once).
 */
export function lru_cache_add(p: page): void {
  if (p.flags & PG_lru) BUG('mm/swap.c', 'VM_BUG_ON_PAGE(PageLRU(page))');
  p.flags |= PG_lru;
  if (!page_evictable(p)) {
    p.flags = (p.flags & ~PG_active) | PG_unevictable;
  }
  add_page_to_lru_list(p, page_lru(p));
}

/** lru_cache_add_active_or_unevictable - a freshly faulted anon page starts on the active list. */
export function lru_cache_add_active_or_unevictable(p: page): void {
  p.flags |= PG_active;
  lru_cache_add(p);
}

/** activate_page - move an inactive LRU page to the active list. */
export function activate_page(p: page): void {
  if (p.flags & PG_lru && !(p.flags & PG_active) && !(p.flags & PG_unevictable)) {
    del_page_from_lru_list(p);
    p.flags |= PG_active;
    add_page_to_lru_list(p, page_lru(p));
    count_vm_event('pgactivate');
  }
}

/**
 * mark_page_accessed - the two-touch rule: the first access sets
 * PG_referenced, a second one (while still referenced) activates the page.
 */
export function mark_page_accessed(p: page): void {
  if (!(p.flags & PG_active) && !(p.flags & PG_unevictable) && p.flags & PG_referenced) {
    activate_page(p);
    p.flags &= ~PG_referenced;
  } else if (!(p.flags & PG_referenced)) {
    p.flags |= PG_referenced;
  }
}

/** rotate_reclaimable_page - writeback finished on a page reclaim wanted: move it to the tail. */
export function rotate_reclaimable_page(p: page): void {
  if (p.flags & PG_lru && !(p.flags & PG_active) && !(p.flags & PG_unevictable)) {
    del_page_from_lru_list(p);
    add_page_to_lru_list_tail(p, page_lru(p));
    count_vm_event('pgrotated');
  }
}

/**
 * check_move_unevictable_pages - after mapping_clear_unevictable(), move the
 * given pages from the unevictable list back to the evictable lists.
 */
export function check_move_unevictable_pages(pages: readonly page[]): void {
  let rescued = 0;
  for (const p of pages) {
    if (!(p.flags & PG_lru) || !(p.flags & PG_unevictable)) continue;
    if (page_evictable(p)) {
      del_page_from_lru_list(p);
      p.flags &= ~PG_unevictable;
      add_page_to_lru_list(p, page_lru(p));
      rescued++;
    }
  }
  count_vm_events('unevictable_pgs_rescued', rescued);
}

/** get_page - take a reference on @p. */
export function get_page(p: page): void {
  if (p._refcount <= 0) BUG('include/linux/mm.h', 'page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) <= 0)');
  model_page_ref_add(p, 1);
}

/**
 * put_page - drop a reference on @p; the last one frees it, taking it off
 * the LRU first (__page_cache_release). Model choice: CONFIG_DEBUG_VM, so a
 * put on a page with no references is a BUG.
 */
export function put_page(p: page): void {
  if (p._refcount <= 0) BUG('include/linux/mm.h', 'page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)');
  if (model_page_ref_add(p, -1) > 0) return;
  __page_cache_release(p);
  free_pages_to_zone(p, 'put_page');
}

/** __page_cache_release - a page whose last reference went leaves the LRU. */
export function __page_cache_release(p: page): void {
  if (p.flags & PG_lru) {
    del_page_from_lru_list(p);
    p.flags &= ~(PG_lru | PG_active | PG_unevictable);
  }
}
