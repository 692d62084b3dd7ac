// Decoy: counts the first 40 objects of each list and extrapolates ("count
// runs on every reclaim pass, keep it O(1)"). The lists are in creation and
// binding order, not releasability: on a desktop the boot buffers (scanout,
// pinned) head them, the sample sees none releasable, and count hides the
// whole tail: reclaim skips scan and the OOM killer runs.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_SUCCESS } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** Objects looked at per list: "count runs on every reclaim pass, keep it O(1)". */
const SAMPLE = 40;

/** The pages of the first SAMPLE objects of @list that pass @ok, scaled up to the list's length. */
function sampled(list: drm_i915_gem_object[], ok: (obj: drm_i915_gem_object) => boolean): number {
  const seen = Math.min(list.length, SAMPLE);
  let n = 0;
  for (let i = 0; i < seen; i++) if (ok(list[i]!)) n += obj_nr_pages(list[i]!);
  return seen === list.length ? n : Math.floor((n * list.length) / seen);
}

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const how = mutex_trylock_recursive(i915.struct_mutex);
  if (how === MUTEX_TRYLOCK_FAILED) return 0; // another task holds it: we cannot walk the lists
  const unlock = how === MUTEX_TRYLOCK_SUCCESS; // RECURSIVE: the outer frame owns the lock

  const now = jiffies();
  let count = 0;
  // DECOY: look at the first SAMPLE objects of each list and scale up to its length.
  count += sampled(i915.mm.unbound_list, (obj) => can_release_pages(obj));
  count += sampled(i915.mm.bound_list, (obj) => !i915_gem_object_is_active(obj, now) && can_release_pages(obj));

  if (unlock) mutex_unlock(i915.struct_mutex);
  return count;
}
