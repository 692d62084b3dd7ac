// Decoy: "never reclaim under struct_mutex; poll until memory comes back":
// pin the batch, then kmalloc(GFP_NOWAIT) and msleep(1) between tries until
// it succeeds. Nothing comes back: kswapd's i915 shrinker finds struct_mutex
// held by this very ioctl (mutex_trylock_recursive: FAILED) and leaves the
// buffer cache alone, so the ioctl sleeps with the lock held for ever and
// every other GEM client blocks behind it. A GFP_KERNEL allocation would have
// reclaimed the cache in this task, with the pin keeping the batch's pages.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_NOWAIT, __GFP_NOWARN } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc, type kmem_object } from '../../../../kernel/mm/slab';
import { msleep } from '../../../../kernel/sched/core';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_pin_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }
  let relocs: kmem_object | null = null;
  while (!relocs) {
    relocs = await kmalloc(RELOC_BYTES, GFP_NOWAIT | __GFP_NOWARN);
    if (!relocs) await msleep(1); // let kswapd make room
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  i915_gem_object_unpin_pages(obj);
  return 0;
}
