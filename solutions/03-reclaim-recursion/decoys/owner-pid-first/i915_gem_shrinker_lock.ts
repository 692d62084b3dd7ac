// Decoy: mutex_trylock_recursive()'s order written out, owner first, with
// the owner recognised by its pid and comm rather than its address. The
// task_struct is read through a pointer loaded from the owner word without
// a reference or rcu_read_lock(): between that load and owner->pid the
// owner can unlock, exit, be reaped and (a grace period later) freed.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  const owner = __mutex_owner(i915.struct_mutex);
  if (owner && owner.pid === current.pid && owner.comm === current.comm) return { locked: true, unlock: false }; // an outer frame's
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true }; // we took it: we release it
  return { locked: false, unlock: false }; // someone else's: hands off, at once
}
