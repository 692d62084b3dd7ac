// Decoy: walk at most SHRINK_BATCH (128) objects of each list, "count runs
// on every reclaim pass and must stay cheap". A desktop has hundreds to
// thousands of GEM objects (Mesa's BO cache alone), and the lists are in
// creation and binding order: the boot buffers (scanout, pinned) head them,
// so everything releasable past the 128th object is hidden from reclaim.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** Objects looked at per list: SHRINK_BATCH, what one scan call is asked to free at most. */
const WALK_LIMIT = 128;

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list.slice(0, WALK_LIMIT)) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list.slice(0, WALK_LIMIT)) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
