// Models: mm/page_alloc.c (__alloc_pages_nodemask, get_page_from_freelist,
// __alloc_pages_slowpath, __perform_reclaim, __alloc_pages_direct_reclaim,
// should_reclaim_retry, __alloc_pages_may_oom, gfp_to_alloc_flags,
// gfp_pfmemalloc_allowed, warn_alloc, __free_pages), v4.11 (checked against
// the v4.11 source).
//
// An allocation first tries the free list keeping the LOW watermark (the fast
// path). If that fails it takes the slow path, in v4.11's exact order:
//   wake kswapd -> free list at MIN (ALLOC_HIGH/ALLOC_HARDER for GFP_ATOMIC)
//   retry:
//     wake kswapd; ALLOC_NO_WATERMARKS if PF_MEMALLOC or OOM victim (TIF_MEMDIE)
//     free list again
//     cannot sleep (no __GFP_DIRECT_RECLAIM)?  -> fail
//     current has PF_MEMALLOC?                  -> fail (no recursive reclaim)
//     direct reclaim; no progress => do not even look at the free list
//     __GFP_NORETRY?                            -> fail
//     should_reclaim_retry (<= 16 rounds without progress while free +
//       a shrinking share of reclaimable pages would meet MIN) -> retry
//     OOM: trylock oom_lock, free list at HIGH, out_of_memory()
//     OOM victim?                               -> fail
//     the OOM path reported progress            -> reset the count, retry
//   fail: __GFP_NOFAIL loops; else warn_alloc (unless __GFP_NOWARN), NULL.
//
// "Progress" is what try_to_free_pages returns: LRU pages freed plus slab
// pages freed during reclaim (reclaim_state->reclaimed_slab). Pages freed by
// other means (a shrinker truncating a file) do not count, but they are on
// the free list when the allocator looks again.
//
// Lockdep, v4.11: every allocation calls lockdep_trace_alloc (held locks
// become RECLAIM_FS-ON), and direct reclaim runs under
// lockdep_set_current_reclaim_state (locks taken become IN-RECLAIM_FS).
// Under the v4.14 release (boot_params().lockdep_release) the fs_reclaim
// map replaces both: every allocation that may reclaim briefly takes it, and
// direct reclaim holds it (acquired before PF_MEMALLOC is set, released after
// it is restored, as in v4.14's __perform_reclaim). Each release's calls are
// no-ops under the other.
//
// Model choices: no compaction (order > 0 succeeds if enough pages are free;
// should_compact_retry never retries), no cpusets, no per-cpu lists to drain,
// no highatomic reserves, no page-allocation fault injection. in_interrupt()
// is always false. A scheduling point is taken on entry to the slow path
// when the allocation may sleep (the fast path never parks the task).
import { fs_reclaim_acquire, fs_reclaim_release, lockdep_clear_current_reclaim_state, lockdep_set_current_reclaim_state, lockdep_trace_alloc } from '../locking/lockdep';
import { mutex_trylock, mutex_unlock } from '../locking/mutex';
import { __warn, BUG, handle_stack_overflow, print_tainted, UTS_RELEASE } from '../panic';
import { printk, KERN_WARNING } from '../printk/printk';
import { current, model_schedule_point, model_task_context, cond_resched, might_sleep, schedule_timeout_uninterruptible } from '../sched/core';
import { memalloc_noio_flags, memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../sched/mm';
import { PF_MEMALLOC, PF_WQ_WORKER, type task_struct } from '../sched/task';
import { HZ, jiffies, model_jiffies_delta, time_after } from '../time/timekeeping';
import { trace, trace_enabled } from '../trace/trace';
import { BLK_RW_ASYNC, congestion_wait } from './backing_dev';
import { should_fail_alloc_page } from './fail_page_alloc';
import {
  format_gfp,
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MEMALLOC,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_REPEAT,
  __GFP_THISNODE,
  type gfp_t,
} from './gfp';
import {
  ALLOC_CPUSET,
  ALLOC_HARDER,
  ALLOC_HIGH,
  ALLOC_NO_WATERMARKS,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MASK,
  ALLOC_WMARK_MIN,
  MAX_RECLAIM_RETRIES,
  PAGE_ALLOC_COSTLY_ORDER,
} from './internal';
import { wakeup_kswapd } from './kswapd';
import { model_page_ref_add, page_struct_address, type page } from './mm_types';
import { gfp_hex, gfp_names, oom_lock, out_of_memory, tsk_is_oom_victim } from './oom_kill';
import { __ratelimit, ratelimit_state } from './ratelimit';
import { show_mem } from './show_mem';
import { __page_cache_release } from './swap';
import { try_to_free_pages, zone_reclaimable_pages } from './vmscan';
import { node_stat } from './vmstat';
import { __zone_watermark_ok, free_pages_to_zone, min_wmark_pages, rmqueue, zone, zone_free_pages_below, zone_watermark_ok } from './zone';
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';

export { page } from './mm_types';
export { get_page, put_page } from './swap';
export { zone, min_wmark_pages, low_wmark_pages, high_wmark_pages } from './zone';

/** Orders 0..MAX_ORDER-1 exist (MAX_ORDER = 11: up to 4 MiB blocks). */
export const MAX_ORDER = 11;

const nopage_rs = new ratelimit_state();
/** WARN_ON_ONCE call sites that have fired this boot. */
let warned = new Set<string>();

register_initcall('core', 'mm_page_alloc', () => {
  nopage_rs.begin = 0;
  nopage_rs.printed = 0;
  warned = new Set();
});

/** WARN_ON_ONCE - warn the first time @cond holds at call site @site (in @func). */
function WARN_ON_ONCE(cond: boolean, func: string, site: string): boolean {
  if (cond && !warned.has(site)) {
    warned.add(site);
    __warn(`mm/page_alloc.c ${func}`, null);
  }
  return cond;
}

/**
 * get_page_from_freelist - take a block if the zone stays above the
 * watermark selected by @alloc_flags (or at all, with ALLOC_NO_WATERMARKS).
 */
function get_page_from_freelist(gfp_mask: gfp_t, order: number, alloc_flags: number): page | null {
  void gfp_mask;
  if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
    const mark = zone.watermark[alloc_flags & ALLOC_WMARK_MASK]!;
    if (!zone_watermark_ok(zone, order, mark, alloc_flags)) return null;
  }
  const page = rmqueue(order);
  if (page && alloc_flags & (ALLOC_HIGH | ALLOC_HARDER | ALLOC_NO_WATERMARKS) && zone_free_pages_below(min_wmark_pages(zone)) && !reclaim_nesting.get(current)) {
    reserve_pages.set(current, (reserve_pages.get(current) ?? 0) + (1 << order));
  }
  return page;
}

