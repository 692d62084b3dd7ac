// Models: mm/page-writeback.c (set_page_dirty, clear_page_dirty_for_io,
// __test_set_page_writeback behind page-flags.h's test_set_page_writeback,
// account_page_cleaned), mm/filemap.c
// (end_page_writeback) and the block layer's completion, v4.11.
//
// A dirty page cannot be freed until its data is written (to its file, or to
// swap for anon and shmem pages). Writing takes time: the model's "disk"
// completes every write WRITEBACK_JIFFIES after it was started, from a timer
// (as a bio completes from an interrupt). When a write finishes on a page that
// reclaim wanted (PG_reclaim), the page is rotated to the tail of its
// inactive list so the next scan frees it, as rotate_reclaimable_page does.
//
// NR_ZONE_WRITE_PENDING counts dirty file pages (shmem and anon dirtiness is
// not accounted, as tmpfs has no dirty accounting) plus every page under
// writeback. should_reclaim_retry() looks at it to decide whether to wait
// for the disk (congestion_wait) rather than give up.
import { register_initcall } from '../init/initcall';
import { model_ticks } from '../time/timekeeping';
import { del_timer, mod_timer, timer_setup, type timer_list } from '../time/timer';
import { page_is_file_cache, PG_dirty, PG_reclaim, PG_writeback, type page } from './mm_types';
import { get_page, put_page, rotate_reclaimable_page } from './swap';
import { node_stat } from './vmstat';

/** How long the model's disk takes to write a page (model choice: 10 ms). */
export const WRITEBACK_JIFFIES = 10;

interface inflight {
  page: page;
  done_at: number;
  /** The bio's completion (bio_endio), for writes submitted as a bio (kernel/mm/page_io.ts). */
  end_io: (() => void) | null;
}

let queue: inflight[] = [];
let disk_timer: timer_list | null = null;

register_initcall('core', 'mm_writeback', () => {
  queue = [];
  disk_timer = null;
});

/** Is this page's dirtiness accounted (NR_FILE_DIRTY)? Only ordinary file pages. */
function accounts_dirty(p: page): boolean {
  return p.mapping !== null && p.mapping.kind === 'file' && page_is_file_cache(p);
}

/**
 * set_page_dirty - the page's contents changed and must be written before
 * the page can be freed. Returns true if it was clean.
 */
export function set_page_dirty(p: page): boolean {
  if (p.flags & PG_dirty) return false;
  p.flags |= PG_dirty;
  if (accounts_dirty(p)) node_stat.nr_write_pending++;
  return true;
}

/** account_page_cleaned - a dirty page leaves its file without being written (truncate). */
export function account_page_cleaned(p: page): void {
  if (p.flags & PG_dirty && accounts_dirty(p)) node_stat.nr_write_pending--;
}

/** clear_page_dirty_for_io - about to write the page: clear PG_dirty. Returns true if it was dirty. */
export function clear_page_dirty_for_io(p: page): boolean {
  if (!(p.flags & PG_dirty)) return false;
  if (accounts_dirty(p)) node_stat.nr_write_pending--;
  p.flags &= ~PG_dirty;
  return true;
}

function arm_disk(): void {
  if (queue.length === 0) return;
  disk_timer ??= timer_setup(disk_complete, 'writeback completion');
  mod_timer(disk_timer, queue[0]!.done_at);
}

function disk_complete(): void {
  const now = model_ticks();
  while (queue.length > 0 && queue[0]!.done_at <= now) {
    const done = queue.shift()!;
    end_page_writeback(done.page);
    done.end_io?.();
  }
  if (disk_timer) del_timer(disk_timer);
  arm_disk();
}

/**
 * test_set_page_writeback - start writing @p: PG_writeback is set until the
 * write completes. The I/O holds a page reference meanwhile (the model's
 * stand-in for the bio's hold on the page). @end_io, if given, runs when the
 * disk completes the write, after end_page_writeback (a bio's end_io).
 */
export function test_set_page_writeback(p: page, end_io: (() => void) | null = null): boolean {
  if (p.flags & PG_writeback) return true;
  p.flags |= PG_writeback;
  node_stat.nr_write_pending += 1 << p.order; // a block of 2^order pages (a huge object's, shmem_range.ts) is 2^order pages under writeback
  get_page(p);
  queue.push({ page: p, done_at: model_ticks() + WRITEBACK_JIFFIES, end_io });
  if (queue.length === 1) arm_disk();
  return false;
}

/** end_page_writeback - the write finished: rotate if reclaim wanted it, drop the I/O reference. */
export function end_page_writeback(p: page): void {
  if (!(p.flags & PG_writeback)) return;
  p.flags &= ~PG_writeback;
  node_stat.nr_write_pending -= 1 << p.order;
  if (p.flags & PG_reclaim) {
    p.flags &= ~PG_reclaim;
    rotate_reclaimable_page(p);
  }
  put_page(p);
}

/** Pages under writeback right now (for tests). */
export function nr_writeback(): number {
  return queue.length;
}
