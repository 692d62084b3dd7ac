// Decoy: pin only an object nobody pins yet (pages_pin_count === 0), "a
// pinned object is safe from the shrinker". A GTT binding holds one pin of
// its own, and the shrinker unbinds an idle bound object (i915_vma_unbind
// drops the binding's pin) and then puts its pages; a user's pin is the
// user's to drop whenever it is done. Neither is the relocation's: only the
// pin it takes itself lasts as long as it needs the pages.
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
  // Pinned already (by a binding, by a user)? Then the pages stay: only pin an unpinned object.
  const pin = atomic_read(obj.mm.pages_pin_count) === 0;
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
