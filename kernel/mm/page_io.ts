// Models: mm/page_io.c (__swap_writepage, get_swap_bio, end_swap_bio_write),
// v4.11: writing one page to a swap block device through a bio.
//
// __swap_writepage() allocates the page's bio itself, with GFP_NOIO
// (get_swap_bio -> bio_alloc), whoever calls it: the caller's gfp_mask never
// reaches it, so neither does a __GFP_MEMALLOC the caller put on its own
// allocations. What keeps that allocation out of direct reclaim when
// fs_bio_set's reserve is used up is the task's PF_MEMALLOC (kernel/block/bio.ts,
// kernel/mm/mempool.ts). The bio holds the page until the write completes.
//
// Simplified: the page need not be in the swap cache (the kernel's
// VM_BUG_ON_PAGE(!PageSwapCache(page)); zswap_writeback_entry writes a fresh
// swap-cache page this way), no bdev_write_page fast path, no swap file
// (SWP_FILE). Reclaim's own pageout (swap_state.ts swap_writepage) stays
// bookkeeping without a bio.
import { bio_alloc, bio_endio, bio_put, type bio } from '../block/bio';
import { GFP_NOIO } from './gfp';
import type { page } from './mm_types';
import { test_set_page_writeback } from './page_writeback';
import { count_vm_event } from './vmstat';

/** -ENOMEM, as __swap_writepage returns it. */
export const ENOMEM = 12;

/** end_swap_bio_write - the write of the bio's page finished (end_page_writeback ran): the bio goes back. */
function end_swap_bio_write(b: bio): void {
  bio_put(b);
}

/**
 * __swap_writepage - start writing @p to swap: its bio from get_swap_bio(GFP_NOIO),
 * then set_page_writeback and submit_bio. Returns 0, or -ENOMEM if no bio could
 * be had (the page is not written). Sleeps, and may enter reclaim, in bio_alloc.
 */
export async function __swap_writepage(p: page): Promise<number> {
  const b = await bio_alloc(GFP_NOIO); // get_swap_bio
  if (!b) return -ENOMEM;
  b.page = p;
  b.end_io = end_swap_bio_write;
  count_vm_event('pswpout');
  test_set_page_writeback(p, () => bio_endio(b)); // set_page_writeback, then submit_bio: the disk completes it later
  return 0;
}
