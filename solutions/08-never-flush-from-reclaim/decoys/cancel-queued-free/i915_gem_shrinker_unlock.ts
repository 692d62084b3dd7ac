// Decoy: "never wait for the worker: cancel it instead (cancel_work() does
// not wait), so that it cannot run into reclaim".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { cancel_work } from '../../../../kernel/workqueue';

export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  cancel_work(i915.mm.free_work);
}
