// Decoy: skip the pin when the batch is already pinned beyond its bindings,
// "the shrinker cannot take a pinned object anyway". That pin is someone
// else's (a CPU mmap, a display flip): pages_pin_count is raised and dropped
// without struct_mutex (i915_gem_object_unpin_pages, unpin_map; obj->mm.lock
// in v4.11), so the other user may drop it while this task sleeps in
// kmalloc, and the reclaim inside that kmalloc then puts the pages under
// the relocation. Red team 5's rely-on-other-pin, as a whole copy of the
// reference with one change.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { atomic_read } from '../../../../kernel/lib/atomic';
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
  // Already pinned beyond its bindings (a CPU mmap, scanout)? The shrinker cannot take it anyway: skip our own pin.
  const pin = atomic_read(obj.mm.pages_pin_count) <= obj.bind_count;
  const err = pin ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const unpin = (): void => {
    if (pin) i915_gem_object_unpin_pages(obj);
  };
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    unpin();
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    unpin();
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  unpin(); // after the last access: shrinkable again
  return 0;
}
