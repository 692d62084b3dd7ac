// Decoy: "with a convoy queued on struct_mutex, don't make the owner hold it
// any longer": RECURSIVE answers "not locked" when two or more tasks wait
// for the lock. The waiters wait for the owner, and the owner is in reclaim
// waiting for memory: told it cannot shrink i915, its reclaim finds nothing
// exactly when the GPU is busiest (Xorg and the GL clients all queued), and
// the OOM killer runs ("users' oom"). The lists are the owner's however many
// tasks wait; only the owner's unlock lets the convoy go.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      if (i915.struct_mutex.wait_list.length >= 2) return { locked: false, unlock: false };
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}
