// Models: mm/swapfile.c (get_swap_pages, swap_free, nr_swap_pages) and
// mm/swap_slots.c (get_swap_page, its per-CPU slot cache left out), v4.11.
// One swap device of boot_params().swap_pages slots. A slot is taken when
// reclaim decides to swap a page out and stays taken while the data lives in
// swap (the owner remembers the slot) or the page is in the swap cache.
// Without swap (the default), swap-backed pages (anon and shmem) can never be
// reclaimed: that is the situation of the April 2017 thread.
//
// Simplified: slots are numbers 1..swap_pages, reused lowest first; no
// clusters, no swap priority, no swap readahead; swapping in is instant.
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';

let total_swap_pages = 0;
/** Free slot numbers, sorted descending so pop() gives the lowest. */
let free_slots: number[] = [];
let next_slot = 1;

register_initcall('core', 'mm_swapfile', () => {
  total_swap_pages = boot_params().swap_pages;
  free_slots = [];
  next_slot = 1;
});

/** total_swap_pages - the size of swap, in pages. */
export function get_total_swap_pages(): number {
  return total_swap_pages;
}

/** get_nr_swap_pages - free swap slots (nr_swap_pages). */
export function get_nr_swap_pages(): number {
  return free_slots.length + (total_swap_pages - (next_slot - 1));
}

/** Swap slots in use. */
export function nr_swap_used(): number {
  return total_swap_pages - get_nr_swap_pages();
}

/** get_swap_page - take a free slot; 0 if swap is full (or absent). */
export function get_swap_page(): number {
  if (free_slots.length > 0) return free_slots.pop()!;
  if (next_slot <= total_swap_pages) return next_slot++;
  return 0;
}

/** swap_free - give slot @entry back. */
export function swap_free(entry: number): void {
  if (entry <= 0) return;
  free_slots.push(entry);
  free_slots.sort((a, b) => b - a);
}
