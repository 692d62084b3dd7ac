// Exercise 07: a grace period is not free memory.
// Read lessons/07-grace-period-is-not-free-memory.md first.
//
// When the last reference to a GEM object goes, i915 does not free it at
// once (drivers/gpu/drm/i915/i915_gem.c): i915_gem_free_object() hands it
// to call_rcu(); the RCU callback puts it on i915->mm.free_list and queues
// i915->mm.free_work; the worker, under struct_mutex, frees its pages and
// the object. i915->mm.free_count counts the objects still on that road.
//
// This function is called in process context (before suspend, on module
// unload, or by a test that must know the freed objects are really gone),
// never from reclaim. It must return only once every object whose last
// reference was dropped before the call has really been freed.
//
// Check your work: npx shrinker-lab run 07
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { synchronize_rcu } from '../../kernel/rcu/update';

/**
 * i915_gem_drain_freed_objects - wait until every GEM object released
 * before this call has been freed (pages and all).
 */
export async function i915_gem_drain_freed_objects(_i915: drm_i915_private): Promise<void> {
  // TODO: the objects wait for a grace period before they are freed, so
  // waiting for a grace period should be enough... should it? What does
  // synchronize_rcu() wait for, and what happens after the RCU callback?
  await synchronize_rcu();
}
