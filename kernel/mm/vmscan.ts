// Models: mm/vmscan.c (register_shrinker, unregister_shrinker,
// do_shrink_slab, shrink_slab, drop_slab, shrink_node, shrink_zones,
// do_try_to_free_pages, try_to_free_pages) and include/linux/shrinker.h, v4.11.
//
// Reclaim has two sources of memory: the LRU page lists (vmscan_lru.ts) and
// the shrinkers, through which caches outside the LRU (dentries, inodes,
// i915's GEM objects...) are asked to give objects back. One reclaim round
// (shrink_node) scans the LRU at the current priority and then calls every
// shrinker with the same *pressure*: the fraction of the LRU just scanned.
//
// do_shrink_slab follows v4.11 exactly (lessons/sources.md §2; checked against
// the v4.11 source):
//   freeable = count_objects()              0: return 0, nr_deferred untouched
//   nr       = xchg(nr_deferred[nid], 0)    claim the work others deferred
//   delta    = (4 * nr_scanned / seeks) * freeable / (nr_eligible + 1)
//   total_scan = nr + delta (negative: "negative objects to delete", use freeable)
//   if delta < freeable/4: total_scan = min(total_scan, freeable/2)   anti-windup
//   total_scan = min(total_scan, 2 * freeable)
//   while total_scan >= batch || total_scan >= freeable:
//       nr_to_scan = min(batch, total_scan); ret = scan_objects()
//       SHRINK_STOP: stop; else freed += ret, total_scan -= nr_to_scan,
//       scanned += nr_to_scan (the request, not ret), cond_resched()
//   nr_deferred[nid] += max(next_deferred - scanned, 0)
//
// What counts as reclaim *progress* is only pages actually freed: LRU pages
// and slab pages freed while current->reclaim_state is set (reclaimed_slab).
// The number a shrinker returns drives its own batch loop and nothing else:
// shrink_node discards shrink_slab's result (lessons/sources.md §3).
//
// Model choices: the LRU and the zone are node 0's (shrink_node reclaims
// node 0); a machine may have more nodes (boot parameter nr_node_ids, 1 by
// default) for per-node shrinker state: a SHRINKER_NUMA_AWARE shrinker keeps
// nr_deferred[nid] per node, and shrink_slab(nid) is what kswapd of node nid
// and drop_slab_node(nid) call. No memcg (shrink_slab
// with a memcg returns 0, as with kmem accounting off); register_shrinker is
// synchronous and does not take shrinker_rwsem (it may be called from
// scenario setup, where no task exists to sleep; a walk in progress simply
// sees the new shrinker), while unregister_shrinker takes it for writing and
// so waits for walks in progress, as in v4.11. count/scan may be synchronous
// or async. A shrinker may carry a `name` for messages (the kernel prints the
// scan function with %pF).
import { FP_KSWAPD, footprint_read, footprint_write } from '../footprint';
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { atomic_long_add_return, atomic_long_read, atomic_long_t, atomic_long_xchg } from '../lib/atomic';
import { down_read_trylock, down_write, DECLARE_RWSEM, up_read, up_write } from '../locking/rwsem';
import { KernelOops, print_tainted, report, UTS_RELEASE, WARN } from '../panic';
import { pr_err } from '../printk/printk';
import { cond_resched, current } from '../sched/core';
import { memalloc_noio_flags } from '../sched/mm';
import { trace, trace_enabled } from '../trace/trace';
import { should_failslab } from './failslab';
import { model_slab_counted, model_slab_counted_reset } from './slab';
import { format_gfp, GFP_KERNEL, type gfp_t } from './gfp';
import { DEF_PRIORITY, SWAP_CLUSTER_MAX } from './internal';
import { count_vm_event, count_vm_events } from './vmstat';
import { new_scan_control, shrink_node_memcg, type scan_control } from './vmscan_lru';
import { model_describe_kind } from '../model_value';
import { model_struct } from '../model_struct';
import { model_field_set, model_has_kernel_field, model_kernel_fields } from '../model_fields';

