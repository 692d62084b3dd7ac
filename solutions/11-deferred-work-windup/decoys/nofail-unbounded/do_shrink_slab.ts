// Exercise 11, decoy "nofail-unbounded": a plausible wrong fix (see decoys.json for why it is wrong; red team 14).
//
// This is do_shrink_slab() from mm/vmscan.c: how reclaim turns "I just
// scanned nr_scanned of nr_eligible LRU pages" into "shrinker, scan this
// many of your objects", and what it does with work a shrinker could not do
// now (it returned SHRINK_STOP): it keeps it in nr_deferred for the next
// caller. Reclaim calls it once per shrinker in every shrink_slab().
//
// Check your work: npx shrinker-lab run 11
import { atomic_long_add_return, atomic_long_read, atomic_long_xchg } from '../../../../kernel/lib/atomic';
import { SHRINK_BATCH, SHRINK_STOP, type shrink_control, type shrinker } from '../../../../kernel/mm/vmscan';
import { pr_err } from '../../../../kernel/printk/printk';
import { cond_resched } from '../../../../kernel/sched/core';

/** __GFP_NOFAIL (include/linux/gfp.h, v4.11). */
const __GFP_NOFAIL = 0x800;

/**
 * do_shrink_slab - ask @s to scan objects in proportion to the LRU pressure
 * (@nr_scanned of @nr_eligible LRU pages were just scanned), plus whatever
 * earlier callers deferred. Returns the sum of what scan_objects freed.
 *
 * Deferred work is kept (it is real pressure that could not be acted on),
 * but one call acts on only so much of it: with little fresh pressure, at
 * most half the cache; never more than twice the cache. Without these
 * bounds, a storm of GFP_NOFS reclaims (the shrinker answering SHRINK_STOP
 * each time) winds nr_deferred up without limit, and the first GFP_KERNEL
 * caller empties the whole cache.
 */
export async function do_shrink_slab(shrinkctl: shrink_control, s: shrinker, nr_scanned: number, nr_eligible: number): Promise<number> {
  const nid = shrinkctl.nid;
  const batch_size = s.batch ? s.batch : SHRINK_BATCH;
  let freed = 0;
  let scanned = 0;
  let next_deferred: number;

  const freeable = await s.count_objects(s, shrinkctl);
  if (freeable === 0) return 0;

  // Claim the work earlier callers deferred.
  const deferred = s.nr_deferred![nid]!;
  const nr = atomic_long_xchg(deferred, 0);

  // Fresh pressure: scan the cache in proportion to the LRU just scanned,
  // less for caches whose objects are dear to recreate (seeks).
  let total_scan = nr;
  let delta = Math.floor((4 * nr_scanned) / s.seeks);
  delta *= freeable;
  delta = Math.floor(delta / (nr_eligible + 1));
  total_scan += delta;
  if (total_scan < 0) {
    pr_err(`shrink_slab: ${s.name ?? 'scan_objects'} negative objects to delete nr=${total_scan}`);
    total_scan = freeable;
    next_deferred = nr;
  } else {
    next_deferred = total_scan;
  }

  // Avoid wind-up: when the fresh pressure is small (less than a quarter of
  // the cache), deferred work may empty at most half of it in this call.
  // (Not for an allocation that must not fail: __GFP_NOFAIL gets all the work
  // earlier callers left, it is the one caller that cannot give up.)
  if (!(shrinkctl.gfp_mask & __GFP_NOFAIL) && delta < Math.floor(freeable / 4)) total_scan = Math.min(total_scan, Math.floor(freeable / 2));
  // And never scan more than twice the cache in one call: the estimate may be stale.
  if (total_scan > freeable * 2) total_scan = freeable * 2;

  // Scan in batches. ">= freeable" lets a cache smaller than one batch be scanned at all.
  while (total_scan >= batch_size || total_scan >= freeable) {
    const nr_to_scan = Math.min(batch_size, total_scan);
    shrinkctl.nr_to_scan = nr_to_scan;
    const ret = await s.scan_objects(s, shrinkctl);
    if (ret === SHRINK_STOP) break;
    freed += ret;
    total_scan -= nr_to_scan;
    scanned += nr_to_scan;
    await cond_resched();
  }

  // Work not done (SHRINK_STOP, or less than a batch left) waits for the next caller.
  if (next_deferred >= scanned) next_deferred -= scanned;
  else next_deferred = 0;
  if (next_deferred > 0) atomic_long_add_return(next_deferred, deferred);
  else atomic_long_read(deferred);

  return freed;
}
