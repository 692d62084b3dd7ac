// Decoy: try the lock; if that fails, "is the owner me?" by the owner's pid
// (red team 8's shape). __mutex_owner() returns a bare pointer read from the
// owner word, with no reference and no RCU read lock: the owner may unlock,
// exit and be reaped right after that read, and with the reader preempted
// (CONFIG_PREEMPT) a grace period later its task_struct is freed
// (delayed_put_task_struct). owner->pid is then a use-after-free. The
// pointer itself compared with current needs no dereference.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner, mutex_trylock } from '../../../../kernel/locking/mutex';
import { current } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  if (mutex_trylock(i915.struct_mutex)) return { locked: true, unlock: true }; // we took it: we release it
  const owner = __mutex_owner(i915.struct_mutex);
  if (owner && owner.pid === current.pid) return { locked: true, unlock: false }; // an outer frame's
  return { locked: false, unlock: false }; // someone else's: hands off, at once
}
