// Models: the LRU half of mm/vmscan.c (get_scan_count, shrink_node_memcg,
// shrink_list, shrink_active_list, shrink_inactive_list, isolate_lru_pages,
// shrink_page_list, putback_inactive_pages, inactive_list_is_low,
// zone_reclaimable_pages), v4.11.
//
// How reclaim frees pages that are not slab: it scans each LRU list from its
// tail, lru_size >> priority pages per round, 32 at a time, and for each page
// decides: free it now (clean, unpinned), start writing it (dirty file page:
// to its file; swap-backed page: to swap, if there is swap), or put it back.
// What the course needs from this (lessons/sources.md §3, §8, §11):
//  - clean file pages are freed at once;
//  - dirty file pages are written first and freed on a later pass;
//  - swap-backed pages (anon, shmem) need swap: with no swap the anon lists
//    are not even scanned (get_scan_count: SCAN_FILE);
//  - pinned pages (a reference beyond their owner's, e.g. i915 holding its
//    object's pages) are put back: they cost scanning and free nothing;
//  - pages of unevictable mappings are moved to the unevictable list and
//    never scanned again.
//
// Model choices (simplified from v4.11, each for clarity and speed):
//  - no page tables: page_referenced() sees no young PTEs, so only
//    PG_referenced (mark_page_accessed) counts as a reference;
//  - direct reclaim does not write dirty file pages in v4.11 (it flags them
//    and wakes the flusher threads); the model's flusher starts writing the
//    flagged page at once, and the page stays on the inactive list (v4.11
//    activates it) so that it is freed on the first pass after the write;
//  - a page under writeback is kept on the inactive list (v4.11 activates it);
//  - a pinned page is put back before a swap slot is spent on it;
//  - SCAN_FRACT uses fixed anon:file weights 60:140 (swappiness 60) without
//    the recent_scanned/recent_rotated feedback;
//  - when enough was reclaimed, shrink_node_memcg stops instead of
//    rebalancing the remaining anon/file scan targets;
//  - no too_many_isolated / congestion throttling; one cond_resched per batch
//    of up to 32 pages rather than per page;
//  - no force_scan: kswapd, like direct reclaim, scans nothing of a list
//    whose size >> priority is 0 and moves on to a higher priority (the
//    v4.11 force_scan depended on pgdat_reclaimable, see vmscan.ts).
import { __GFP_FS, __GFP_IO, type gfp_t } from './gfp';
import { current, cond_resched } from '../sched/core';
import { PF_KSWAPD } from '../sched/task';
import { trace, trace_enabled } from '../trace/trace';
import { DEF_PRIORITY, SWAP_CLUSTER_MAX } from './internal';
import { mm_page_swapped_out } from './mmap';
import {
  model_page_ref_add,
  LRU_ACTIVE_ANON,
  LRU_ACTIVE_FILE,
  LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE,
  page_evictable,
  page_is_file_cache,
  PG_active,
  PG_dirty,
  PG_lru,
  PG_reclaim,
  PG_referenced,
  PG_swapbacked,
  PG_swapcache,
  PG_unevictable,
  PG_writeback,
  type page,
} from './mm_types';
import { clear_page_dirty_for_io, test_set_page_writeback } from './page_writeback';
import { add_page_to_lru_list, del_page_from_lru_list, lru_size, lruvec, page_lru, put_page } from './swap';
import { add_to_swap, delete_from_swap_cache, swap_writepage } from './swap_state';
import { get_nr_swap_pages, get_total_swap_pages } from './swapfile';
import { count_vm_event, count_vm_events, node_stat } from './vmstat';
import { free_pages_to_zone, high_wmark_pages, int_sqrt, zone } from './zone';
import { register_initcall } from '../init/initcall';

/** struct scan_control: one reclaim invocation's goal and progress. */
export interface scan_control {
  /** How many pages to reclaim before stopping. */
  nr_to_reclaim: number;
  /** The allocation being satisfied: what reclaim may do (__GFP_IO, __GFP_FS). */
  gfp_mask: gfp_t;
  order: number;
  /** Scan lru_size >> priority pages per list; counts down from DEF_PRIORITY. */
  priority: number;
  may_writepage: boolean;
  may_unmap: boolean;
  may_swap: boolean;
  /** Retry pass of do_try_to_free_pages (memcg low limits; no effect in the model). */
  may_thrash: boolean;
  /** LRU pages scanned (incremented per page looked at). */
  nr_scanned: number;
  /** Pages freed: LRU pages + reclaim_state->reclaimed_slab. */
  nr_reclaimed: number;
}

