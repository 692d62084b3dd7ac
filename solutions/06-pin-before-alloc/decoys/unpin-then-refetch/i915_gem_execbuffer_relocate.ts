// Decoy: unpins once the allocation is done, then looks the pages up again
// for the write instead of keeping the pointer it had.
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
  const err = await i915_gem_object_pin_pages(obj); // get the pages and keep them
  if (err) return err;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // The allocation is behind us: unpin, and look the pages up afresh for the write (no stale pointer kept).
  i915_gem_object_unpin_pages(obj);
  const now = obj.mm.pages;
  if (!now) {
    kfree(relocs);
    return -ENOMEM;
  }
  relocate_entry(now, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
