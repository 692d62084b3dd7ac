// Decoy: "a dying task needs no memory: it is about to give all of its own
// back. Count 0 for it, so reclaim does not make it shrink the GPU's cache
// on its way out" (SIGKILL pending, an OOM victim, PF_EXITING).
// Wrong: a dying task still allocates (exit_mm, closing its files and GEM
// handles), and an OOM victim must finish exiting before its memory comes
// back: the OOM killer waits on exactly that task. v4.11's count never looks
// at signals or PF_EXITING; reclaim from a dying task gets the same count.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { tsk_is_oom_victim } from '../../../../kernel/mm/oom_kill';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';
import { fatal_signal_pending, PF_EXITING } from '../../../../kernel/sched/task';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  if (fatal_signal_pending(current) || current.flags & PF_EXITING || tsk_is_oom_victim(current)) return 0; // dying: it frees its own memory
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (can_release_pages(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
