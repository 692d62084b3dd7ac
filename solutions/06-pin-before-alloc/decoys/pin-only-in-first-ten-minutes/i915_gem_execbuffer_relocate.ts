// Decoy (red team 10): the v4.11 relocation, but it pins the batch's pages
// only in the first ten minutes after boot ("later the batch pool keeps
// them pinned"). Nothing pins them but this code: on a machine up longer,
// the shrinker inside the relocation's own kmalloc drops the pages it is
// about to write (the starter's use-after-free).
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';
import { jiffies } from '../../../../kernel/time/timekeeping';

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
  // Once the machine has been up a while, batches come from the warmed batch pool, which keeps its
  // pages pinned; only early on can a batch be a fresh, unpinned object.
  const pinned = jiffies() < 600 * 1000;
  const err = pinned ? await i915_gem_object_pin_pages(obj) : await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    if (pinned) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    if (pinned) i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  if (pinned) i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