export { new_scan_control, zone_reclaimable_pages, type scan_control } from './vmscan_lru';

/** ~0UL: "I cannot make progress now, stop calling me". As a JS double it rounds to 2^64: still no real count. */
export const SHRINK_STOP = 2 ** 64 - 1;
/** A shrinker's default "seeks": the cost of recreating one object, relative to a page (DEFAULT_SEEKS). */
export const DEFAULT_SEEKS = 2;
/** Objects per scan_objects call unless the shrinker sets batch. */
export const SHRINK_BATCH = 128;
export const SHRINKER_NUMA_AWARE = 1 << 0;
export const SHRINKER_MEMCG_AWARE = 1 << 1;
/** nr_node_ids: memory nodes of this boot (boot parameter; 1 unless a check asks for more). */
export let nr_node_ids = 1;
const ENOMEM = 12;

/** struct shrink_control: what one count/scan call is about. (No nr_scanned in v4.11: that came in v4.14.) */
export interface shrink_control {
  /** The allocation reclaim is working for: a shrinker must not recurse into FS code without __GFP_FS. */
  gfp_mask: gfp_t;
  /** Objects to scan in this scan_objects call (reset before every call). */
  nr_to_scan: number;
  /** The node being reclaimed (0 for shrinkers that are not NUMA aware). */
  nid: number;
  /** The memcg being reclaimed (always null in the model). */
  memcg: object | null;
}

/** struct shrinker. count_objects/scan_objects may be async (they may sleep, e.g. take a mutex). */
export interface shrinker {
  /** How many objects could be freed; 0 if none or unknown (then scan is not called). */
  count_objects(s: shrinker, sc: shrink_control): number | Promise<number>;
  /** Try to free sc.nr_to_scan objects; return how many were freed, or SHRINK_STOP. */
  scan_objects(s: shrinker, sc: shrink_control): number | Promise<number>;
  /** DEFAULT_SEEKS unless recreating an object is dearer or cheaper. */
  seeks: number;
  /** Objects per scan call; 0 means SHRINK_BATCH. */
  batch: number;
  flags: number;
  /** Work deferred from earlier calls, one counter per node (set by register_shrinker). */
  nr_deferred?: atomic_long_t[] | null;
  /** Model: a name for messages and traces. */
  name?: string;
}

/** shrinker_list and shrinker_rwsem: the registered shrinkers, walked by shrink_slab. */
let shrinker_list: shrinker[] = [];
export const shrinker_rwsem = DECLARE_RWSEM('shrinker_rwsem');

let kswapd_failures = 0;
/** Node-level reclaim state (pglist_data fields). */
export const pgdat = {
  /** v4.12's kswapd_failures: kswapd rounds in a row that reclaimed nothing (kswapd reads it before it reclaims: tagged, FP_KSWAPD). */
  get kswapd_failures(): number {
    footprint_read(FP_KSWAPD);
    return kswapd_failures;
  },
  set kswapd_failures(n: number) {
    footprint_write(FP_KSWAPD);
    kswapd_failures = n;
  },
};

/** Model: an exercise's do_shrink_slab, called by shrink_slab instead of the kernel's own (reset at every boot). */
let do_shrink_slab_impl: typeof do_shrink_slab | null = null;

/** model_set_do_shrink_slab - make shrink_slab call @fn for every shrinker (null: the model's own do_shrink_slab). */
export function model_set_do_shrink_slab(fn: typeof do_shrink_slab | null): void {
  do_shrink_slab_impl = fn;
}

register_initcall('core', 'mm_vmscan', () => {
  shrinker_list = [];
  pgdat.kswapd_failures = 0;
  do_shrink_slab_impl = null;
  nr_node_ids = boot_params().nr_node_ids;
});

function shrinker_name(s: shrinker): string {
  return s.name ?? (s.scan_objects.name || 'scan_objects');
}

