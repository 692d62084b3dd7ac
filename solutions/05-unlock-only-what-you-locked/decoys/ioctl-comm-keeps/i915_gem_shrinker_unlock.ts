// Decoy: "only the GEM ioctl holds struct_mutex across an allocation, so only
// when reclaim runs in i915_ioctl is the lock an outer frame's". Any task
// can be a GEM client (Xorg, a game, a compositor), and any task can be
// i915_ioctl without holding the lock: the rule releases another client's
// outer lock and leaks the one the shrinker took in a task so named.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, _unlock: boolean): Promise<void> {
  if (current.comm === 'i915_ioctl') return; // "the ioctl will unlock"
  mutex_unlock(i915.struct_mutex);
}