/**
 * The model's record (not the kernel's): pages each task took from below the
 * min watermark (the reserves ALLOC_HIGH, ALLOC_HARDER and
 * ALLOC_NO_WATERMARKS open: GFP_ATOMIC, PF_MEMALLOC, an OOM victim) outside
 * its own direct reclaim, whose allocations may use them. Judges read it;
 * nothing in a task can write it.
 */
let reserve_pages = new WeakMap<task_struct, number>();
register_initcall('core', 'mm_page_alloc_reserve_record', () => {
  reserve_pages = new WeakMap();
});
/** model_reserve_pages_taken - pages @t has taken from the reserves so far (see reserve_pages). */
export function model_reserve_pages_taken(t: task_struct): number {
  return reserve_pages.get(t) ?? 0;
}

/** gfp_to_alloc_flags - the slow path's starting point: the MIN mark, eased for atomic allocations. */
export function gfp_to_alloc_flags(gfp_mask: gfp_t): number {
  let alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  // __GFP_HIGH and ALLOC_HIGH have the same value (a BUILD_BUG_ON in the kernel checks it).
  alloc_flags |= gfp_mask & __GFP_HIGH ? ALLOC_HIGH : 0;
  if (gfp_mask & __GFP_ATOMIC) {
    if (!(gfp_mask & __GFP_NOMEMALLOC)) alloc_flags |= ALLOC_HARDER;
    alloc_flags &= ~ALLOC_CPUSET;
  }
  return alloc_flags;
}

/**
 * gfp_pfmemalloc_allowed - may this allocation ignore the watermarks? Yes
 * for __GFP_MEMALLOC, for PF_MEMALLOC tasks (reclaim itself) and for OOM
 * victims, unless __GFP_NOMEMALLOC.
 */