/**
 * register_shrinker - add @s to the list shrink_slab walks. Allocates its
 * nr_deferred counters (kzalloc, so failslab can make it fail: -ENOMEM).
 */
export function register_shrinker(s: shrinker): number {
  const nr = s.flags & SHRINKER_NUMA_AWARE ? nr_node_ids : 1;
  if (should_failslab(8 * nr, GFP_KERNEL)) return -ENOMEM;
  // The counters are the shrinker core's: frozen, and the field the kernel's to set (a counter swapped
  // for another, or the array rebuilt, would be work deferred that do_shrink_slab never sees).
  const counters = Object.freeze(Array.from({ length: nr }, () => new atomic_long_t(0))) as atomic_long_t[];
  if (model_has_kernel_field(s, 'nr_deferred')) model_field_set(s, 'nr_deferred', counters);
  else {
    s.nr_deferred = counters;
    model_kernel_fields(s, ['nr_deferred']);
  }
  // The struct shrinker has its fields now (nr_deferred was the last): none can be added or held otherwise.
  shrinker_list.push(model_struct(s));
  return 0;
}

/**
 * unregister_shrinker - remove @s. Takes shrinker_rwsem for writing, so it
 * waits until no shrink_slab walk is in progress: after it returns, @s is
 * not running and will not be called again.
 */
export async function unregister_shrinker(s: shrinker): Promise<void> {
  await down_write(shrinker_rwsem, 'unregister_shrinker');
  const i = shrinker_list.indexOf(s);
  if (i >= 0) shrinker_list.splice(i, 1);
  up_write(shrinker_rwsem, 'unregister_shrinker');
  model_field_set(s, 'nr_deferred', null);
}

/** The registered shrinkers, in registration order. */
export function registered_shrinkers(): readonly shrinker[] {
  return shrinker_list;
}

/** Read a shrinker's deferred work for node @nid (0 if not registered). */
export function shrinker_nr_deferred(s: shrinker, nid = 0): number {
  const d = s.nr_deferred?.[s.flags & SHRINKER_NUMA_AWARE ? nid : 0];
  return d ? atomic_long_read(d) : 0;
}

async function call_shrinker(fn: shrinker['count_objects'], s: shrinker, sc: shrink_control): Promise<number> {
  const r: unknown = fn.call(s, s, sc);
  if (typeof r === 'number') return unsigned_long_answer(s, fn, r);
  // (model) Only a real Promise is awaited: a hand-made thenable's then() is the callee's code, and one that never calls back would leave the task neither running nor asleep.
  if (!(r instanceof Promise)) return unsigned_long_answer(s, fn, r);
  return unsigned_long_answer(s, fn, await r);
}

/**
 * (model) count_objects and scan_objects return an unsigned long (include/linux/shrinker.h):
 * a value C cannot hold (an object, a BigInt, a string, NaN, Infinity) ends the call as an oops
 * naming the callback, before do_shrink_slab's arithmetic coerces it (valueOf/Symbol.toPrimitive
 * would run the callee's code there, and NaN or an object read as 0 makes the batch loop spin).
 */
function unsigned_long_answer(s: shrinker, fn: shrinker['count_objects'], r: unknown): number {
  if (typeof r === 'number' && Number.isFinite(r)) return r;
  const which = fn === s.count_objects ? 'count_objects' : 'scan_objects';
  not_an_unsigned_long(`${shrinker_name(s)}: ${which}`, r, `${which} returns an unsigned long (include/linux/shrinker.h): a number of objects${which === 'scan_objects' ? ', or SHRINK_STOP' : ''}. do_shrink_slab() cannot compute with anything else.`);
}

/** (model) The oops for an answer C cannot hold, described by its type alone: reading it (a getter, a Proxy, toString) would run the callee's code again. */
function not_an_unsigned_long(who: string, r: unknown, why: string): never {
  const what = model_describe_kind(r); // (kernel/model_value.ts) by its type: never runs the callee's code
  report('bug', `${who} returned ${what}`, [
    `BUG: ${who} returned ${what}, not an unsigned long`,
    why,
    `CPU: ${current.cpu} PID: ${current.pid} Comm: ${current.comm} ${print_tainted()} ${UTS_RELEASE} #1`,
  ]);
  throw new KernelOops(`${who} returned ${what}`);
}

