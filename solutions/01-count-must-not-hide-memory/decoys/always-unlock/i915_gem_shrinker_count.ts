// Decoy: count whenever the helper says locked, and release what "we locked": locked, not unlock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0;
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  await i915_gem_shrinker_unlock(i915, locked); // "we hold it, so we release it"
  return count;
}
