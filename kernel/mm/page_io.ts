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
// With swap on a file (boot param swap_file: SWP_FILE, swap over NFS) the
// page goes to the file's ->direct_IO instead, synchronously, and that write
// can fail (kernel/nfs/direct.ts): v4.11 then redirties the page, clears
// PG_reclaim, prints "Write error on dio swapfile (offset)" (rate-limited)
// and returns the error. That is the one way __swap_writepage fails in
// practice: the bio path's GFP_NOIO mempool allocation waits rather than fail.
//
// A block of 2^order pages (a huge GEM object's sg entry, kernel/mm/
// shmem_range.ts) is written as one bio and counted as 2^order pages in
// pswpout, as v4.13's THP swap-out does (count_vm_events(PSWPOUT,
// hpage_nr_pages(page))): writing a 2^20-page object costs O(blocks).
//
// Simplified: the page need not be in the swap cache (the kernel's
// VM_BUG_ON_PAGE(!PageSwapCache(page)); zswap_writeback_entry writes a fresh
// swap-cache page this way; the offset printed is the page's pfn), no
// bdev_write_page fast path. Reclaim's own pageout (swap_state.ts
// swap_writepage) stays bookkeeping without a bio.
import { bio_alloc, bio_endio, bio_put, type bio } from '../block/bio';
import { nfs_direct_IO } from '../nfs/direct';
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { pr_err } from '../printk/printk';
import { GFP_NOIO } from './gfp';
import { PG_reclaim, type page } from './mm_types';
import { set_page_dirty, test_set_page_writeback } from './page_writeback';
import { __ratelimit, ratelimit_state } from './ratelimit';
import { count_vm_events } from './vmstat';

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
 * On a swap file, writes @p synchronously and returns 0 or the write's error.
 */
export async function __swap_writepage(p: page): Promise<number> {
  if (boot_params().swap_file) return swap_file_writepage(p);
  const b = await bio_alloc(GFP_NOIO); // get_swap_bio
  if (!b) return -ENOMEM;
  b.page = p;
  b.end_io = end_swap_bio_write;
  count_vm_events('pswpout', 1 << p.order);
  test_set_page_writeback(p, () => bio_endio(b)); // set_page_writeback, then submit_bio: the disk completes it later
  return 0;
}

/** pr_err_ratelimited's state for the swap file's write errors (one per boot). */
let dio_error_rs = new ratelimit_state();
register_initcall('core', 'mm_page_io', () => {
  dio_error_rs = new ratelimit_state();
});

/** __swap_writepage's SWP_FILE branch: the file's ->direct_IO, synchronous; on error the page stays dirty. */
async function swap_file_writepage(p: page): Promise<number> {
  const ret = await nfs_direct_IO(p); // sets and ends PG_writeback around the write
  if (ret === 4096 << p.order) {
    count_vm_events('pswpout', 1 << p.order);
    return 0;
  }
  // Possibly temporary (no memory for the request): keep the data, don't rotate the page, no PageError.
  set_page_dirty(p);
  p.flags &= ~PG_reclaim; // ClearPageReclaim
  if (__ratelimit(dio_error_rs)) pr_err(`Write error on dio swapfile (${p.pfn * 4096})`);
  return ret;
}
