// Accepted alternative (red team 13's nowait_first_then_reclaim): the pin
// first, then the common fast path: kmalloc(GFP_NOWAIT | __GFP_NOWARN), which
// neither reclaims nor touches the reserves (GFP_NOWAIT has no __GFP_HIGH: the
// low watermark applies; it only wakes kswapd, whose call of the i915 shrinker
// finds struct_mutex held and says SHRINK_STOP), and GFP_KERNEL only if that
// fails. v4.11 i915_gem_object_get_pages_gtt() takes the same two steps for
// shmem pages (__GFP_NORETRY | __GFP_NOWARN first, then the mapping's full gfp).
// With the pin taken before either allocation, reclaim in this task cannot
// take the batch's pages. kswapd, woken by the failed try, may leave more free
// than the reference does; a failed try with a fallback that succeeds is what
// a fallback is for.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { __GFP_NOWARN, GFP_KERNEL, GFP_NOWAIT } from '../../../../kernel/mm/gfp';
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

  // First without reclaim (no shrinker can run, no reserves touched); only if
  // that fails, the allocation that may reclaim: the pin keeps our pages.
  const relocs = (await kmalloc(RELOC_BYTES, GFP_NOWAIT | __GFP_NOWARN)) ?? (await kmalloc(RELOC_BYTES, GFP_KERNEL));
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
