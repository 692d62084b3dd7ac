// Decoy: "hold struct_mutex so that nobody releases an object meanwhile,
// and never sleep: give the CPU away (cond_resched()) until the free list
// is empty". The free worker frees objects under struct_mutex: it blocks
// on the drainer's lock, the count never falls, and the drain yields for
// ever with the lock held. A poll is a wait, and this one waits for itself.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_lock, mutex_unlock } from '../../../../kernel/locking/mutex';
import { cond_resched } from '../../../../kernel/sched/core';

export async function i915_gem_drain_freed_objects(i915: drm_i915_private): Promise<void> {
  await mutex_lock(i915.struct_mutex);
  while (i915.mm.free_count > 0) await cond_resched();
  mutex_unlock(i915.struct_mutex);
}
