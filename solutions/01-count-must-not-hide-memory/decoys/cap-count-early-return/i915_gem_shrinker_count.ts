// Decoy (red team 13, cap_count_early_return): count stops at 2^20 pages
// (4 GiB) and returns from inside the walk ("do_shrink_slab() never scans more
// than twice the count in one call; past 4 GiB the exact figure buys
// nothing"). The early return skips i915_gem_shrinker_unlock(): whenever
// count took struct_mutex itself, it is leaked and the next GEM ioctl hangs.
// And the capped answer hides every page past 4 GiB from do_shrink_slab()'s
// pressure and bounds.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** Pages (4 GiB) past which count stops walking: reclaim's pressure is the same. */
const COUNT_ENOUGH = 1 << 20;

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
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
    // do_shrink_slab() never scans more than twice the count in one call: past
    // 4 GiB of buffers the exact figure buys nothing, and the walk (lists of
    // hundreds of thousands of objects) holds struct_mutex. Stop there.
    if (count >= COUNT_ENOUGH) return COUNT_ENOUGH;
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
    if (count >= COUNT_ENOUGH) return COUNT_ENOUGH;
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
