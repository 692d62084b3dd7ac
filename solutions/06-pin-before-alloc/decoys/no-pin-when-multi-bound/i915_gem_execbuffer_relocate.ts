// Decoy (red team 14, no_pin_when_multi_bound): no pin when the batch is
// bound twice ("each binding pins the pages: nothing can take them"). The
// bindings' pins are exactly what can_release_pages() discounts
// (pages_pin_count > bind_count): the shrinker, RECURSIVE in this task's
// kmalloc, unbinds every VMA of an idle batch and releases its pages, and the
// relocation writes into freed pages.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
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
  // A batch bound in two address spaces (the GGTT for the command parser, and the
  // context's ppgtt) has each binding pinning its pages (pages_pin_count 2):
  // nothing can take them while we sleep. Only a singly bound or unbound batch
  // needs our own pin.
  const keep = obj.bind_count < 2;
  const err = keep ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const unpin = (): void => {
    if (keep) i915_gem_object_unpin_pages(obj);
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
