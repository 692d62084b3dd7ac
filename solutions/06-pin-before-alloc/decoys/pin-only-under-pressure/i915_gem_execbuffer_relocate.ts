// Decoy: pin only "when memory is short": if free memory is above the min
// watermark on entry, the kmalloc will not reclaim, so get_pages is enough.
// A rule keyed to a threshold read once: reading the batch's own pages in
// (or any allocation on the way) takes memory below the watermark after the
// test, and the kmalloc then reclaims with the pages unpinned.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_get_pages,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  relocate_entry,
  sg_table_page,
  type drm_i915_gem_object,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { zone_info } from '../../../../kernel/mm/page_alloc';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const { free, min } = zone_info();
  const pin = free <= min;
  const err = pin ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const unpin = (): void => {
    if (pin) i915_gem_object_unpin_pages(obj);
  };
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) {
    unpin();
    return -ENOMEM;
  }
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    unpin();
    return -ENOMEM;
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  unpin();
  return 0;
}
