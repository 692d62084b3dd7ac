// Decoy (red team 12, run_free_worker_inline): "scan may not flush the free
// worker from reclaim, so do its job here": after its own unlock, when
// objects wait on mm.free_list and the owner word reads 0, scan calls
// i915.mm.free_work.func() itself. The worker's __i915_gem_free_objects()
// takes struct_mutex with mutex_lock(), from reclaim: the owner-word test is
// a TOCTOU (another CPU's GEM ioctl takes the lock right after it, then
// allocates and waits for the memory this reclaim is to free: lesson 03's
// deadlock), and the work function runs outside its workqueue, beside the
// kworker's own instance, with the work's lockdep map never taken.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_shrink, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { atomic_long_read } from '../../../../kernel/lib/atomic';

/**
 * i915_gem_shrinker_scan - release up to @sc->nr_to_scan pages, purgeable
 * objects first. Returns the pages released, or SHRINK_STOP if another task
 * holds struct_mutex.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return SHRINK_STOP; // defer: do_shrink_slab keeps the work in nr_deferred

  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) {
    freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  // We may not flush the free worker from reclaim; when struct_mutex is free,
  // do its job here, so the objects freed meanwhile give their pages back now.
  if (unlock && i915.mm.free_count > 0 && atomic_long_read(i915.struct_mutex.owner) === 0) await i915.mm.free_work.func(i915.mm.free_work);
  return freed;
}
