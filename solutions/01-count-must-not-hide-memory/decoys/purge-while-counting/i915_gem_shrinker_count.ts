// Decoy: "reclaim is asking because memory is short, and under RECURSIVE
// the lists are ours: purge the cache right here, then report what is
// left". The recursion test is right; the job is not. count_objects only
// counts: do_shrink_slab() sizes the scan from it (total_scan, nr_deferred),
// and count is called for every shrinker at every priority of every pass,
// also when reclaim would not have scanned i915 at all. Releasing from
// count bypasses the batching and the deferred accounting, and what it
// reports is no longer what was releasable when reclaim asked.
import { I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND, type drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrink } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** More pages than any machine has: purge everything purgeable. */
const ALL_PAGES = 1 << 20;

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const how = mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) return 0;
  const unlock = how === MUTEX_TRYLOCK_SUCCESS;

  // Memory is short and the lists are ours: free the purgeable cache now.
  if (how === MUTEX_TRYLOCK_RECURSIVE) await i915_gem_shrink(i915, ALL_PAGES, I915_SHRINK_PURGEABLE | I915_SHRINK_UNBOUND);

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  if (unlock) mutex_unlock(i915.struct_mutex);
  return count;
}
