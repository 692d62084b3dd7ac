// Decoy: pin, but only once the allocation is done, "around the writes".
// The shrinker ran inside the kmalloc: by the time we pin, the pages we
// looked up are gone, pin_pages reads fresh ones in, and we still write
// through the old, freed sg_table.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) return -ENOMEM;
  const perr = await i915_gem_object_pin_pages(obj);
  if (perr) {
    kfree(relocs);
    return perr;
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  i915_gem_object_unpin_pages(obj);
  kfree(relocs);
  return 0;
}
