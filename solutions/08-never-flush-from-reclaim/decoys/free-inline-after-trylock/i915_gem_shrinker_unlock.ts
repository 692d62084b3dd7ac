// Decoy: "no flush, no workqueue: when nobody holds struct_mutex (a trylock
// says so), free the objects waiting on mm.free_list right here, by running
// the free worker's function in this task; reclaim then sees their pages at
// once".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_trylock, mutex_unlock } from '../../../../kernel/locking/mutex';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (i915.mm.free_count === 0 || !mutex_trylock(i915.struct_mutex)) return;
  mutex_unlock(i915.struct_mutex); // free: the worker's own mutex_lock() will get it
  await i915.mm.free_work.func(i915.mm.free_work);
}
