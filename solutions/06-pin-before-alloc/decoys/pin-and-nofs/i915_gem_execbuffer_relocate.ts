// Decoy: belt and braces. Pin before the allocation (right), and also
// allocate with GFP_NOFS "so that reclaim cannot recurse into the driver".
// It does not keep the i915 shrinker out (do_shrink_slab calls it whatever
// the mask), so it protects nothing the pin does not; what it does is take
// the filesystem away from this allocation's reclaim and, once reclaim has
// nothing left, the OOM killer too: out_of_memory() returns early for an
// allocation without __GFP_FS, and the allocator retries, for ever, with
// struct_mutex held. GFP_NOFS is for code that a filesystem's reclaim could
// deadlock on; an ioctl is not that code.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_NOFS } from '../../../../kernel/mm/gfp';
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
  const relocs = await kmalloc(RELOC_BYTES, GFP_NOFS);
  if (!relocs) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
