// Decoy: flush the free worker from the shrinker only when more than a
// shrinker batch (SHRINK_BATCH, 128 objects) is in flight (red team 6).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_work } from '../../../../kernel/workqueue';

/** Objects in flight worth waiting for: below a shrinker batch the free worker's memory is noise. */
const SHRINK_BATCH = 128;

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  // More than a batch waiting: reclaim is better off waiting for it than evicting more.
  if (i915.mm.free_count > SHRINK_BATCH) await flush_work(i915.mm.free_work);
}
