// Exercise 06, decoy "allocate-before-lookup": a plausible wrong fix (see decoys.json for why it is wrong).
//
// "Allocate first, while nothing of the batch is looked up; then get the
// pages and write without sleeping: with struct_mutex held nobody can take
// them in between." No pin at all.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
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
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL); // may reclaim: nothing looked up yet
  if (!relocs) return -ENOMEM;
  const err = await i915_gem_object_get_pages(obj);
  if (err) {
    kfree(relocs);
    return err;
  }
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) {
    kfree(relocs);
    return -ENOMEM;
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // no sleep since the lookup
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
