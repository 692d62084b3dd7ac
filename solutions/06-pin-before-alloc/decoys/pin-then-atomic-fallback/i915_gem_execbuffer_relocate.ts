// Decoy: pin first, then kmalloc(GFP_NOWAIT | __GFP_NOWARN), and if that
// fails GFP_ATOMIC ("the batch is pinned, so reclaim is safe now; but an
// ioctl should not stall in reclaim with struct_mutex held: take the memory
// without reclaiming"). GFP_ATOMIC (__GFP_HIGH, ALLOC_HARDER) dips below the
// min watermark: the reserves kept for interrupt handlers and for reclaim
// itself, taken by an ordinary ioctl that could have reclaimed. Once they are
// gone the allocation fails with -ENOMEM where GFP_KERNEL would have freed
// the buffer cache.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { __GFP_NOWARN, GFP_ATOMIC, GFP_NOWAIT } from '../../../../kernel/mm/gfp';
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

  // First the fast path; if that fails, take the memory without stalling in
  // reclaim under struct_mutex.
  const relocs = (await kmalloc(RELOC_BYTES, GFP_NOWAIT | __GFP_NOWARN)) ?? (await kmalloc(RELOC_BYTES, GFP_ATOMIC));
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
