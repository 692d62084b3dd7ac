// Decoy: flush the free worker from the shrinker only while free memory is
// above the high watermark ("no pressure, so a kworker can be created").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { high_wmark_pages, nr_free_pages, zone } from '../../../../kernel/mm/page_alloc';
import { flush_work } from '../../../../kernel/workqueue';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  // Above the high watermark a new kworker's allocation cannot fail: the flush is safe then.
  if (nr_free_pages() > high_wmark_pages(zone)) await flush_work(i915.mm.free_work);
}
