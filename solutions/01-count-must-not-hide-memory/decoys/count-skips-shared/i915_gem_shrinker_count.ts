// Decoy (fixer P, session 14, count-skips-shared): count leaves out buffers
// another client holds a reference to (base.refcount > 1: flink'd, or
// exported with PRIME and imported by the compositor), "the other process
// still uses it". A reference keeps the object, not its pages: v4.11's count
// never reads the refcount, can_release_pages() judges pins, and the pages of
// an idle shared buffer go to swap and come back on the next use. On a
// desktop every window buffer is shared with the compositor, so this count
// hides them and do_shrink_slab() skips i915 while the allocation heads for
// the OOM killer. Every workload's objects had one reference.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    // Shared with another client (flink, PRIME): still in use over there, leave it out.
    if (can_release_pages(obj) && obj.base.refcount <= 1) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && obj.base.refcount <= 1 && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
