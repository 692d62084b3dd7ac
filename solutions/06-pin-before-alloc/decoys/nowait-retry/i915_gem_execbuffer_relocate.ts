// Decoy: "never reclaim under struct_mutex; wait for kswapd instead":
// kmalloc(GFP_NOWAIT), and if it fails, sleep a little and try again, a few
// times. kswapd cannot help: its i915 shrinker finds struct_mutex held by
// this very task (FAILED) and leaves the buffer cache alone, so the ioctl
// sleeps with the lock held and then fails with -ENOMEM anyway, where a
// GFP_KERNEL allocation would have reclaimed the cache and succeeded.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_NOWAIT, __GFP_NOWARN } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc, type kmem_object } from '../../../../kernel/mm/slab';
import { msleep } from '../../../../kernel/sched/core';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  let relocs: kmem_object | null = null;
  for (let tries = 0; !relocs && tries < 5; tries++) {
    relocs = await kmalloc(RELOC_BYTES, GFP_NOWAIT | __GFP_NOWARN);
    if (!relocs) await msleep(1); // let kswapd make room
  }
  if (!relocs) return -ENOMEM;
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