/** A fresh scan_control for @gfp_mask (the fields every caller sets the same way). */
export function new_scan_control(gfp_mask: gfp_t, order: number, nr_to_reclaim: number): scan_control {
  return {
    nr_to_reclaim,
    gfp_mask,
    order,
    priority: DEF_PRIORITY,
    may_writepage: true, // !laptop_mode
    may_unmap: true,
    may_swap: true,
    may_thrash: false,
    nr_scanned: 0,
    nr_reclaimed: 0,
  };
}

/** Pages reclaim holds isolated off the LRU right now (NR_ISOLATED_ANON + NR_ISOLATED_FILE). */
let nr_isolated = 0;

register_initcall('core', 'mm_vmscan_lru', () => {
  nr_isolated = 0;
});

/** Pages isolated from the LRU by reclaim in progress (NR_ISOLATED_ANON + NR_ISOLATED_FILE). */
export function nr_isolated_pages(): number {
  return nr_isolated;
}

/** current_is_kswapd. */
export function current_is_kswapd(): boolean {
  return (current.flags & PF_KSWAPD) !== 0;
}

function is_file_lru(lru: number): boolean {
  return lru === LRU_INACTIVE_FILE || lru === LRU_ACTIVE_FILE;
}

/**
 * zone_reclaimable_pages - pages reclaim could possibly free: the file LRU,
 * plus the anon LRU only if there is free swap.
 */
export function zone_reclaimable_pages(): number {
  let nr = lru_size(LRU_INACTIVE_FILE) + lru_size(LRU_ACTIVE_FILE);
  if (get_nr_swap_pages() > 0) nr += lru_size(LRU_INACTIVE_ANON) + lru_size(LRU_ACTIVE_ANON);
  return nr;
}

/** inactive_list_is_low - should the active list of this kind be aged into the inactive one? */
export function inactive_list_is_low(file: boolean): boolean {
  if (!file && !get_total_swap_pages()) return false;
  const inactive = lru_size(file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON);
  const active = lru_size(file ? LRU_ACTIVE_FILE : LRU_ACTIVE_ANON);
  const gb = (inactive + active) >> (30 - 12);
  const inactive_ratio = gb ? int_sqrt(10 * gb) : 1;
  return inactive * inactive_ratio < active;
}

/** isolate_lru_pages - take up to @nr_to_scan pages from the tail of list @lru. */
function isolate_lru_pages(nr_to_scan: number, lru: number, dst: page[]): number {
  const l = lruvec.lists[lru]!;
  let scan = 0;
  while (scan < nr_to_scan && dst.length < nr_to_scan && l.tail) {
    const p = l.tail;
    scan++;
    model_page_ref_add(p, 1); // get_page_unless_zero: reclaim's own reference
    p.flags &= ~PG_lru;
    del_page_from_lru_list(p);
    dst.push(p);
  }
  nr_isolated += dst.length;
  return scan;
}

/**
 * putback_inactive_pages - return pages reclaim kept to their LRU lists and
 * drop reclaim's reference (which frees a page whose owner let go of it
 * meanwhile, e.g. a truncated shmem page).
 */
function putback_inactive_pages(pages: page[]): void {
  for (const p of pages) {
    nr_isolated--;
    if (!page_evictable(p)) {
      p.flags = (p.flags & ~PG_active) | PG_unevictable;
      count_vm_event('unevictable_pgs_culled');
    }
    p.flags |= PG_lru;
    add_page_to_lru_list(p, page_lru(p));
    put_page(p);
  }
}

interface reclaim_stat {
  nr_dirty: number;
  nr_writeback: number;
  nr_pinned: number;
}

const PAGEREF_RECLAIM = 0;
const PAGEREF_RECLAIM_CLEAN = 1;

/** activate_locked: reclaim gives up on the page for now and moves it to the active list. */
function activate(p: page, keep: page[]): void {
  p.flags |= PG_active;
  count_vm_event('pgactivate');
  keep.push(p);
}

/**
 * __remove_mapping + free: @p is clean, idle and referenced only by its owner
 * and by reclaim. Detach it from its owner (a swap-cache page leaves its slot
 * to the owner) and free it.
 */
function remove_mapping_and_free(p: page): void {
  const m = p.mapping!;
  if (p.flags & PG_swapcache) {
    const entry = delete_from_swap_cache(p);
    if (m.kind === 'anon') {
      mm_page_swapped_out(m, p, entry);
    } else {
      m.pages.delete(p.index);
      m.swap.set(p.index, entry);
      node_stat.nr_shmem--;
      node_stat.nr_file_pages--;
    }
  } else {
    // A clean file page: __delete_from_page_cache.
    if (m.kind === 'file') {
      m.pages.delete(p.index);
      node_stat.nr_file_pages--;
      if (m.swapbacked) node_stat.nr_shmem--;
    }
  }
  p.mapping = null;
  model_page_ref_add(p, -2); // the owner's reference and reclaim's (page_ref_freeze(page, 2))
  p.flags &= ~(PG_active | PG_referenced | PG_reclaim);
  nr_isolated--;
  free_pages_to_zone(p, 'shrink_page_list');
}

