// Decoy: "nothing allocated under the lock, nothing for the shrinker to undo":
// a relocation that returns 0 and does nothing. The ioctl reports success,
// and the GPU runs a batch whose addresses were never written.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, _obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  return 0;
}
