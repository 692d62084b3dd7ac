// Models: mm/vmscan.c (kswapd, kswapd_try_to_sleep, prepare_kswapd_sleep,
// balance_pgdat, kswapd_shrink_node, wakeup_kswapd, zone_balanced), v4.11,
// with v4.12's kswapd_failures.
//
// kswapd0 is the node's background reclaimer. An allocation that finds
// free pages below the low watermark wakes it (wakeup_kswapd, from the
// allocator's slow path); it then reclaims, priority by priority, until free
// pages are above the high watermark, and goes back to sleep. It runs with
// PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD and a reclaim_state for its whole
// life, so shrinkers called from kswapd run with PF_MEMALLOC too, and slab
// pages they free count as its progress. For lockdep it is in reclaim for its
// whole life (v4.11: lockdep_set_current_reclaim_state(GFP_KERNEL) in
// kswapd()); under the v4.14 release it holds the fs_reclaim map while it
// reclaims (__fs_reclaim_acquire in balance_pgdat).
//
// Model choices:
//  - kswapd0 is started the first time it is woken, not at boot, so that
//    runs which never reach the slow path have no extra task (and the
//    interleaving explorer no extra choices);
//  - it sleeps only in TASK_INTERRUPTIBLE until woken (no HZ/10 nap to check
//    for premature sleep, no kcompactd, no freezer);
//  - v4.11 has no way to give up on a node that cannot be reclaimed: kswapd
//    spins at 100% CPU (fixed in v4.12 by Johannes Weiner, "mm: fix 100% CPU
//    kswapd busyloop on unreclaimable nodes"). The model takes the v4.12
//    rule so runs can end: after MAX_RECLAIM_RETRIES balance runs that
//    reclaimed nothing, kswapd sleeps and ignores wake-ups until some
//    reclaim (direct or its own) frees a page (pgdat.kswapd_failures reset in
//    shrink_node).
import { FP_KSWAPD, footprint_memory_call, footprint_precise_task, footprint_read, footprint_write } from '../footprint';
import { register_initcall } from '../init/initcall';
import { kthread_run } from '../kthread';
import { __fs_reclaim_acquire, __fs_reclaim_release, lockdep_set_current_reclaim_state } from '../locking/lockdep';
import { current, schedule, set_current_state } from '../sched/core';
import { PF_KSWAPD, PF_MEMALLOC, PF_SWAPWRITE, TASK_INTERRUPTIBLE, TASK_RUNNING, model_wait_target, type task_struct, type wait_target } from '../sched/task';
import { init_waitqueue_head, wake_up, waitqueue_active, type wait_queue_head } from '../sched/wait';
import { trace } from '../trace/trace';
import { GFP_KERNEL } from './gfp';
import { DEF_PRIORITY, MAX_RECLAIM_RETRIES, SWAP_CLUSTER_MAX } from './internal';
import { pgdat, shrink_node } from './vmscan';
import { age_active_anon, new_scan_control, type scan_control } from './vmscan_lru';
import { count_vm_event } from './vmstat';
import { high_wmark_pages, zone, zone_watermark_ok } from './zone';

let kswapd_task: task_struct | null = null;
let kswapd_wait: wait_queue_head = init_waitqueue_head('kswapd_wait');
let kswapd_order = 0;
const kswapd_sleep_target: wait_target = model_wait_target({ describe: () => 'wait queue kswapd_wait', holder: () => null });

register_initcall('core', 'mm_kswapd', () => {
  kswapd_task = null;
  kswapd_wait = init_waitqueue_head('kswapd_wait');
  kswapd_order = 0;
});

/** The kswapd0 task, once started (null before the first wake-up). */
export function kswapd_thread(): task_struct | null {
  footprint_read(FP_KSWAPD);
  return kswapd_task;
}

/** zone_balanced - free pages above the high watermark for this order. */
function zone_balanced(order: number): boolean {
  return zone_watermark_ok(zone, order, high_wmark_pages(zone), 0);
}

/** prepare_kswapd_sleep - may kswapd sleep? When balanced, or (v4.12) when the node is hopeless. */
function prepare_kswapd_sleep(order: number): boolean {
  if (pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES) return true;
  return zone_balanced(order);
}

/**
 * wakeup_kswapd - an allocation of @order fell below the low watermark:
 * wake kswapd unless it is already awake, the zone is balanced, or (v4.12)
 * kswapd has given up on the node.
 */
