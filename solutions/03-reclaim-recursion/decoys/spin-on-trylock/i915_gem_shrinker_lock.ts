// Decoy (red team 9's spin-trylock): "the holder is usually about to let
// go": try mutex_trylock_recursive() a thousand times before giving up. It
// never sleeps, but it burns the CPU of every reclaimer for as long as the
// holder keeps struct_mutex (which may be until this very allocation gets
// its memory), and with one CPU, or the holder preempted on this one, it
// cannot succeed. The shrinker asks once and gives up.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';

/** Tries before giving up. */
const SPINS = 1000;

export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  for (let i = 0; i < SPINS; i++) {
    const ret = mutex_trylock_recursive(i915.struct_mutex);
    if (ret === MUTEX_TRYLOCK_RECURSIVE) return { locked: true, unlock: false }; // ours, taken by the outer frame: it unlocks
    if (ret !== MUTEX_TRYLOCK_FAILED) return { locked: true, unlock: true }; // we took it: we release it
  }
  return { locked: false, unlock: false }; // someone else's: hands off
}
