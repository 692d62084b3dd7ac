// Exercise 08: never wait for a workqueue from reclaim.
// Read lessons/08-never-flush-from-reclaim.md first.
//
// This is i915_gem_shrinker_unlock() (drivers/gpu/drm/i915/i915_gem_shrinker.c)
// as Andrea Arcangeli's patch 2/5 of April 2017 wanted it. count, scan,
// i915_gem_shrink() and the OOM notifier call it when they are done with the
// object lists, with the `unlock` their i915_gem_shrinker_lock() returned:
//   unlock = true   the shrinker took struct_mutex itself (MUTEX_TRYLOCK_SUCCESS)
//   unlock = false  an outer frame of this task holds it (MUTEX_TRYLOCK_RECURSIVE)
//
// Freed GEM objects are not freed at once: after an RCU grace period they
// go on i915.mm.free_list, and a work item on the system workqueue
// (i915.mm.free_work, "events:__i915_gem_free_work") frees them under
// struct_mutex. i915.mm.free_count counts the objects still on their way.
//
// Check your work: npx shrinker-lab run 08
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { mutex_unlock } from '../../kernel/locking/mutex';
import { flush_work } from '../../kernel/workqueue';

/**
 * i915_gem_shrinker_unlock - the shrinker is done with the object lists:
 * give struct_mutex back if the shrinker took it.
 *
 * TODO: count, scan and the OOM notifier call this with memory short, most
 * often from inside reclaim (direct reclaim or kswapd, PF_MEMALLOC set).
 * Find what this function makes such a caller wait for, and what has to
 * exist, and run, for that wait to end.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  if (!unlock) return; // RECURSIVE: the outer frame owns the lock

  mutex_unlock(i915.struct_mutex);
  // Andrea's 2/5: "flush the work to provide better guarantees to the
  // reclaim code", so that reclaim knows the memory is really freed.
  await flush_work(i915.mm.free_work);
}