export function gfp_pfmemalloc_allowed(gfp_mask: gfp_t, t: task_struct): boolean {
  if (gfp_mask & __GFP_NOMEMALLOC) return false;
  if (gfp_mask & __GFP_MEMALLOC) return true;
  return (t.flags & PF_MEMALLOC) !== 0 || tsk_is_oom_victim(t);
}

/**
 * warn_alloc - "<comm>: page allocation failure: order:N, mode:0x...(flags),
 * nodemask=(null)", the stack and Mem-Info; ratelimited, silent with __GFP_NOWARN.
 */
export function warn_alloc(gfp_mask: gfp_t, t: task_struct, msg: string): void {
  if (gfp_mask & __GFP_NOWARN || !__ratelimit(nopage_rs)) return;
  const lines = [
    `${t.comm}: ${msg}, mode:${gfp_hex(gfp_mask)}(${gfp_names(gfp_mask)}), nodemask=(null)`,
    `CPU: ${t.cpu} PID: ${t.pid} Comm: ${t.comm} ${print_tainted()} ${UTS_RELEASE} #1`,
    ...show_mem(),
  ];
  printk(KERN_WARNING, lines.join('\n'));
  trace('warn_alloc', { msg, gfp_flags: format_gfp(gfp_mask) });
}

/**
 * THREAD_SIZE - a task's kernel stack on x86_64, v4.11: PAGE_SIZE << THREAD_SIZE_ORDER (2), 16 KiB
 * (arch/x86/include/asm/page_64_types.h) without KASAN; 32 KiB with it, and no guard page then (kernel/panic.ts).
 */
export const THREAD_SIZE = 16384;
/**
 * Stack one direct reclaim takes, from one allocation to the next one made
 * inside it, estimated from v4.11's x86_64 frames: the allocator's slow path
 * (__alloc_pages_nodemask, __alloc_pages_slowpath, __perform_reclaim:
 * ~0.5 KiB), try_to_free_pages and its struct scan_control down through
 * shrink_node, shrink_node_memcg and shrink_inactive_list/shrink_page_list
 * (~1 KiB), shrink_slab and do_shrink_slab, the i915 shrinker and the code it
 * calls up to its next allocation (~1 KiB). A model choice: 2.5 KiB.
 */
const DIRECT_RECLAIM_STACK_BYTES = 2560;
/** Stack a task has used when it first allocates (syscall entry and pt_regs, drm_ioctl and its on-stack argument buffer, the driver): a model choice, 3 KiB. */
const STACK_AT_FIRST_ALLOCATION = 3072;
/**
 * Direct reclaims one task can have on its stack at once: (16384 - 3072) /
 * 2560 = 5. Reclaim never nests (PF_MEMALLOC), so only a task that lost
 * PF_MEMALLOC inside reclaim ever gets past the first; the sixth runs off
 * the stack.
 */
export const MAX_NESTED_DIRECT_RECLAIM = Math.floor((THREAD_SIZE - STACK_AT_FIRST_ALLOCATION) / DIRECT_RECLAIM_STACK_BYTES);
/** Direct reclaims each task is inside right now. */
let reclaim_nesting = new WeakMap<task_struct, number>();
register_initcall('core', 'mm_page_alloc_stack', () => {
  reclaim_nesting = new WeakMap();
});

/**
 * __perform_reclaim - direct reclaim as the allocating task: PF_MEMALLOC
 * (saved and restored, never blindly cleared), a reclaim_state to collect
 * freed slab pages, and the fs_reclaim lockdep map held throughout. A task
 * that recursed into it more than its stack holds dies of a stack overflow.
 */
async function __perform_reclaim(gfp_mask: gfp_t, order: number, t: task_struct): Promise<number> {
  const depth = (reclaim_nesting.get(t) ?? 0) + 1;
  if (depth > MAX_NESTED_DIRECT_RECLAIM) {
    handle_stack_overflow(0x10000 * (t.pid + 1), THREAD_SIZE); // arch/x86/kernel/traps.c do_double_fault, VMAP_STACK
  }
  reclaim_nesting.set(t, depth); // (a task that dies inside reclaim never unwinds it: no need to)
  await cond_resched();
  fs_reclaim_acquire(gfp_mask, '__perform_reclaim');
  const noreclaim_flag = memalloc_noreclaim_save();
  lockdep_set_current_reclaim_state(gfp_mask);
  const reclaim_state = { reclaimed_slab: 0 };
  t.reclaim_state = reclaim_state;
  const progress = await try_to_free_pages(gfp_mask, order);
  t.reclaim_state = null;
  lockdep_clear_current_reclaim_state();
  memalloc_noreclaim_restore(noreclaim_flag);
  fs_reclaim_release(gfp_mask, '__perform_reclaim');
  reclaim_nesting.set(t, depth - 1);
  await cond_resched();
  return progress;
}

