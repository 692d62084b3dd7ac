// Decoy (red team 10): pin the batch only when it has at most 64 pages,
// "big batches stay bound in the GTT". A binding pins the pages once, and
// can_release_pages() refuses only objects pinned more often than bound:
// an idle bound or unbound batch of 65 pages or more is released by the
// ioctl's own reclaim inside kmalloc and then written through (the
// starter's use-after-free, for big batches).
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
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  // Big batches (over 64 pages) stay bound in the GTT for the whole execbuffer: binding already keeps
  // them. Only small ones need a page pin of their own.
  const pinned = obj.mm.pages!.pages.length <= 64;
  if (pinned) await i915_gem_object_pin_pages(obj);
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    if (pinned) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    if (pinned) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  if (pinned) i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