/** x86 raises #DE on an integer division by zero: the kernel oopses. */
function divide_error(where: string): never {
  report('bug', 'divide error: 0000 [#1] SMP', [
    'divide error: 0000 [#1] SMP',
    `CPU: ${current.cpu} PID: ${current.pid} Comm: ${current.comm} ${print_tainted()} ${UTS_RELEASE} #1`,
    `RIP: ${where}`,
  ]);
  throw new KernelOops('divide error');
}

/**
 * do_shrink_slab - ask @s to free objects in proportion to the LRU pressure
 * (@nr_scanned of @nr_eligible LRU pages were just scanned), plus whatever
 * earlier calls deferred. Returns the sum of what scan_objects returned.
 * Exported so tests can drive the arithmetic directly.
 */
export async function do_shrink_slab(shrinkctl: shrink_control, s: shrinker, nr_scanned: number, nr_eligible: number): Promise<number> {
  const nid = shrinkctl.nid;
  const batch_size = s.batch ? s.batch : SHRINK_BATCH;
  let freed = 0;
  let scanned = 0;
  let next_deferred: number;

  const freeable = await call_shrinker(s.count_objects, s, shrinkctl);
  // (model) v4.11 has no tracepoint here: a count of 0 returns before mm_shrink_slab_start, so a
  // shrinker that hides its memory leaves no trace. The model's trace shows every answer.
  if (trace_enabled()) trace('shrinker_count_objects', { shrinker: shrinker_name(s), nid, gfp_flags: format_gfp(shrinkctl.gfp_mask), returned: freeable });
  if (freeable === 0) return 0;

  const deferred = s.nr_deferred![nid]!;
  const nr = atomic_long_xchg(deferred, 0);

  let total_scan = nr;
  if (s.seeks === 0) divide_error('do_shrink_slab');
  let delta = Math.floor((4 * nr_scanned) / s.seeks);
  delta *= freeable;
  delta = Math.floor(delta / (nr_eligible + 1));
  total_scan += delta;
  if (total_scan < 0) {
    pr_err(`shrink_slab: ${shrinker_name(s)} negative objects to delete nr=${total_scan}`);
    total_scan = freeable;
    next_deferred = nr;
  } else {
    next_deferred = total_scan;
  }

  // Anti-windup: with little fresh pressure, do not let deferred work
  // empty more than half the cache at once (bug #9's v4.11 mitigation).
  if (delta < Math.floor(freeable / 4)) total_scan = Math.min(total_scan, Math.floor(freeable / 2));
  // Never scan more than twice the cache in one call.
  if (total_scan > freeable * 2) total_scan = freeable * 2;

  if (trace_enabled()) {
    trace('mm_shrink_slab_start', {
      shrinker: shrinker_name(s),
      nid,
      nr_objects_to_shrink: nr,
      gfp_flags: format_gfp(shrinkctl.gfp_mask),
      pgs_scanned: nr_scanned,
      lru_pgs: nr_eligible,
      cache_items: freeable,
      delta,
      total_scan,
    });
  }

  // ">= freeable" lets a cache smaller than one batch be scanned at all.
  while (total_scan >= batch_size || total_scan >= freeable) {
    const nr_to_scan = Math.min(batch_size, total_scan);
    shrinkctl.nr_to_scan = nr_to_scan;
    const ret = await call_shrinker(s.scan_objects, s, shrinkctl);
    if (trace_enabled()) trace('shrinker_scan_objects', { shrinker: shrinker_name(s), nid, nr_to_scan, returned: ret === SHRINK_STOP ? 'SHRINK_STOP' : ret });
    if (ret === SHRINK_STOP) break;
    freed += ret;
    count_vm_events('slabs_scanned', nr_to_scan);
    total_scan -= nr_to_scan;
    scanned += nr_to_scan;
    await cond_resched();
  }

  if (next_deferred >= scanned) next_deferred -= scanned;
  else next_deferred = 0;
  // Work not done (SHRINK_STOP, or less than a batch left) waits for the next caller.
  const new_nr = next_deferred > 0 ? atomic_long_add_return(next_deferred, deferred) : atomic_long_read(deferred);

  if (trace_enabled()) {
    trace('mm_shrink_slab_end', { shrinker: shrinker_name(s), nid, shrinker_retval: freed, unused_scan_cnt: nr, new_scan_cnt: new_nr, total_scan });
  }
  return freed;
}

