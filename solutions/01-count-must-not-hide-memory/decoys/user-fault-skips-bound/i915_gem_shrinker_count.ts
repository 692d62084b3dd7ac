// Reference solution for exercise 01: the v4.11 count.
//
// Reclaim can be entered by any allocation, including one made by a task
// that already holds struct_mutex (a GEM ioctl allocating under the lock).
// Counting only when this frame took the lock itself (what a plain
// mutex_trylock() gives) answers 0 to exactly that task, and a count of 0
// hides every releasable page from reclaim: do_shrink_slab() skips the scan,
// and the allocation heads for the OOM killer. What count answers depends
// on whether it may look at the lists, not on who will unlock:
//   locked, unlock     the lock was free and is ours now: count, release it.
//   locked, !unlock    our own task holds it further up the stack: the lists
//                      are stable (nobody else can hold it), count, and leave
//                      the lock to the outer frame. Chris: "We do need it for
//                      shrinker_count as well."
//   !locked            another task holds it and may be changing the lists:
//                      count cannot look, and says 0 ("cannot tell"). Not
//                      SHRINK_STOP: that is scan's word; from count it reads
//                      as ~2^64 freeable objects.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __GFP_MOVABLE } from '../../../../kernel/mm/gfp';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  // A user page fault (movable pages) is cheap to satisfy from the page cache: spare the GPU's bound buffers for it.
  if (sc.gfp_mask & __GFP_MOVABLE) {
    await i915_gem_shrinker_unlock(i915, unlock);
    return count;
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
