// Decoy (red team 11: pin-only-up-to-256-pages): red team 10's
// pin-only-small-batches with 256 pages instead of 64: "big batches (over
// 1 MiB) are bound for the whole ioctl anyway". They are not: a binding pins
// the pages once, and can_release_pages() releases an object pinned no more
// often than it is bound; the shrinker, running in this task under the
// ioctl's kmalloc, unbinds and puts it. Whether the relocation pins must not
// depend on the batch's size.
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
  // Big batches (over 1 MiB) are bound for the whole ioctl anyway: only smaller ones need our own pin.
  const small = !obj.mm.pages || obj.mm.pages.pages.length <= 256;
  if (small) {
    const err = await i915_gem_object_pin_pages(obj); // get the pages and keep them
    if (err) return err;
  }
  const unpin = (): void => {
    if (small) i915_gem_object_unpin_pages(obj);
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
