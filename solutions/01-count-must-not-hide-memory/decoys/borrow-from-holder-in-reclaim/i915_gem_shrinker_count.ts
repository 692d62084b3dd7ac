// Decoy: "a holder that is itself in reclaim is stuck in the allocator, not
// changing the lists, so count may read them instead of answering 0".
// Wrong: PF_MEMALLOC says the holder is inside try_to_free_pages(), which
// may be i915's own scan under that very lock, unbinding and moving objects
// between the lists; or it returns from reclaim at any moment and its ioctl
// goes on changing them. An unlocked walk of lists another CPU is changing.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { PF_MEMALLOC } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) {
    const holder = __mutex_owner(i915.struct_mutex);
    if (holder === null || (holder.flags & PF_MEMALLOC) === 0) return 0;
    // the holder is busy reclaiming: its lists stand still (so this decoy believes)
  }

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  if (locked) await i915_gem_shrinker_unlock(i915, unlock);
  return count;
}
