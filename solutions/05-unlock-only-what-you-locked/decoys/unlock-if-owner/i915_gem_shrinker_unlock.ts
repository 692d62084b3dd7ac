// Decoy: "only unlock if we own it". In the recursive case this task does
// own struct_mutex (the outer frame's acquisition is ours too), so the outer
// frame's lock is released just the same.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { __mutex_owner, mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, _unlock: boolean): Promise<void> {
  if (__mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
}
