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
import { I915_MADV_DONTNEED, __I915_MADV_PURGED, model_i915_objects, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
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
  const before = model_list_watch_paused(() => model_i915_objects(i915).map((o) => [o, o.mm.madv] as const));
  const value = await fn();
  const live = model_list_watch_paused(() => new Set(model_i915_objects(i915)));
  for (const [o, was] of before) {
    const now = o.mm.madv;
    if (now === was || !live.has(o) || (was === I915_MADV_DONTNEED && now === __I915_MADV_PURGED)) continue;
    WARN(true, fn_name, `${fn_name} changed a ${obj_nr_pages(o)}-page buffer's madvise from ${MADV_NAMES[was] ?? was} to ${MADV_NAMES[now] ?? now}: ` +
      'only userspace marks a buffer DONTNEED (the I915_GEM_MADVISE ioctl); the driver only purges buffers userspace already gave up. ' +
      'Truncating a needed buffer destroys its contents (the next use of the texture or window reads zeroes): a needed buffer\'s pages go to swap, ' +
      'through shmem and the LRU, and come back when it is used.');
    break;
  }
  return value;
}