/**
 * __alloc_pages_direct_reclaim - reclaim, then try the free list. With no
 * progress it does not look at the free list at all.
 */
async function __alloc_pages_direct_reclaim(
  gfp_mask: gfp_t,
  order: number,
  alloc_flags: number,
  t: task_struct,
): Promise<{ page: page | null; progress: number }> {
  const progress = await __perform_reclaim(gfp_mask, order, t);
  if (!progress) return { page: null, progress };
  // (The kernel drains the per-cpu lists and tries once more; the model has none.)
  return { page: get_page_from_freelist(gfp_mask, order, alloc_flags), progress };
}

/**
 * should_reclaim_retry - worth another reclaim round? Not after more than
 * MAX_RECLAIM_RETRIES rounds without progress; otherwise yes if free pages
 * plus the reclaimable pages, discounted by loops/16, would meet MIN.
 * Waits a little before retrying: for the disk if writeback is what we wait
 * for, a tick for workqueue workers (so other work items run), else a
 * voluntary preemption point.
 */
async function should_reclaim_retry(
  gfp_mask: gfp_t,
  order: number,
  alloc_flags: number,
  did_some_progress: boolean,
  loops: { no_progress_loops: number },
  t: task_struct,
): Promise<boolean> {
  void gfp_mask;
  if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER) loops.no_progress_loops = 0;
  else loops.no_progress_loops++;
  if (loops.no_progress_loops > MAX_RECLAIM_RETRIES) return false;
  const reclaimable = zone_reclaimable_pages();
  let available = reclaimable;
  available -= Math.ceil((loops.no_progress_loops * available) / MAX_RECLAIM_RETRIES);
  available += zone.free_pages;
  const min_wmark = min_wmark_pages(zone);
  const wmark = __zone_watermark_ok(zone, order, min_wmark, alloc_flags, available);
  if (trace_enabled()) {
    trace('reclaim_retry_zone', { order, reclaimable, available, min_wmark, no_progress_loops: loops.no_progress_loops, wmark_check: wmark });
  }
  if (!wmark) return false;
  if (!did_some_progress) {
    const write_pending = node_stat.nr_write_pending;
    if (2 * write_pending > reclaimable) {
      await congestion_wait(BLK_RW_ASYNC, HZ / 10);
      return true;
    }
  }
  if (t.flags & PF_WQ_WORKER) await schedule_timeout_uninterruptible(1);
  else await cond_resched();
  return true;
}

/**
 * __alloc_pages_may_oom - last resort: under oom_lock, one more look at the
 * free list (HIGH mark: did someone else's kill free memory?), then the OOM
 * killer. If oom_lock is taken, someone else is killing: report progress and
 * sleep a tick.
 */
async function __alloc_pages_may_oom(gfp_mask: gfp_t, order: number): Promise<{ page: page | null; progress: number }> {
  if (!mutex_trylock(oom_lock, '__alloc_pages_may_oom')) {
    await schedule_timeout_uninterruptible(1);
    return { page: null, progress: 1 };
  }
  let progress = 0;
  let page = get_page_from_freelist(gfp_mask | __GFP_HARDWALL, order, ALLOC_WMARK_HIGH | ALLOC_CPUSET);
  // No OOM kill for costly orders, for allocations below ZONE_NORMAL, or __GFP_THISNODE.
  if (!page && order <= PAGE_ALLOC_COSTLY_ORDER && !(gfp_mask & (__GFP_DMA | __GFP_DMA32)) && !(gfp_mask & __GFP_THISNODE)) {
    const oom = await out_of_memory({ gfp_mask, order });
    if (oom || WARN_ON_ONCE((gfp_mask & __GFP_NOFAIL) !== 0, '__alloc_pages_may_oom', 'oom_nofail')) {
      progress = 1;
      if (gfp_mask & __GFP_NOFAIL) page = get_page_from_freelist(gfp_mask, order, ALLOC_NO_WATERMARKS | ALLOC_CPUSET);
    }
  }
  mutex_unlock(oom_lock, '__alloc_pages_may_oom');
  return { page, progress };
}

