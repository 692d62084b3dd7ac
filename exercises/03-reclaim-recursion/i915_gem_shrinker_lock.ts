// Exercise 03: reclaim recursion deadlock.
// Read lessons/03-reclaim-recursion.md first.
//
// This is i915_gem_shrinker_lock() (drivers/gpu/drm/i915/i915_gem_shrinker.c).
// Every way into the i915 shrinker calls it first: count, scan,
// i915_gem_shrink() and the OOM notifier. It must get struct_mutex for the
// caller, or say that it could not:
//   locked: may the caller walk the object lists now?
//   unlock: must the caller release struct_mutex when it is done?
// Reclaim can be entered by any allocation that may sleep, made by any task,
// holding whatever that task holds.
//
// Check your work: npx shrinker-lab run 03
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import type { shrinker_lock_state } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock } from '../../kernel/locking/mutex';

/**
 * i915_gem_shrinker_lock - get struct_mutex for the shrinker, or report that
 * the shrinker must leave the object lists alone this time.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  // TODO: who may already hold struct_mutex when reclaim calls this?
  await mutex_lock(i915.struct_mutex);
  return { locked: true, unlock: true };
}
