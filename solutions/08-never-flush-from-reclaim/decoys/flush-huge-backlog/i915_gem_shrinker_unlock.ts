// Decoy: flush the free worker from the shrinker only when the backlog is huge (4096 objects).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_work } from '../../../../kernel/workqueue';

/** Only a huge backlog is worth a wait: 4096 objects and their pages stuck behind the worker. */
const HUGE_BACKLOG = 4096;

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  if (i915.mm.free_count >= HUGE_BACKLOG) await flush_work(i915.mm.free_work);
}
