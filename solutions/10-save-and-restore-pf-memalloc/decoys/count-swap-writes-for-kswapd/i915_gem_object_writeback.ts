// Decoy: "kswapd stops when it has reclaimed enough: pages written to swap are
// on their way out, so when kswapd wrote them, count them for it through
// current->reclaim_state".
import type { drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { GFP_NOIO } from '../../../../kernel/mm/gfp';
import { __free_page, alloc_page } from '../../../../kernel/mm/page_alloc';
import { __swap_writepage } from '../../../../kernel/mm/page_io';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../../../../kernel/sched/mm';
import { current } from '../../../../kernel/sched/core';
import { PF_KSWAPD } from '../../../../kernel/sched/task';

/** Bytes of the writeback_control and block plug the whole object's writeback needs. */
const WBC_SIZE = 192;

/**
 * shmem_writeback_page - write page @n of @obj to swap through a bounce page
 * (the GPU may still write the original). Returns false if no bounce page
 * could be had.
 */
async function shmem_writeback_page(obj: drm_i915_gem_object, n: number): Promise<boolean> {
  const noreclaim = memalloc_noreclaim_save();
  const bounce = await alloc_page(GFP_NOIO);
  memalloc_noreclaim_restore(noreclaim);
  if (!bounce) return false;
  void obj.mm.pages!.pages[n]; // the copy into the bounce page: bookkeeping in the model
  // The write: __swap_writepage allocates the bio and holds the bounce page until the disk is done.
  const err = await __swap_writepage(bounce);
  __free_page(bounce);
  return err === 0;
}

/**
 * i915_gem_object_writeback - write every page of dirty @obj to swap and
 * mark it clean. Returns the number of pages written (0 if it was clean or
 * has no pages).
 *
 * PF_MEMALLOC is saved and restored, never set and cleared: the caller
 * may already be reclaim (kswapd, or a task in direct reclaim) and own the
 * flag, and the inner helper runs with the outer's flag set. Clearing it on
 * the way out would let the caller's next allocation recurse into reclaim.
 */
export async function i915_gem_object_writeback(obj: drm_i915_gem_object): Promise<number> {
  if (!obj.mm.pages || !obj.mm.dirty) return 0;
  const noreclaim = memalloc_noreclaim_save();
  const wbc = await kmalloc(WBC_SIZE, GFP_NOIO);
  if (!wbc) {
    memalloc_noreclaim_restore(noreclaim);
    return 0;
  }
  let written = 0;
  for (let n = 0; n < obj.mm.pages.pages.length; n++) {
    if (!(await shmem_writeback_page(obj, n))) break;
    // The completion of this page's write: one more page from the reserves.
    const done = await alloc_page(GFP_NOIO);
    if (!done) break;
    __free_page(done);
    written++;
  }
  if (written === obj.mm.pages.pages.length) obj.mm.dirty = false;
  kfree(wbc);
  memalloc_noreclaim_restore(noreclaim);
  if (written > 0 && current.flags & PF_KSWAPD && current.reclaim_state) current.reclaim_state.reclaimed_slab += written;
  return written;
}
