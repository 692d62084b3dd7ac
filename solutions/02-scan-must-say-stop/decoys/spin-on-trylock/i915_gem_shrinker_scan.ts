// Decoy: never sleep on the lock: spin on the trylock, calling cond_resched() between tries.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { shrinker_lock_state_of } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive } from '../../../../kernel/locking/mutex';
import { cond_resched } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  let st = shrinker_lock_state_of(mutex_trylock_recursive(i915.struct_mutex));
  for (let tries = 0; !st.locked && tries < 100000; tries++) {
    await cond_resched();
    st = shrinker_lock_state_of(mutex_trylock_recursive(i915.struct_mutex));
  }
  if (!st.locked) return SHRINK_STOP;

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, st.unlock);
  return freed;
}
