// Decoy: hide the batch from the shrinker instead of pinning it: mark it
// busy on the GPU for the length of the allocation (reclaim's scan skips
// active objects), then idle again. Reclaim's scan is not the only way in:
// when reclaim fails, the OOM notifier runs inside this same kmalloc,
// waits for the GPU to go idle and calls i915_gem_shrink_all(), which
// releases busy objects too. Only a pin is respected by every path.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_get_pages, relocate_entry, sg_table_page, type drm_i915_gem_object } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { lockdep_assert_held } from '../../../../kernel/locking/lockdep';
import { GFP_KERNEL } from '../../../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../../../kernel/mm/slab';
import { jiffies } from '../../../../kernel/time/timekeeping';

const ENOMEM = 12;
const RELOC_BYTES = 32 * 32;

export async function i915_gem_execbuffer_relocate(i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  lockdep_assert_held(i915.struct_mutex);
  const err = await i915_gem_object_get_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) return -ENOMEM;
  const was_active_until = obj.active_until;
  obj.active_until = jiffies() + 50; // "busy": reclaim leaves it alone
  const relocs = await kmalloc(RELOC_BYTES, GFP_KERNEL);
  obj.active_until = was_active_until;
  if (!relocs) return -ENOMEM;
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  return 0;
}
