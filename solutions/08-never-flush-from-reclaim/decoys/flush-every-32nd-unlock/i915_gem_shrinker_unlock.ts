// Decoy: flush the free worker once every 32 real unlocks per device.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_work } from '../../../../kernel/workqueue';

/** Real unlocks so far, per device. */
const unlocks_per_device = new WeakMap<drm_i915_private, number>();

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  // Now and then, make sure the freed objects really come back.
  const n = (unlocks_per_device.get(i915) ?? 0) + 1;
  unlocks_per_device.set(i915, n);
  if (n % 32 === 0) await flush_work(i915.mm.free_work);
}
