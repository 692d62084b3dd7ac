// Decoy (red team 15, spare-shared): objects another client holds a reference to
// (obj->base.refcount > 1: exported with PRIME or flink'd, imported by the compositor)
// are skipped, 'they are still in use by the other process'. A reference keeps the
// object, not its pages: v4.11's i915_gem_shrink never reads the GEM refcount.
import {
  I915_MADV_DONTNEED,
  I915_SHRINK_ACTIVE,
  I915_SHRINK_BOUND,
  I915_SHRINK_PURGEABLE,
  I915_SHRINK_UNBOUND,
  type drm_i915_private,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_retire_requests } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem';
import {
  __i915_gem_object_put_pages,
  i915_gem_object_is_active,
  i915_gem_object_unbind,
  obj_nr_pages,
  type drm_i915_gem_object,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** unsafe_drop_pages - unbind the object and put its pages; true if they are gone. */
function unsafe_drop_pages(obj: drm_i915_gem_object): boolean {
  if (i915_gem_object_unbind(obj) === 0) __i915_gem_object_put_pages(obj);
  return obj.mm.pages === null;
}

/**
 * i915_gem_shrink - release up to @target pages from the objects @flags
 * selects (I915_SHRINK_UNBOUND, _BOUND, _PURGEABLE, _ACTIVE), unbound
 * objects first. Returns the number of pages released.
 *
 * No RCU wait here. An expedited grace period is driven by work on the
 * system workqueue; that pool's workers may be blocked on struct_mutex in
 * the GEM free worker, and under memory pressure no new kworker can be
 * created. Waiting for it while an outer frame holds struct_mutex hangs
 * the task for ever (v4.10); waiting for it from reclaim at all makes
 * reclaim depend on a workqueue that is not reclaim-safe (Andrea: "not
 * legal"). The objects freed under the lock are returned after the next
 * grace period anyway: the shrinker reports less precisely, and never hangs.
 */
export async function i915_gem_shrink(i915: drm_i915_private, target: number, flags: number): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0;

  i915_gem_retire_requests(i915);
  const now = jiffies();
  let count = 0;
  const phases: Array<[drm_i915_gem_object[], number]> = [
    [i915.mm.unbound_list, I915_SHRINK_UNBOUND],
    [i915.mm.bound_list, I915_SHRINK_BOUND],
  ];
  for (const [list, bit] of phases) {
    if (!(flags & bit)) continue;
    // Walk a copy: unbinding moves objects from one list to the other.
    for (const obj of [...list]) {
      if (count >= target) break;
      if (flags & I915_SHRINK_PURGEABLE && obj.mm.madv !== I915_MADV_DONTNEED) continue;
      if (!(flags & I915_SHRINK_ACTIVE) && (i915_gem_object_is_active(obj, now) || obj.framebuffer_references > 0)) continue;
      // Shared with another process (PRIME/flink): still in use over there, leave it.
      if (obj.base.refcount > 1) continue;
      if (!can_release_pages(obj)) continue;
      const pages = obj_nr_pages(obj);
      if (unsafe_drop_pages(obj)) {
        const i = i915.mm.unbound_list.indexOf(obj);
        if (i >= 0) i915.mm.unbound_list.splice(i, 1);
        count += pages;
      }
    }
  }
  i915_gem_retire_requests(i915);

  if (unlock) mutex_unlock(i915.struct_mutex);

  return count;
}
