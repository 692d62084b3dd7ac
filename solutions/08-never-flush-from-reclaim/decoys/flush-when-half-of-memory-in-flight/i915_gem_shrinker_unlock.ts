// Decoy: flush the free worker from the shrinker once the closed buffers
// waiting for it hold half of the machine's memory (an 8 MiB machine: 1024
// pages), "past that the worker is the only thing that can give memory back".
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { flush_work } from '../../../../kernel/workqueue';

/** Half of the machine's memory, in bytes. */
const HALF_OF_MEMORY = 1024 * 4096;

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it, and return without waiting
 * for anything.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock and will release it
  // Under the lock still: bytes of pages that closed buffers (no reference left, on their way to the free
  // worker) hold: the memory the worker would give back.
  let waiting = 0;
  for (const obj of [...i915.mm.unbound_list, ...i915.mm.bound_list]) if (obj.base.refcount === 0 && obj.mm.pages !== null) waiting += obj.base.size;
  mutex_unlock(i915.struct_mutex);
  if (waiting > HALF_OF_MEMORY) await flush_work(i915.mm.free_work);
}
