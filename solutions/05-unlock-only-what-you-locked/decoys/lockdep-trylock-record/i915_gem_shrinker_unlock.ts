// Decoy: "lockdep remembers how each held lock was taken: release struct_mutex
// only if this task's held-lock record says the shrinker's trylock took it".
// current->held_locks is lockdep's bookkeeping. With lockdep off it is empty,
// the record is never found, and the lock the shrinker did take is never
// given back: the next mutex_lock() on struct_mutex blocks for ever.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if, and only if, the shrinker took it.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, _unlock: boolean): Promise<void> {
  const mine = current.held_locks.some((h) => h.instance === i915.struct_mutex.dep_map && h.acquire_ip === 'mutex_trylock_recursive');
  if (mine) mutex_unlock(i915.struct_mutex);
}
