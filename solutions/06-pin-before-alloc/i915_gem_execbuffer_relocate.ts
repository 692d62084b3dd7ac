// Reference solution for exercise 06: pin before alloc.
//
// Any GFP_KERNEL allocation made under struct_mutex may enter direct
// reclaim, and reclaim may call the i915 shrinker in this very task. The
// shrinker's mutex_trylock_recursive() then answers RECURSIVE (the lock is
// ours), so it walks the object lists and releases the pages of every
// object that can_release_pages() allows: one that has pages, is not pinned
// beyond its bindings, and can go to swap or be purged. An object we merely
// looked at qualifies; its sg_table is kfree'd and the pages go back to the
// page cache while we sleep in kmalloc.
//
// A pin is how a driver path says "I am using these pages":
// i915_gem_object_pin_pages() gets the pages if needed and raises
// pages_pin_count, and can_release_pages() refuses any object pinned more
// often than it is bound. So pin first (before any allocation), use the
// pages across the allocation, and unpin after the last access, on every
// path out, so that the object is shrinkable again once we are done.
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../kernel/mm/slab';

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
  const err = await i915_gem_object_pin_pages(obj); // get the pages and keep them
  if (err) return err;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  i915_gem_object_unpin_pages(obj); // after the last access: shrinkable again
  return 0;
}
