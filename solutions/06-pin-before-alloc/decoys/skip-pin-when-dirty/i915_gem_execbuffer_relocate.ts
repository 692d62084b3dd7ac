// Decoy (red team 15, skip_pin_when_dirty): no pin when the batch already has
// pages and is dirty ("dirty pages must be written back first; reclaim will
// not drop them under our kmalloc"). v4.11's put_pages releases dirty pages
// too (set_page_dirty: swap or the page cache writes them later): the sg_table
// goes and the relocation writes through freed pages. A batch an earlier
// execbuffer relocated is dirty: the second execbuffer of a batch is the
// common case.
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
  // A batch the GPU or an earlier relocation dirtied cannot simply be
  // dropped: its pages must be written back first, which reclaim does not do
  // from under our kmalloc. Only a clean batch needs the pin.
  const pin = !(obj.mm.pages && obj.mm.dirty);
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
