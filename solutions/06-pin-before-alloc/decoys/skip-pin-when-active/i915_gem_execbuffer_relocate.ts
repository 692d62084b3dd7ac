// Decoy (fixer P, session 14, skip-pin-when-active): no pin when the GPU has
// used the batch and its request is still on the books (obj->active_count),
// "the shrinker skips active objects". v4.11's i915_gem_shrink() retires
// completed requests before its walk, so a batch whose previous execbuffer
// has finished is idle by the time reclaim looks, and the OOM notifier's
// shrink_all waits for the GPU anyway: the relocation writes freed pages.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

/** ENOMEM: out of memory, returned negated. */
const ENOMEM = 12;
/** Room for 32 relocation entries (struct drm_i915_gem_relocation_entry is 32 bytes). */
const RELOC_BYTES = 32 * 32;

/**
 * i915_gem_execbuffer_relocate - apply the relocations to @obj's first page.
 * Called with struct_mutex held. Returns 0 or -ENOMEM.
 */
export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex); // the caller holds it, as in the kernel
  // The GPU is still running the previous execbuffer of this batch: the
  // shrinker skips active objects, so only an idle batch needs the pin.
  const pin = !(obj.mm.pages && obj.active_count > 0);
  if (pin) {
    const err = await i915_gem_object_pin_pages(obj); // get the pages and keep them
    if (err) return err;
  }
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    if (pin) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    if (pin) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  if (pin) i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
