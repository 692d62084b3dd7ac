// Decoy: read the pages in first, then pin only if free memory is within
// a few pages of the min watermark, "because only a kmalloc that dips
// below min reclaims in this task, and kmalloc(1024) needs one page". The
// threshold is read once, by a task that does not own the rest of the
// machine: interrupts, kswapd and other CPUs allocate between the look and
// the kmalloc, and whether an allocation reclaims is not the caller's to
// predict. That it MAY is in its gfp mask, and that is when the pin is due.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { zone_info } from '../../../../kernel/mm/page_alloc';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

/** ENOMEM: out of memory, returned negated. */
const ENOMEM = 12;
/** Pages a kmalloc(1024) can take at most (a new slab), with a margin. */
const KMALLOC_HEADROOM = 4;
/** Room for 32 relocation entries (struct drm_i915_gem_relocation_entry is 32 bytes). */
const RELOC_BYTES = 32 * 32;

/**
 * i915_gem_execbuffer_relocate - apply the relocations to @obj's first page.
 * Called with struct_mutex held. Returns 0 or -ENOMEM.
 */
export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex); // the caller holds it, as in the kernel
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  // The pages are in now; only a kmalloc that goes below min reclaims in this task.
  const z = zone_info();
  const pin = z.free < z.min + KMALLOC_HEADROOM;
  if (pin && (await i915_gem_object_pin_pages(obj))) return -ENOMEM;
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
  unpin();
  return 0;
}
