// Decoy: "in reclaim (PF_MEMALLOC) the lock always belongs to the frame that
// allocated, so leave it; outside reclaim (drop_caches, the ioctl's own
// shrink) respect unlock". Reclaim also runs in tasks that hold nothing, and
// in kswapd: there the shrinker took the lock itself (unlock = true) and
// now nobody releases it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (current.flags & PF_MEMALLOC) return; // "in reclaim: the outer frame's lock"
  if (unlock) mutex_unlock(i915.struct_mutex);
}