/** __alloc_pages_slowpath - see the file comment for the order of the steps. */
async function __alloc_pages_slowpath(gfp_mask: gfp_t, order: number, t: task_struct): Promise<page | null> {
  const can_direct_reclaim = (gfp_mask & __GFP_DIRECT_RECLAIM) !== 0;
  if (order >= MAX_ORDER) {
    WARN_ON_ONCE(!(gfp_mask & __GFP_NOWARN), '__alloc_pages_slowpath', 'max_order');
    return null;
  }
  if (WARN_ON_ONCE((gfp_mask & (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) === (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM), '__alloc_pages_slowpath', 'atomic_reclaim')) {
    gfp_mask &= ~__GFP_ATOMIC;
  }
  if (can_direct_reclaim) await model_schedule_point('__alloc_pages_slowpath');

  let alloc_flags = gfp_to_alloc_flags(gfp_mask);
  const loops = { no_progress_loops: 0 };
  const alloc_start = jiffies();
  let stall_timeout = 10 * HZ;

  if (gfp_mask & __GFP_KSWAPD_RECLAIM) wakeup_kswapd(order);
  let page = get_page_from_freelist(gfp_mask, order, alloc_flags);
  if (page) return page;

  for (;;) {
    retry: for (;;) {
      if (gfp_mask & __GFP_KSWAPD_RECLAIM) wakeup_kswapd(order);
      if (gfp_pfmemalloc_allowed(gfp_mask, t)) alloc_flags = ALLOC_NO_WATERMARKS;
      page = get_page_from_freelist(gfp_mask, order, alloc_flags);
      if (page) return page;
      if (!can_direct_reclaim) break retry;
      if (time_after(jiffies(), alloc_start + stall_timeout)) {
        warn_alloc(gfp_mask, t, `page allocation stalls for ${model_jiffies_delta(jiffies(), alloc_start)}ms, order:${order}`);
        stall_timeout += 10 * HZ;
      }
      // A task that is reclaim itself must not recurse into reclaim.
      if (t.flags & PF_MEMALLOC) break retry;
      const dr = await __alloc_pages_direct_reclaim(gfp_mask, order, alloc_flags, t);
      if (dr.page) return dr.page;
      if (gfp_mask & __GFP_NORETRY) break retry;
      if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp_mask & __GFP_REPEAT)) break retry;
      if (await should_reclaim_retry(gfp_mask, order, alloc_flags, dr.progress > 0, loops, t)) continue retry;
      const oom = await __alloc_pages_may_oom(gfp_mask, order);
      if (oom.page) return oom.page;
      if (tsk_is_oom_victim(t)) break retry;
      if (oom.progress) {
        loops.no_progress_loops = 0;
        continue retry;
      }
      break retry;
    }
    // nopage:
    if (gfp_mask & __GFP_NOFAIL) {
      if (WARN_ON_ONCE(!can_direct_reclaim, '__alloc_pages_slowpath', 'nofail_noreclaim')) break;
      WARN_ON_ONCE((t.flags & PF_MEMALLOC) !== 0, '__alloc_pages_slowpath', 'nofail_memalloc');
      WARN_ON_ONCE(order > PAGE_ALLOC_COSTLY_ORDER, '__alloc_pages_slowpath', 'nofail_costly');
      page = get_page_from_freelist(gfp_mask, order, ALLOC_HARDER);
      if (page) return page;
      await cond_resched();
      continue;
    }
    break;
  }
  warn_alloc(gfp_mask, t, `page allocation failure: order:${order}`);
  return null;
}

/**
 * alloc_pages - allocate 2^@order contiguous pages (order 0: one page).
 * Returns the block with one reference, or null. Sleeps (direct reclaim,
 * OOM) only if @gfp_mask has __GFP_DIRECT_RECLAIM.
 */
