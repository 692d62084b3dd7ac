// Decoy: "free_count says when they are all gone: wait until it reads 0".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { msleep } from '../../../../kernel/sched/core';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  while (i915.mm.free_count > 0) await msleep(1); // let RCU and the worker get on with it
}
