// Exercise 01: count must not hide memory.
// Read lessons/01-count-must-not-hide-memory.md first.
//
// This is i915's count_objects callback (drivers/gpu/drm/i915/i915_gem_shrinker.c).
// Reclaim calls it to ask "how many pages could you release right now?".
// If it answers 0, do_shrink_slab() does not call scan_objects() at all.
//
// Check your work: npx shrinker-lab run 01
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock, mutex_unlock } from '../../kernel/locking/mutex';
import type { shrink_control } from '../../kernel/mm/vmscan';
import { jiffies } from '../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  // TODO: who might already be holding struct_mutex when reclaim calls this?
  if (!mutex_trylock(i915.struct_mutex)) return 0;

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  mutex_unlock(i915.struct_mutex);
  return count;
}
