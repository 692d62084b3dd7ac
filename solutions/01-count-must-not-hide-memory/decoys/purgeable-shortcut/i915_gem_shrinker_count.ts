// Decoy (one mistake): "a DONTNEED buffer can always be dropped unless its
// binding is pinned for display; ask can_release_pages() about the rest".
// A purgeable buffer whose PAGES are pinned beyond its bindings (a CPU
// mapping, a dma-buf export, execbuf's relocation pin) cannot be released
// either: v4.11's can_release_pages() refuses pages_pin_count > bind_count.
// count reports pages scan can never release (red team 7's
// purgeable-shortcut-ignores-pins).
import { I915_MADV_DONTNEED, type drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import type { shrink_control } from '../../../../kernel/mm/vmscan';
import { jiffies } from '../../../../kernel/time/timekeeping';

/**
 * i915_gem_shrinker_count - pages the shrinker could release now: unbound
 * objects whose pages can be released, plus bound ones the GPU is not using.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0; // another task's lock, another task's lists: cannot look

  // DECOY: purgeable and not pinned for display counts, whatever pins its pages.
  const releasable = (obj: (typeof i915.mm.unbound_list)[number]): boolean =>
    (obj.mm.pages !== null && obj.vma_pin_count === 0 && obj.mm.madv === I915_MADV_DONTNEED) || can_release_pages(obj);
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) {
    if (releasable(obj)) count += obj_nr_pages(obj);
  }
  for (const obj of i915.mm.bound_list) {
    if (!i915_gem_object_is_active(obj, now) && releasable(obj)) count += obj_nr_pages(obj);
  }

  await i915_gem_shrinker_unlock(i915, unlock); // a no-op when the outer frame owns the lock
  return count;
}
