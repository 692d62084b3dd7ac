// Decoy: memalloc_noreclaim_save() around the kmalloc, "so the allocation
// cannot recurse into reclaim and the shrinker". PF_MEMALLOC says "I am
// reclaim": it also lets the allocation ignore the watermarks
// (ALLOC_NO_WATERMARKS), so an ordinary ioctl drains the last reserves that
// reclaim itself needs to make progress. The pages are still unpinned.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../../../../kernel/sched/mm';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const flags = memalloc_noreclaim_save();
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  memalloc_noreclaim_restore(flags);
  if (!relocs) return -ENOMEM;
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