export async function alloc_pages(gfp_mask: gfp_t, order = 0): Promise<page | null> {
  const t = model_task_context('alloc_pages');
  // lockdep's might-reclaim annotation (v4.11 __alloc_pages_nodemask; v4.14 prepare_alloc_pages) and might_sleep_if.
  lockdep_trace_alloc(gfp_mask, 'alloc_pages');
  fs_reclaim_acquire(gfp_mask, 'alloc_pages');
  fs_reclaim_release(gfp_mask, 'alloc_pages');
  if (gfp_mask & __GFP_DIRECT_RECLAIM) might_sleep('alloc_pages', 'mm/page_alloc.c');
  if (should_fail_alloc_page(gfp_mask, order)) return null; // prepare_alloc_pages: fault injection
  let page = get_page_from_freelist(gfp_mask, order, ALLOC_WMARK_LOW);
  if (!page) page = await __alloc_pages_slowpath(memalloc_noio_flags(gfp_mask), order, t);
  if (trace_enabled()) trace_mm_page_alloc(page, order, gfp_mask);
  return page;
}

/**
 * MIGRATE_TYPES, v4.11 x86-64 with CONFIG_MEMORY_ISOLATION (UNMOVABLE,
 * MOVABLE, RECLAIMABLE, HIGHATOMIC, ISOLATE). Grouping by mobility is off
 * below pageblock_nr_pages (512) * MIGRATE_TYPES pages (build_all_zonelists):
 * the course's 256- and 1024-page machines, not its 4096-page ones.
 */
const MIGRATE_TYPES = 5;
const PAGEBLOCK_NR_PAGES = 512;

/** gfpflags_to_migratetype (include/linux/gfp.h): MIGRATE_UNMOVABLE 0, MOVABLE 1, RECLAIMABLE 2. */
function gfpflags_to_migratetype(gfp_mask: gfp_t): number {
  if (boot_params().totalram_pages < PAGEBLOCK_NR_PAGES * MIGRATE_TYPES) return 0; // page_group_by_mobility_disabled
  return (gfp_mask & (__GFP_MOVABLE | __GFP_RECLAIMABLE)) >> 3;
}

/**
 * The mm_page_alloc tracepoint (include/trace/events/kmem.h, v4.11): printed
 * as "page=%p pfn=%lu order=%d migratetype=%d gfp_flags=%s". A failed
 * allocation records pfn -1UL and prints page=NULL, which %p shows as
 * "(null)" padded to a pointer's 16 columns, and pfn=0.
 */
function trace_mm_page_alloc(page: page | null, order: number, gfp_mask: gfp_t): void {
  trace('mm_page_alloc', {
    page: page ? page_struct_address(page) : '(null)'.padStart(16),
    pfn: page ? page.pfn : 0,
    order,
    migratetype: gfpflags_to_migratetype(gfp_mask),
    gfp_flags: format_gfp(gfp_mask),
  });
}

/** __alloc_pages_nodemask - the same; the model has one node. */
export const __alloc_pages_nodemask = alloc_pages;

/** alloc_page - one page. */
export function alloc_page(gfp_mask: gfp_t): Promise<page | null> {
  return alloc_pages(gfp_mask, 0);
}

/**
 * __free_pages - drop a reference to a block from alloc_pages; the last one
 * gives it back to the zone. (@order must match the allocation.)
 */
export function __free_pages(p: page, order = 0): void {
  // put_page_testzero on a free page: CONFIG_DEBUG_VM's VM_BUG_ON_PAGE.
  if (p._refcount <= 0) BUG('include/linux/mm.h', 'page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)');
  if (order !== p.order) WARN_ON_ONCE(true, '__free_pages', 'free_order');
  if (model_page_ref_add(p, -1) > 0) return;
  __page_cache_release(p);
  free_pages_to_zone(p, '__free_pages');
}

/** __free_page - __free_pages of one page. */
export function __free_page(p: page): void {
  __free_pages(p, 0);
}

/** nr_free_pages - include/linux/swap.h (v4.11): global_page_state(NR_FREE_PAGES), the pages on the free lists now. */
export function nr_free_pages(): number {
  return zone.free_pages;
}

/** si_meminfo-style snapshot of the zone, for tests and the study site. */
export function zone_info(): { free: number; min: number; low: number; high: number; managed: number } {
  return { free: zone.free_pages, min: zone.watermark[0], low: zone.watermark[1], high: zone.watermark[2], managed: zone.managed_pages };
}

