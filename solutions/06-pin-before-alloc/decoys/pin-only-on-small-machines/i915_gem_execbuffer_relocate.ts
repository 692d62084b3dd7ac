// Decoy (red team 12, pin_only_on_small_machines): pin the batch only when
// the zone manages 1 GiB or less ("only small machines run so close to their
// watermarks that a 1 KiB kmalloc reclaims"); plain get_pages on bigger ones.
// Whether kmalloc(GFP_KERNEL) enters direct reclaim depends on free pages
// against the watermarks, not on the machine's size: a 16 GiB desktop under
// pressure (Andrea's) reclaims in that kmalloc, the shrinker (RECURSIVE)
// drops the unpinned batch's pages, and the relocation writes into freed
// pages.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';
import { zone_info } from '../../../../kernel/mm/page_alloc';
import { i915_gem_object_get_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';

/** 1 GiB of 4 KiB pages. */
const SMALL_MACHINE_PAGES = 262144;

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
  // A pin keeps the batch out of reclaim's reach. Only small machines (1 GiB
  // and less) run so close to their watermarks that a 1 KiB kmalloc reclaims;
  // on a bigger one the relocation list always comes from the free lists.
  const pin = zone_info().managed <= SMALL_MACHINE_PAGES;
  const err = pin ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    if (pin) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    if (pin) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  if (pin) i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
