// Models: mm/swap_state.c (add_to_swap, delete_from_swap_cache) and
// mm/page_io.c (swap_writepage), v4.11.
//
// Reclaim swaps a swap-backed page out in three steps: give it a swap slot
// (add_to_swap: the page enters the swap cache and is dirty, because the
// slot does not hold its data yet), write it (swap_writepage: writeback),
// and, on a later scan once the write is done, drop it from memory
// (delete_from_swap_cache; the owner keeps the slot number).
//
// Simplified: the swap cache is a flag and page.private on the page, not a
// radix tree; a shmem page stays indexed in its file while it is in the swap
// cache (the kernel moves it to the swap cache in shmem_writepage).
import { PG_dirty, PG_swapcache, type page } from './mm_types';
import { test_set_page_writeback } from './page_writeback';
import { get_swap_page, swap_free } from './swapfile';
import { count_vm_event } from './vmstat';

/**
 * add_to_swap - give @p a swap slot. Returns false if swap is full or absent.
 * The page is then dirty: its data is not in the slot yet.
 */
export function add_to_swap(p: page): boolean {
  const entry = get_swap_page();
  if (!entry) return false;
  p.private = entry;
  p.flags |= PG_swapcache | PG_dirty;
  return true;
}

/** delete_from_swap_cache - the page leaves the swap cache; returns its slot (now the owner's). */
export function delete_from_swap_cache(p: page): number {
  const entry = p.private;
  p.flags &= ~PG_swapcache;
  p.private = 0;
  return entry;
}

/** try_to_free_swap - drop the page's slot (its owner is going away, or it was swapped back in). */
export function try_to_free_swap(p: page): void {
  if (!(p.flags & PG_swapcache)) return;
  swap_free(delete_from_swap_cache(p));
}

/** swap_writepage - start writing a swap-cache page to its slot. */
export function swap_writepage(p: page): void {
  test_set_page_writeback(p);
  count_vm_event('pswpout');
}
