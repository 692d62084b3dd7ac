// Decoy: look the pages up again after the allocation instead of pinning.
// No stale pointer is read, but the object was undone under us: its pages
// were released (to swap, on a real machine) and read back in, and whatever
// this path had derived from the first look (here, the target page) is no
// longer about the pages it writes to.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  let err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  if (!sg_table_page(obj.mm.pages!, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) return -ENOMEM;
  err = await i915_gem_object_get_pages(obj); // "in case the shrinker took them"
  if (err) {
    kfree(relocs);
    return err;
  }
  relocate_entry(obj.mm.pages!, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