export function wakeup_kswapd(order: number): void {
  // Reads kswapd's state; writes it only when it changes it (a wake-up that changes nothing commutes with kswapd's steps).
  footprint_read(FP_KSWAPD);
  if (pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES) return;
  if (order > kswapd_order) {
    footprint_write(FP_KSWAPD);
    kswapd_order = order;
  }
  if (!kswapd_task) {
    if (zone_balanced(order)) return;
    trace('mm_vmscan_wakeup_kswapd', { nid: 0, order });
    footprint_write(FP_KSWAPD);
    kswapd_task = kthread_run(kswapd, 'kswapd0', { daemon: true, cpu: 0 });
    // Until balance_pgdat() it touches only FP_KSWAPD, FP_ZONE and itself, all tagged (footprint.ts).
    footprint_precise_task(kswapd_task);
    return;
  }
  if (!waitqueue_active(kswapd_wait)) return;
  if (zone_balanced(order)) return;
  trace('mm_vmscan_wakeup_kswapd', { nid: 0, order });
  wake_up(kswapd_wait);
}

/** kswapd_try_to_sleep - sleep until woken, if there is nothing to do. */
async function kswapd_try_to_sleep(reclaim_order: number): Promise<void> {
  footprint_write(FP_KSWAPD);
  if (prepare_kswapd_sleep(reclaim_order)) {
    trace('mm_vmscan_kswapd_sleep', { nid: 0 });
    kswapd_wait.waiters.push(current);
    set_current_state(TASK_INTERRUPTIBLE);
    await schedule(kswapd_sleep_target, 'kswapd');
    footprint_write(FP_KSWAPD); // a new step
    const i = kswapd_wait.waiters.indexOf(current);
    if (i >= 0) kswapd_wait.waiters.splice(i, 1);
    current.state = TASK_RUNNING;
  } else {
    footprint_memory_call(); // vmstat, then reclaim: memory state from here on
    count_vm_event('kswapd_high_wmark_hit_quickly');
  }
}

/** kswapd_shrink_node - one round at sc.priority, aiming for the high watermark. */
async function kswapd_shrink_node(sc: scan_control): Promise<boolean> {
  sc.nr_to_reclaim = Math.max(high_wmark_pages(zone), SWAP_CLUSTER_MAX);
  await shrink_node(sc);
  // Enough scanned to meet the high watermark at 100% efficiency: no need to raise the priority.
  return sc.nr_scanned >= sc.nr_to_reclaim;
}

/**
 * balance_pgdat - reclaim until the zone is balanced, raising the priority
 * (lowering sc.priority) while rounds free nothing. Returns the order.
 */
async function balance_pgdat(order: number): Promise<number> {
  footprint_memory_call(); // reclaim: LRU, shrinkers, pages... (kernel/footprint.ts FP_MEM)
  const sc = new_scan_control(GFP_KERNEL, order, 0);
  count_vm_event('pageoutrun');
  __fs_reclaim_acquire('balance_pgdat');
  let balanced = false;
  do {
    const nr_reclaimed = sc.nr_reclaimed;
    let raise_priority = true;
    if (zone_balanced(sc.order)) {
      balanced = true;
      break;
    }
    await age_active_anon(sc);
    if (sc.priority < DEF_PRIORITY - 2) sc.may_writepage = true;
    sc.nr_scanned = 0;
    if (await kswapd_shrink_node(sc)) raise_priority = false;
    if (raise_priority || sc.nr_reclaimed - nr_reclaimed === 0) sc.priority--;
  } while (sc.priority >= 1);
  if (!balanced && !sc.nr_reclaimed) pgdat.kswapd_failures++;
  __fs_reclaim_release('balance_pgdat');
  return sc.order;
}

/** kswapd - the thread: sleep, balance, repeat. */
async function kswapd(): Promise<void> {
  const tsk = current;
  lockdep_set_current_reclaim_state(GFP_KERNEL);
  tsk.reclaim_state = { reclaimed_slab: 0 };
  tsk.flags |= PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD;
  let reclaim_order = 0;
  for (;;) {
    await kswapd_try_to_sleep(reclaim_order);
    footprint_write(FP_KSWAPD);
    const alloc_order = kswapd_order;
    kswapd_order = 0;
    trace('mm_vmscan_kswapd_wake', { nid: 0, order: alloc_order });
    reclaim_order = await balance_pgdat(alloc_order);
  }
}
