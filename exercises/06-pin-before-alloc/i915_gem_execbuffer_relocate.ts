// Exercise 06: pin before alloc.
// Read lessons/06-pin-before-alloc.md first.
//
// A step of a GEM execbuffer ioctl (drivers/gpu/drm/i915/i915_gem_execbuffer.c
// has the real, longer story): write the GPU addresses of other buffers
// ("relocations") into a batch buffer object. The caller holds struct_mutex.
// This function looks up the object's pages, allocates a buffer for the
// relocation entries with kmalloc(GFP_KERNEL), and then writes through the
// pages it looked up.
//
// Fix the driver path, not the shrinker: the shrinker is allowed to take
// any object nobody pins.
//
// Check your work: npx shrinker-lab run 06
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
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
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!; // the object's sg_table, kmalloc'd by get_pages
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate'); // where the addresses go
  if (!target) return -ENOMEM;

  // TODO: what may happen to the object's pages while this task sleeps in kmalloc?
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL); // copied in from userspace
  if (!relocs) return -ENOMEM;

  // Write the addresses through the pages looked up above.
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true; // the batch was written: its pages must be written back, not dropped
  kfree(relocs);
  return 0;
}
