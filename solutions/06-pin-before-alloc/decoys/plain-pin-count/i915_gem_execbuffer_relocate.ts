// Decoy (red team 12, plain_pin_count): "we hold struct_mutex, so nobody
// else touches the pin count": get the pages, then count the relocation's
// use with a plain ++ of obj->mm.pages_pin_count's counter (and -- after).
// pages_pin_count is an atomic_t changed under obj->mm.lock, not
// struct_mutex (v4.10+): pread/pwrite, dma-buf and the fault path pin and
// unpin from other CPUs while the ioctl holds struct_mutex, and a plain
// read-modify-write loses their updates (pages freed while pinned: a
// use-after-free; or a pin never dropped). Only atomic_inc/atomic_dec, inside
// i915_gem_object_pin_pages()/unpin_pages(), change it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
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
  // We hold struct_mutex, so nobody else can touch the pin count: get the
  // pages and count our use of them directly.
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  obj.mm.pages_pin_count.counter++;
  const pages = obj.mm.pages!;
  const target = sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate');
  if (!target) {
    obj.mm.pages_pin_count.counter--;
    return -ENOMEM;
  }

  // May reclaim, and the shrinker may run right here: the pin keeps our pages.
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) {
    obj.mm.pages_pin_count.counter--;
    return -ENOMEM;
  }

  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate'); // write through the pages looked up above
  obj.mm.dirty = true;
  kfree(relocs);
  obj.mm.pages_pin_count.counter--; // after the last access: shrinkable again
  return 0;
}
