// obj->mm.pages_pin_count is an atomic_t, as in v4.11 (i915_gem_object.h):
// other CPUs pin and unpin pages under obj->mm.lock, not struct_mutex, so a
// plain ++ under struct_mutex loses their updates. The model's is the
// kernel/lib/atomic.ts atomic_t: i915_gem_object_pin_pages()/unpin_pages()
// change it with atomic_inc()/atomic_dec(), a plain `.counter` access is
// reported as a KCSAN data race, and the field itself cannot be replaced
// (red team 12's 06 plain_pin_count pinned with `pages_pin_count++`).
import { describe, expect, it } from 'vitest';
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_load } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import {
  i915_gem_object_create,
  i915_gem_object_get_pages,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  relocate_entry,
  sg_table_page,
  type drm_i915_gem_object,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { atomic_read, atomic_t } from '../../kernel/lib/atomic';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { kfree, kmalloc } from '../../kernel/mm/slab';
import { DECISIVE_RELOCATION, run_relocation } from '../../scenarios/pin_before_alloc';
import { run_in_kthread } from './mm_helpers';

describe('pages_pin_count is an atomic_t', () => {
  it('pin_pages and unpin_pages move it by one; can_release_pages reads it against bind_count', async () => {
    const seen: Array<[number, boolean]> = [];
    await run_in_kthread({ swap_pages: 64 }, async () => {
      const i915 = i915_gem_load();
      const obj = (await i915_gem_object_create(i915, 4 * PAGE_SIZE))!;
      expect(obj.mm.pages_pin_count).toBeInstanceOf(atomic_t);
      expect(await i915_gem_object_get_pages(obj)).toBe(0);
      seen.push([atomic_read(obj.mm.pages_pin_count), can_release_pages(obj)]);
      expect(await i915_gem_object_pin_pages(obj)).toBe(0);
      seen.push([atomic_read(obj.mm.pages_pin_count), can_release_pages(obj)]);
      i915_gem_object_unpin_pages(obj);
      seen.push([atomic_read(obj.mm.pages_pin_count), can_release_pages(obj)]);
    });
    expect(seen).toEqual([[0, true], [1, false], [0, true]]);
  });

  it('cannot be replaced by another value or counter', async () => {
    let thrown: unknown = null;
    await run_in_kthread({}, async () => {
      const obj = (await i915_gem_object_create(i915_gem_load(), PAGE_SIZE))!;
      try {
        (obj.mm as { pages_pin_count: unknown }).pages_pin_count = new atomic_t(5);
      } catch (e) {
        thrown = e;
      }
    });
    expect(thrown).toBeInstanceOf(TypeError);
  });

  it('a relocation that counts its pin with a plain `.counter++` (red team 12\'s plain_pin_count) is a KCSAN data race', async () => {
    const plain_pin = async (i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> => {
      void i915;
      const err = await i915_gem_object_get_pages(obj);
      if (err) return err;
      obj.mm.pages_pin_count.counter++;
      const pages = obj.mm.pages!;
      sg_table_page(pages, 0, 'plain_pin');
      const relocs = await kmalloc(1024, GFP_KERNEL);
      relocate_entry(pages, 0, relocs!, 'plain_pin');
      kfree(relocs!);
      obj.mm.pages_pin_count.counter--;
      return 0;
    };
    const r = await run_relocation(DECISIVE_RELOCATION, plain_pin);
    expect(r.result.reports.map((x) => `${x.kind}: ${x.title}`)).toEqual(['bug: KCSAN: data-race: plain read of an atomic_t']);
    expect(r.value).toBeUndefined();
  });
});
