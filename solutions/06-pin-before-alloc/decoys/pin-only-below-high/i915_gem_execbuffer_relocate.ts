// Decoy: pin only when free memory is at or below the high watermark, "above
// it kmalloc's fast path (ALLOC_WMARK_LOW) succeeds and never reclaims, so
// the pin would only cost". The look at zone free pages is a snapshot: the
// other CPU (an interrupt handler, network RX, kswapd's own allocations)
// takes pages between it and kmalloc's watermark check, and the kmalloc then
// reclaims in this task with the batch unpinned. Red team 5's
// pin-only-when-low, as a whole copy of the reference with one change.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { zone_info } from '../../../../kernel/mm/page_alloc';
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
  // Above the high watermark kmalloc takes its page from the fast path and never reclaims: pin only below it.
  const z = zone_info();
  const pin = z.free <= z.high;
  const err = pin ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const unpin = (): void => {
    if (pin) i915_gem_object_unpin_pages(obj);
  };
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    unpin();
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    unpin();
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  unpin(); // after the last access: shrinkable again
  return 0;
}
