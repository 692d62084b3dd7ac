// Decoy: kmalloc(GFP_ATOMIC): "an atomic allocation never reclaims, so the
// shrinker cannot run under us, and unlike GFP_NOWAIT it may use the
// reserves, so it does not fail at the min watermark". It dips into the
// emergency reserve kept for interrupt handlers, from a context that could
// sleep, and once that reserve is gone it fails where a GFP_KERNEL
// allocation would have reclaimed the buffer cache. The pages are still
// unprotected for the next allocation anyone adds.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_ATOMIC } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const relocs = await kmalloc(RELOC_BYTES, GFP_ATOMIC);
  if (!relocs) return -ENOMEM;
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