/**
 * shrink_page_list - try to free each isolated page. Returns how many were
 * freed; the others are left in @keep for putback.
 */
async function shrink_page_list(pages: page[], sc: scan_control, stat: reclaim_stat, keep: page[]): Promise<number> {
  await cond_resched();
  let nr_reclaimed = 0;
  for (const p of pages) {
    sc.nr_scanned++;
    if (!page_evictable(p)) {
      keep.push(p); // cull_mlocked: putback moves it to the unevictable list
      continue;
    }
    if (p.mapping !== null && (p.mapping.kind === 'anon' || p.flags & PG_swapcache)) sc.nr_scanned++; // mapped or swap cache: counts double
    let may_enter_fs = (sc.gfp_mask & __GFP_FS) !== 0 || ((p.flags & PG_swapcache) !== 0 && (sc.gfp_mask & __GFP_IO) !== 0);
    if (p.flags & PG_writeback) {
      // Still being written: nothing to do until the write completes.
      stat.nr_writeback++;
      p.flags |= PG_reclaim;
      keep.push(p);
      continue;
    }
    // page_check_references (no PTEs in the model: only PG_referenced).
    const referenced_page = (p.flags & PG_referenced) !== 0;
    p.flags &= ~PG_referenced;
    const references = referenced_page && !(p.flags & PG_swapbacked) ? PAGEREF_RECLAIM_CLEAN : PAGEREF_RECLAIM;
    // Owner's reference + reclaim's: anything more is a pin (is_page_cache_freeable fails).
    if (p._refcount > 2 || p.mapping === null) {
      if (p._refcount > 2) stat.nr_pinned++;
      keep.push(p);
      continue;
    }
    const anon = p.mapping.kind === 'anon';
    if (anon && !(p.flags & PG_swapcache)) {
      // An anonymous page needs a swap slot before it can be written out.
      if (!(sc.gfp_mask & __GFP_IO)) {
        keep.push(p);
        continue;
      }
      if (!add_to_swap(p)) {
        activate(p, keep); // swap is full (or absent)
        continue;
      }
      may_enter_fs = true;
    }
    if (p.flags & PG_dirty) {
      stat.nr_dirty++;
      if (page_is_file_cache(p)) {
        // v4.11: reclaim leaves file writeback to the flusher threads; the
        // model's flusher starts on this page right away.
        p.flags |= PG_reclaim;
        if (clear_page_dirty_for_io(p)) test_set_page_writeback(p);
        keep.push(p);
        continue;
      }
      if (references === PAGEREF_RECLAIM_CLEAN || !may_enter_fs || !sc.may_writepage) {
        keep.push(p);
        continue;
      }
      // pageout(): shmem_writepage gives a shmem page its swap slot now (no
      // slot: it stays dirty and is activated); then swap_writepage.
      if (!(p.flags & PG_swapcache) && !add_to_swap(p)) {
        activate(p, keep);
        continue;
      }
      clear_page_dirty_for_io(p);
      p.flags |= PG_reclaim;
      swap_writepage(p);
      keep.push(p);
      continue;
    }
    // Clean: a file page (or a shmem page never written, which becomes a
    // hole) is dropped; a swap-cache page's data is safe in its slot.
    remove_mapping_and_free(p);
    nr_reclaimed++;
  }
  return nr_reclaimed;
}

/** shrink_inactive_list - isolate up to @nr_to_scan pages of @lru and try to free them. */
async function shrink_inactive_list(nr_to_scan: number, lru: number, sc: scan_control): Promise<number> {
  const isolated: page[] = [];
  const nr_scanned = isolate_lru_pages(nr_to_scan, lru, isolated);
  const kswapd = current_is_kswapd();
  count_vm_events(kswapd ? 'pgscan_kswapd' : 'pgscan_direct', nr_scanned);
  if (isolated.length === 0) return 0;
  const stat: reclaim_stat = { nr_dirty: 0, nr_writeback: 0, nr_pinned: 0 };
  const keep: page[] = [];
  const nr_reclaimed = await shrink_page_list(isolated, sc, stat, keep);
  count_vm_events(kswapd ? 'pgsteal_kswapd' : 'pgsteal_direct', nr_reclaimed);
  putback_inactive_pages(keep);
  if (trace_enabled()) {
    trace('mm_vmscan_lru_shrink_inactive', {
      nr_scanned,
      nr_reclaimed,
      nr_dirty: stat.nr_dirty,
      nr_writeback: stat.nr_writeback,
      nr_pinned: stat.nr_pinned,
      priority: sc.priority,
      file: is_file_lru(lru),
    });
  }
  return nr_reclaimed;
}

