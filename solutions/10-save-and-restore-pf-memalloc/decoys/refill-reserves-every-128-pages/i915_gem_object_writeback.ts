// Exercise 10, decoy (red team 11's refill-reserves-every-128-pages): every 128 pages, clear PF_MEMALLOC around one
// ordinary GFP_NOIO allocation 'to refill the reserves' (red team 10's every-64 with 128).
//
// Writing a dirty GEM object's pages out to swap, so that the shrinker can
// then release them without waiting for the LRU scanner (later kernels do
// this from the i915 shrinker: __shmem_writeback). It runs inside reclaim,
// and its allocations must not recurse into reclaim: so it sets PF_MEMALLOC
// around them, which also lets them dip into the reserves below the min
// watermark. (Page contents are not modelled: the copy is bookkeeping. The
// write to swap is the kernel's __swap_writepage(), which allocates its own
// bio with GFP_NOIO, under whatever flags the task has when it is called.)
//
// Check your work: npx shrinker-lab run 10
import { obj_nr_pages, PAGE_SHIFT, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { for_each_sg, sg_page, type scatterlist } from '../../../../kernel/lib/scatterlist';
import { GFP_NOIO } from '../../../../kernel/mm/gfp';
import { __free_page, __free_pages, alloc_page, alloc_pages } from '../../../../kernel/mm/page_alloc';
import { __swap_writepage } from '../../../../kernel/mm/page_io';
import { get_order, kfree, kmalloc } from '../../../../kernel/mm/slab';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../../../../kernel/sched/mm';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

/** Bytes of the writeback_control and block plug the whole object's writeback needs. */
const WBC_SIZE = 192;

/**
 * shmem_writeback_page - write entry @sg of an object's page table (one
 * page, or a block of 2^order pages of a huge object) to swap through a
 * bounce of the same size (the GPU may still write the original). Returns
 * false if no bounce could be had or the write failed.
 */
async function shmem_writeback_page(sg: scatterlist): Promise<boolean> {
  const order = get_order(sg.length);
  const noreclaim = memalloc_noreclaim_save();
  const bounce = await alloc_pages(GFP_NOIO, order);
  memalloc_noreclaim_restore(noreclaim);
  if (!bounce) return false;
  void sg_page(sg); // the copy into the bounce: bookkeeping in the model
  // The write: __swap_writepage allocates the bio and holds the bounce until the disk is done.
  const err = await __swap_writepage(bounce);
  __free_pages(bounce, order);
  return err === 0;
}

/**
 * i915_gem_object_writeback - write every page of dirty @obj to swap and
 * mark it clean. Returns the number of pages written (0 if it was clean or
 * has no pages). It walks the object's page table entry by entry: a page at
 * a time for an ordinary object, a block at a time for a huge one.
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
  for (const sg of for_each_sg(obj.mm.pages)) {
    if (written > 0 && written % 128 === 0) {
      // a long writeback drains the reserves: every 128 pages, refill them with one ordinary NOIO allocation
      current.flags &= ~PF_MEMALLOC;
      const refill = await alloc_page(GFP_NOIO);
      if (refill) __free_page(refill);
      current.flags |= PF_MEMALLOC;
    }
    if (!(await shmem_writeback_page(sg))) break;
    // The completion of this entry's write: one more page from the reserves.
    const done = await alloc_page(GFP_NOIO);
    if (!done) break;
    __free_page(done);
    written += sg.length >> PAGE_SHIFT;
  }
  if (written === obj_nr_pages(obj)) obj.mm.dirty = false;
  kfree(wbc);
  memalloc_noreclaim_restore(noreclaim);
  return written;
}
