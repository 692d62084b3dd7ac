// Decoy: "a dying task is on its way out and will give all of its memory
// back: SHRINK_STOP for it, let the others do the shrinking" (SIGKILL
// pending, an OOM victim, PF_EXITING).
// Wrong: a dying task still allocates (exit_mm, closing its files and GEM
// handles), and the OOM killer waits for its victim to finish exiting: a
// scan that stops for it starves exactly the task everyone waits on, and
// do_shrink_slab() piles the work on nr_deferred. v4.11's scan never looks
// at signals or PF_EXITING.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { tsk_is_oom_victim } from '../../../../kernel/mm/oom_kill';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { current } from '../../../../kernel/sched/core';
import { fatal_signal_pending, PF_EXITING } from '../../../../kernel/sched/task';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  if (fatal_signal_pending(current) || current.flags & PF_EXITING || tsk_is_oom_victim(current)) return SHRINK_STOP; // dying: it frees its own
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return freed;
}