/**
 * shrink_active_list - age up to @nr_to_scan pages of active list @lru into
 * the inactive list (no young PTEs in the model, so every evictable page
 * is deactivated).
 */
async function shrink_active_list(nr_to_scan: number, lru: number, sc: scan_control): Promise<void> {
  const isolated: page[] = [];
  isolate_lru_pages(nr_to_scan, lru, isolated);
  void sc;
  let nr_deactivate = 0;
  for (const p of isolated) {
    if (page_evictable(p)) {
      p.flags &= ~PG_active;
      nr_deactivate++;
    }
  }
  putback_inactive_pages(isolated);
  count_vm_events('pgdeactivate', nr_deactivate);
  await cond_resched();
}

async function shrink_list(lru: number, nr_to_scan: number, sc: scan_control): Promise<number> {
  if (lru === LRU_ACTIVE_ANON || lru === LRU_ACTIVE_FILE) {
    if (inactive_list_is_low(is_file_lru(lru))) await shrink_active_list(nr_to_scan, lru, sc);
    return 0;
  }
  return shrink_inactive_list(nr_to_scan, lru, sc);
}

const SCAN_EQUAL = 0;
const SCAN_FRACT = 1;
const SCAN_ANON = 2;
const SCAN_FILE = 3;
/** vm.swappiness default. */
const SWAPPINESS = 60;

/**
 * get_scan_count - how many pages of each evictable list to scan at this
 * priority, and how many LRU pages were eligible (shrink_slab's nr_eligible).
 */
export function get_scan_count(sc: scan_control): { nr: number[]; lru_pages: number } {
  let balance: number;
  if (!sc.may_swap || get_nr_swap_pages() <= 0) balance = SCAN_FILE;
  else if (!sc.priority) balance = SCAN_EQUAL;
  else if (lru_size(LRU_ACTIVE_FILE) + lru_size(LRU_INACTIVE_FILE) + zone.free_pages <= high_wmark_pages(zone)) balance = SCAN_ANON;
  else if (!inactive_list_is_low(true) && lru_size(LRU_INACTIVE_FILE) >> sc.priority) balance = SCAN_FILE;
  else balance = SCAN_FRACT;
  const ap = SWAPPINESS;
  const fp = 200 - SWAPPINESS;
  const denominator = ap + fp + 1;
  const nr = [0, 0, 0, 0];
  let lru_pages = 0;
  let some_scanned = false;
  for (let pass = 0; !some_scanned && pass < 2; pass++) {
    lru_pages = 0;
    for (let lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru++) {
      const file = is_file_lru(lru);
      let size = lru_size(lru);
      let scan = size >> sc.priority;
      if (balance === SCAN_FRACT) scan = Math.floor((scan * (file ? fp : ap)) / denominator);
      else if ((balance === SCAN_FILE || balance === SCAN_ANON) && (balance === SCAN_FILE) !== file) {
        size = 0;
        scan = 0;
      }
      lru_pages += size;
      nr[lru] = scan;
      if (scan) some_scanned = true;
    }
  }
  return { nr, lru_pages };
}

/**
 * shrink_node_memcg - scan the LRU lists for one priority round. Adds what
 * it freed to sc.nr_reclaimed and returns the eligible LRU size.
 */
export async function shrink_node_memcg(sc: scan_control): Promise<number> {
  const { nr, lru_pages } = get_scan_count(sc);
  let nr_reclaimed = 0;
  const nr_to_reclaim = sc.nr_to_reclaim;
  // Direct reclaim at DEF_PRIORITY scans its whole (small) target; see the file comment.
  const scan_adjusted = !current_is_kswapd() && sc.priority === DEF_PRIORITY;
  while (nr[LRU_INACTIVE_ANON]! || nr[LRU_ACTIVE_FILE]! || nr[LRU_INACTIVE_FILE]!) {
    for (let lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru++) {
      if (nr[lru]) {
        const nr_to_scan = Math.min(nr[lru]!, SWAP_CLUSTER_MAX);
        nr[lru]! -= nr_to_scan;
        nr_reclaimed += await shrink_list(lru, nr_to_scan, sc);
      }
    }
    await cond_resched();
    if (nr_reclaimed < nr_to_reclaim || scan_adjusted) continue;
    break;
  }
  sc.nr_reclaimed += nr_reclaimed;
  // Keep the anon lists balanced even when only file pages were scanned.
  if (inactive_list_is_low(false)) await shrink_active_list(SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON, sc);
  return lru_pages;
}

/** age_active_anon - kswapd ages the anon lists on every round (if there is swap). */
export async function age_active_anon(sc: scan_control): Promise<void> {
  if (!get_total_swap_pages()) return;
  if (inactive_list_is_low(false)) await shrink_active_list(SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON, sc);
}

