// Decoy: pin before alloc, write, unpin, but never mark the batch dirty.
// "The pages are in memory, the write is there." Until the shrinker puts
// them: pages of a clean object are dropped, not written back, and the
// relocations are lost; a later execbuffer runs stale addresses.
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
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  kfree(relocs);
  i915_gem_object_unpin_pages(obj);
  return sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate') ? 0 : -ENOMEM;
}
