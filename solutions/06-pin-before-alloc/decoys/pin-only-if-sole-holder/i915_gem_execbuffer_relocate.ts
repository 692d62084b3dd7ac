// Decoy (fixer P, session 14, pin-only-if-sole-holder): no pin when another
// reference holds the batch ("it cannot be freed under us, so neither can its
// pages"). A reference keeps the struct, not its pages: the shrinker never
// reads the refcount, and under struct_mutex the kmalloc runs it in this task
// (RECURSIVE), which releases the idle batch's pages; the relocation writes
// into freed pages (KASAN use-after-free). In v4.11 execbuffer always holds
// its own lookup reference (eb_lookup_vmas), so this relocation never pins.
// Every workload's batch had one reference, and the answer pinned every time.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
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
  // Another handle holds the object too (flink'd, or PRIME-shared with the
  // compositor): it cannot be freed under us, so neither can its pages. Only
  // an object we alone hold needs our pin; the shared one just needs pages.
  const shared = obj.base.refcount > 1;
  const err = shared ? await i915_gem_object_get_pages(obj) : await i915_gem_object_pin_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    if (!shared) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    if (!shared) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  if (!shared) i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
