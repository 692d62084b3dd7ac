// Decoy: "when struct_mutex belongs to a kworker, that is i915's own
// housekeeping (the free worker, the retire worker), not an ioctl halfway
// through a change: count may read the lists".
// Wrong: the free worker (__i915_gem_free_objects) unbinds the objects it
// frees and list_del()s them under struct_mutex: a count walking the lists
// then follows links into objects being freed (a use-after-free).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { __mutex_owner } from '../../../../kernel/locking/mutex';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { PF_WQ_WORKER } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  const worker_holds = !locked && ((__mutex_owner(i915.struct_mutex)?.flags ?? 0) & PF_WQ_WORKER) !== 0;
  if (!locked && !worker_holds) return 0;

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
