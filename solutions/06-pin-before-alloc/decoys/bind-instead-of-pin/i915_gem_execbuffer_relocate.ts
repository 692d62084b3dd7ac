// Decoy: "bound objects are in use, the shrinker leaves them alone": bind
// the batch into the GTT before the allocation and unbind it after. A
// binding pins the pages once, but can_release_pages() only refuses an
// object pinned more often than it is bound, and the shrinker unbinds idle
// objects before putting their pages: the binding protects nothing.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_bind, i915_gem_object_unbind, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const was_bound = obj.bind_count > 0;
  const err = await i915_gem_object_bind(obj);
  if (err) return err;
  const done = (ret: number): number => {
    if (!was_bound) i915_gem_object_unbind(obj);
    return ret;
  };
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return done(-ENOMEM);
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  if (!relocs) return done(-ENOMEM);
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return done(0);
}
