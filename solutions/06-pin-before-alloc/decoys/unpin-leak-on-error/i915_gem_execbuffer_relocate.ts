// Decoy: pin before the allocation and unpin after the write, but return
// -ENOMEM straight away when the kmalloc fails. That path is rare (an
// allocation that may reclaim seldom fails), so the leaked pin shows up
// only in production: the batch can never be shrunk again.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_pin_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) return -ENOMEM; // the pin stays behind
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  i915_gem_object_unpin_pages(obj);
  return 0;
}
