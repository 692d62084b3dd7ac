// Decoy: flush the free worker from the shrinker only once the machine has
// been up for two seconds ("by then every pool has its idle kworkers").
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { HZ, jiffies, time_after } from '../../../../kernel/time/timekeeping';
import { flush_work } from '../../../../kernel/workqueue';

/** jiffies at boot (INITIAL_JIFFIES in the model: the clock starts at one second). */
const BOOT_JIFFIES = HZ;

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  mutex_unlock(i915.struct_mutex);
  // Right after boot a pool may still have to fork its first kworker; two seconds on it has idle ones to run free_work.
  if (time_after(jiffies(), BOOT_JIFFIES + 2 * HZ)) await flush_work(i915.mm.free_work);
}