/**
 * shrink_slab - call every shrinker with the pressure of one LRU round.
 * If shrinker_rwsem cannot be taken for reading (a register or unregister
 * is in progress), it returns 1 without calling any: "pretend progress".
 */
export async function shrink_slab(gfp_mask: gfp_t, nid: number, memcg: object | null, nr_scanned: number, nr_eligible: number): Promise<number> {
  let freed = 0;
  if (memcg) return 0; // memcg_kmem_enabled() is false in the model
  if (nr_scanned === 0) nr_scanned = SWAP_CLUSTER_MAX;
  if (!down_read_trylock(shrinker_rwsem, 'shrink_slab')) {
    freed = 1;
  } else {
    for (let i = 0; i < shrinker_list.length; i++) {
      const s = shrinker_list[i]!;
      const sc: shrink_control = model_struct({ gfp_mask, nid: s.flags & SHRINKER_NUMA_AWARE ? nid : 0, memcg, nr_to_scan: 0 });
      if (!do_shrink_slab_impl) {
        freed += await do_shrink_slab(sc, s, nr_scanned, nr_eligible);
        continue;
      }
      // (model) An exercise's do_shrink_slab answers an unsigned long too: drop_slab_node loops on the sum.
      const r: unknown = do_shrink_slab_impl(sc, s, nr_scanned, nr_eligible);
      const ret: unknown = r instanceof Promise ? await r : r;
      if (typeof ret !== 'number' || !Number.isFinite(ret)) not_an_unsigned_long('do_shrink_slab', ret, 'do_shrink_slab() returns an unsigned long (mm/vmscan.c): the objects freed. shrink_slab() adds it up, and drop_slab_node() loops until a pass frees 10 or fewer.');
      freed += ret;
    }
    up_read(shrinker_rwsem, 'shrink_slab');
  }
  await cond_resched();
  return freed;
}

/**
 * drop_slab_node - call the shrinkers for node @nid with full pressure until
 * a pass frees 10 objects or fewer (mm/vmscan.c drop_slab_node).
 */
export async function drop_slab_node(nid: number): Promise<void> {
  let freed: number;
  do {
    freed = await shrink_slab(GFP_KERNEL, nid, null, 1000, 1000);
  } while (freed > 10);
}

/** drop_slab - "echo 2 > /proc/sys/vm/drop_caches": drop_slab_node for every online node (mm/vmscan.c drop_slab). */
export async function drop_slab(): Promise<void> {
  for (let nid = 0; nid < nr_node_ids; nid++) await drop_slab_node(nid);
}

/**
 * shrink_node - one reclaim round: the LRU lists at sc.priority, then the
 * shrinkers with the pressure of that LRU scan. Progress (sc.nr_reclaimed)
 * grows by the LRU pages freed plus the slab pages freed meanwhile
 * (current->reclaim_state->reclaimed_slab). Returns whether anything was freed.
 */
