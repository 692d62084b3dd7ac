// A buffer's madvise is userspace's (red team 13's purge_instead_of_swap).
//
// I915_MADV_WILLNEED and I915_MADV_DONTNEED are set by userspace alone, with
// the I915_GEM_MADVISE ioctl (v4.11 i915_gem_madvise_ioctl): DONTNEED is its
// promise that the contents may be dropped. The driver changes the state in
// one way only, DONTNEED to __I915_MADV_PURGED when it truncates the buffer's
// shmem backing (i915_gem_object_truncate), and at the last put of a buffer
// nobody can see any more (i915_gem_free_object, discard_backing_storage).
// A shrinker or notifier that marks a needed buffer DONTNEED itself, so its
// pages are truncated instead of written to swap, releases the same number
// of pages and destroys userspace's data: the next use of a texture or a
// window reads zeroes. No page count shows it, so the watch compares each
// buffer's madvise before and after the call.
//
// The same for obj->mm.dirty (red team 13's hand_back_clean): it records
// that the GPU wrote the buffer, and only the put of its pages clears it,
// after set_page_dirty() on every page (v4.11 i915_gem_object_put_pages_gtt),
// so reclaim writes them to swap before it frees them. Cleared by anyone
// else, the pages go back clean and reclaim drops them: the GPU's writes are
// lost. The watch fails a needed buffer that was dirty before the call and is
// clean after it with its pages kept, or with its pages put and not dirty
// (for a huge buffer, held as blocks, only the first: the model keeps no
// dirty bit on its pages).
import { I915_MADV_DONTNEED, I915_MADV_WILLNEED, __I915_MADV_PURGED, model_i915_objects, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { PageDirty } from '../kernel/mm/mm_types';
import { obj_nr_pages } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { model_list_watch_paused } from '../kernel/drivers/gpu/drm/i915/i915_gem_list_debug';
import { WARN } from '../kernel/panic';

const MADV_NAMES: Record<number, string> = { 0: 'I915_MADV_WILLNEED', 1: 'I915_MADV_DONTNEED', 2: '__I915_MADV_PURGED' };

/**
 * with_madvise_watch - run @fn (a learner's callback, named @fn_name), then
 * WARN if it changed any existing buffer's madvise other than by purging a
 * DONTNEED one. Buffers made or freed during the call are not judged.
 */
export async function with_madvise_watch<T>(i915: drm_i915_private, fn_name: string, fn: () => Promise<T>): Promise<T> {
  // The checker's look, not a walk by the code under watch (model_watch_list_walks judges only that).
  const before = model_list_watch_paused(() => model_i915_objects(i915).map((o) => [o, o.mm.madv, o.mm.dirty, o.mm.pages] as const));
  const value = await fn();
  const live = model_list_watch_paused(() => new Set(model_i915_objects(i915)));
  for (const [o, was] of before) {
    const now = o.mm.madv;
    if (now === was || !live.has(o) || (was === I915_MADV_DONTNEED && now === __I915_MADV_PURGED)) continue;
    WARN(true, fn_name, `${fn_name} changed a ${obj_nr_pages(o)}-page buffer's madvise from ${MADV_NAMES[was] ?? was} to ${MADV_NAMES[now] ?? now}: ` +
      'only userspace marks a buffer DONTNEED (the I915_GEM_MADVISE ioctl); the driver only purges buffers userspace already gave up. ' +
      'Truncating a needed buffer destroys its contents (the next use of the texture or window reads zeroes): a needed buffer\'s pages go to swap, ' +
      'through shmem and the LRU, and come back when it is used.');
    return value; // one report: the madvise change is the root cause of any clean put that follows from it
  }
  for (const [o, was, dirty, pages] of before) {
    if (!live.has(o) || !dirty || was !== I915_MADV_WILLNEED || pages === null || o.mm.dirty) continue;
    const kept = o.mm.pages === pages;
    // A huge buffer's pages are blocks of its shmem file, off the LRU, and the model keeps no dirty bit per page
    // (kernel/README "Huge GEM objects"): only its record is judged, and no judge walks its 2^20 pages.
    if (kept || (!pages.blocks && pages.pages.some((p) => !PageDirty(p)))) {
      WARN(true, fn_name, `${fn_name} left a needed ${obj_nr_pages(o)}-page buffer the GPU had written (obj->mm.dirty) ` +
        `${kept ? 'clean with its pages still attached' : 'with its pages handed back clean'}: only the put of its pages clears obj->mm.dirty, after set_page_dirty() ` +
        'on every page, so that reclaim writes them to swap before it frees them. Clean shmem pages are dropped without a write: the GPU\'s rendering is lost, ' +
        'and the next use reads stale or zeroed data.');
      break;
    }
  }
  return value;
}
