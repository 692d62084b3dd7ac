// Reference solution for exercise 02: the v4.11 scan.
//
// Three things make a scan_objects callback a good citizen of reclaim:
//
// 1. When it cannot make progress without risking a deadlock (another task
//    holds struct_mutex, and waiting for it from reclaim is not allowed), it
//    says SHRINK_STOP. do_shrink_slab() then stops calling it and adds the
//    work it was asked to do to the shrinker's nr_deferred, so the next
//    reclaimer (kswapd, or a later direct reclaim pass) does it once the lock
//    is free. Returning 0 instead says "I looked and found nothing":
//    do_shrink_slab() counts the batch as scanned and the pressure is gone.
//
// 2. It releases about sc->nr_to_scan pages, not everything. Reclaim sizes
//    nr_to_scan to the pressure; a shrinker that empties itself on every call
//    throws away buffers userspace still needs (the working set), which then
//    have to be read back in. Purgeable objects go first: truncating them
//    really frees pages and costs nothing to rebuild. Only if that was not
//    enough does a second pass release objects userspace still needs (their
//    pages go back to the page cache, to be swapped out).
//
// 3. It returns the number of pages it actually released: do_shrink_slab()
//    adds the returns up for its caller, and a shrinker that claims more than
//    it did lies to whoever reads that number.
//
// When this task already holds struct_mutex (it allocated under the lock and
// reclaim called back into i915), i915_gem_shrinker_lock() answers "locked,
// but do not unlock": the scan goes on, and the outer frame keeps its lock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __GFP_IO } from '../../../../kernel/mm/gfp';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  // Handing a still-needed buffer's pages to shmem means swap-out later, and swap-out is I/O: no __GFP_IO, purge only.
  if (freed < sc.nr_to_scan && (sc.gfp_mask & __GFP_IO) !== 0) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
