// Decoy: "GFP_NOFS keeps reclaim from recursing into us". It keeps reclaim
// out of *filesystem* code (shrinkers that check __GFP_FS, such as the
// superblock shrinker). In v4.11 do_shrink_slab() calls every shrinker
// whatever the gfp mask, and the i915 shrinker does not look at __GFP_FS:
// it still runs, still sees RECURSIVE, and still drops the pages.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_NOFS } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const relocs = await kmalloc(RELOC_BYTES, GFP_NOFS);
  if (!relocs) return -ENOMEM;
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
