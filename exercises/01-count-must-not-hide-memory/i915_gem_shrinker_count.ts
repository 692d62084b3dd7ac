// Exercise 01: count must not hide memory.
// Read lessons/01-count-must-not-hide-memory.md first.
//
// This is i915's count_objects callback (drivers/gpu/drm/i915/i915_gem_shrinker.c).
// Reclaim calls it to ask "how many pages could you release right now?".
// If it answers 0, do_shrink_slab() does not call scan_objects() at all.
//
// i915_gem_shrinker_lock() is given, and works: it never sleeps, and it tells
// you which of three cases you are in (how it tells them apart is lesson 03):
//   locked: false                  another task holds struct_mutex
//   locked: true,  unlock: true    it was free, and the helper took it for you
//   locked: true,  unlock: false   your own task already held it, further up the stack
// i915_gem_shrinker_unlock(i915, unlock) releases it only if the helper took it.
//
// Check your work: npx shrinker-lab run 01
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../kernel/mm/vmscan';
import { jiffies } from '../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  // TODO: in which of the three cases may count look at the lists, and what
  // does reclaim hear from count in each of them?
  if (!locked || !unlock) return 0;

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock);
  return count;
}