export async function shrink_node(sc: scan_control): Promise<boolean> {
  const reclaim_state = current.reclaim_state;
  const nr_reclaimed = sc.nr_reclaimed;
  const nr_scanned = sc.nr_scanned;
  const lru_pages = await shrink_node_memcg(sc);
  // The return value is discarded: a shrinker's count is not progress.
  await shrink_slab(sc.gfp_mask, 0, null, sc.nr_scanned - nr_scanned, lru_pages);
  if (reclaim_state) {
    // (model) Only the slab allocator adds to reclaimed_slab; anything else there is progress reclaim did not make
    // (red team 13: shrinkers "reporting" released pages through it). The kernel has no such check: the model's instrument.
    const by_slab = model_slab_counted(reclaim_state);
    WARN(reclaim_state.reclaimed_slab !== by_slab, 'shrink_node', `current->reclaim_state->reclaimed_slab is ${reclaim_state.reclaimed_slab}, but the slab allocator ` +
      `freed ${by_slab} slab page(s) during this pass: something else wrote reclaim progress that no page was freed for (shrinkers report through their return value)`);
    model_slab_counted_reset(reclaim_state);
    sc.nr_reclaimed += reclaim_state.reclaimed_slab;
    reclaim_state.reclaimed_slab = 0;
  }
  const reclaimable = sc.nr_reclaimed - nr_reclaimed > 0;
  // (should_continue_reclaim only matters for compaction, i.e. order > 0: no compaction in the model.)
  // v4.12: any successful reclaim makes a hopeless node worth kswapd's while again.
  if (reclaimable && pgdat.kswapd_failures !== 0) pgdat.kswapd_failures = 0; // write only a change: a no-op commutes with kswapd's reads
  return reclaimable;
}

/**
 * shrink_zones - reclaim the one zone. v4.11 skipped it below DEF_PRIORITY
 * once NR_PAGES_SCANNED reached six times the reclaimable pages
 * (pgdat_reclaimable). In a machine as small as the model's, DEF_PRIORITY
 * scans almost nothing (lru_size >> 12), so that rule would make direct
 * reclaim blind to freeable pages after kswapd had scanned pinned ones. The
 * model follows v4.12 instead, which removed it together with
 * NR_PAGES_SCANNED when kswapd_failures arrived (Johannes Weiner, "mm: don't
 * avoid high-priority reclaim on unreclaimable nodes").
 */
async function shrink_zones(sc: scan_control): Promise<void> {
  await shrink_node(sc);
}

/**
 * do_try_to_free_pages - reclaim rounds at priority DEF_PRIORITY down to 0
 * until sc.nr_to_reclaim pages were freed. If nothing was freed, one more
 * pass with may_thrash. Returns the pages freed.
 */
export async function do_try_to_free_pages(sc: scan_control): Promise<number> {
  const initial_priority = sc.priority;
  for (;;) {
    count_vm_event('allocstall');
    do {
      sc.nr_scanned = 0;
      await shrink_zones(sc);
      if (sc.nr_reclaimed >= sc.nr_to_reclaim) break;
      if (sc.priority < DEF_PRIORITY - 2) sc.may_writepage = true;
    } while (--sc.priority >= 0);
    if (sc.nr_reclaimed) return sc.nr_reclaimed;
    if (sc.may_thrash) return 0;
    sc.priority = initial_priority;
    sc.may_thrash = true;
  }
}

/**
 * try_to_free_pages - direct reclaim for an allocation of @order with
 * @gfp_mask: try to free SWAP_CLUSTER_MAX pages. Returns the number freed
 * (the allocator's "progress"). Model choice: no throttle_direct_reclaim
 * (direct reclaimers never wait for kswapd on pfmemalloc_wait).
 */
export async function try_to_free_pages(gfp_mask: gfp_t, order: number): Promise<number> {
  const sc = new_scan_control(memalloc_noio_flags(gfp_mask), order, SWAP_CLUSTER_MAX);
  if (trace_enabled()) trace('mm_vmscan_direct_reclaim_begin', { order, may_writepage: sc.may_writepage, gfp_flags: format_gfp(sc.gfp_mask) });
  const nr_reclaimed = await do_try_to_free_pages(sc);
  if (trace_enabled()) trace('mm_vmscan_direct_reclaim_end', { nr_reclaimed });
  return nr_reclaimed;
}
