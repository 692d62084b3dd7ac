// The i915 GEM model on its own: where released pages go, what the shrinker
// may release, and the RCU + worker free path.
import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { I915_MADV_DONTNEED, I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND, __I915_MADV_PURGED } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_put } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_pin_to_display_plane,
  i915_gem_object_bind,
  i915_gem_object_create,
  sg_table_page,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
  model_i915_object_freed,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrink } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { zone } from '../../kernel/mm/page_alloc';
import { rcu_barrier, synchronize_rcu } from '../../kernel/rcu/update';
import { flush_work } from '../../kernel/workqueue';
import { gem_world, type gem_world as world } from '../../scenarios/i915_world';

/** Run @body in a task on a fresh machine with GEM loaded. */
async function with_gem(body: (w: world) => Promise<void>, params = {}): Promise<Awaited<ReturnType<typeof start_kernel>>> {
  return start_kernel({ totalram_pages: 512, ...params }, () => {
    const w = gem_world({ release: '4.12' });
    user_task(() => body(w), 'gem_test');
  });
}

async function object_with_pages(w: world, pages: number): Promise<drm_i915_gem_object> {
  const obj = await i915_gem_object_create(w.i915, pages * PAGE_SIZE);
  expect(obj).not.toBeNull();
  expect(await i915_gem_object_pin_pages(obj!)).toBe(0);
  i915_gem_object_unpin_pages(obj!);
  return obj!;
}

describe('i915 GEM objects', () => {
  it('counts shrunk pages in pages, and only truncation of a purgeable object frees them', async () => {
    const seen: Record<string, number> = {};
    const r = await with_gem(async (w) => {
      const keep = await object_with_pages(w, 8); // WILLNEED: pages go back to the page cache
      const purge = await object_with_pages(w, 8);
      i915_gem_object_set_madv(purge, I915_MADV_DONTNEED);
      await mutex_lock(w.i915.struct_mutex);
      const before = zone.free_pages;
      seen.purgeable = await i915_gem_shrink(w.i915, 100, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
      seen.freed_by_purge = zone.free_pages - before;
      mutex_unlock(w.i915.struct_mutex);
      seen.purged = purge.mm.madv === __I915_MADV_PURGED ? 1 : 0;
      seen.keep_has_pages = keep.mm.pages ? 1 : 0;
    }, { swap_pages: 64 });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({ purgeable: 8, freed_by_purge: 8, purged: 1, keep_has_pages: 1 });
  });

  it('with swap, releasing a WILLNEED object returns its pages to the LRU, not to the free list', async () => {
    const seen: number[] = [];
    await with_gem(async (w) => {
      const obj = await object_with_pages(w, 8);
      await mutex_lock(w.i915.struct_mutex);
      const before = zone.free_pages;
      seen.push(await i915_gem_shrink(w.i915, 100, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND));
      seen.push(zone.free_pages - before);
      mutex_unlock(w.i915.struct_mutex);
      seen.push(obj.mm.pages ? 1 : 0);
    }, { swap_pages: 64 });
    // 8 pages "freed" in i915's count, the object has no pages left, yet the
    // free list grew by at most the sg_table's slab page.
    expect(seen[0]).toBe(8);
    expect(seen[1]).toBeLessThanOrEqual(1);
    expect(seen[2]).toBe(0);
  });

  it('never releases pinned pages or pinned bindings, and without swap only purgeable objects', async () => {
    const verdicts: boolean[] = [];
    await with_gem(async (w) => {
      const pinned = await object_with_pages(w, 4);
      await i915_gem_object_pin_pages(pinned);
      const bound = await object_with_pages(w, 4);
      await i915_gem_object_bind(bound);
      const bound_and_pinned = await object_with_pages(w, 4);
      await i915_gem_object_bind(bound_and_pinned);
      i915_gem_object_pin_to_display_plane(bound_and_pinned);
      const willneed = await object_with_pages(w, 4);
      const dontneed = await object_with_pages(w, 4);
      i915_gem_object_set_madv(dontneed, I915_MADV_DONTNEED);
      verdicts.push(can_release_pages(pinned), can_release_pages(bound), can_release_pages(bound_and_pinned), can_release_pages(willneed), can_release_pages(dontneed));
    }); // no swap
    expect(verdicts).toEqual([false, false, false, false, true]);
  });

  it('a grace period and rcu_barrier do not mean the object is freed: its worker needs struct_mutex', async () => {
    const seen: Record<string, number> = {};
    const r = await with_gem(async (w) => {
      const obj = await object_with_pages(w, 4);
      await mutex_lock(w.i915.struct_mutex);
      i915_gem_object_put(obj);
      await synchronize_rcu();
      await rcu_barrier(); // the RCU callback has run: the object is queued, the work too
      seen.freed_under_lock = model_i915_object_freed(obj) ? 1 : 0;
      seen.waiting = w.i915.mm.free_count;
      mutex_unlock(w.i915.struct_mutex);
      await flush_work(w.i915.mm.free_work); // only this waits for the memory to come back
      seen.freed_after_flush = model_i915_object_freed(obj) ? 1 : 0;
      seen.left = w.i915.mm.free_count;
    });
    expect(r.stop).toBe('completed');
    expect(seen).toEqual({ freed_under_lock: 0, waiting: 1, freed_after_flush: 1, left: 0 });
  });

  it('KASAN reports a read of an object\'s pages after the shrinker dropped them', async () => {
    const r = await with_gem(async (w) => {
      const obj = await object_with_pages(w, 4);
      i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
      const sg = obj.mm.pages;
      await mutex_lock(w.i915.struct_mutex);
      await i915_gem_shrink(w.i915, 100, I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
      mutex_unlock(w.i915.struct_mutex);
      // A caller that kept the old sg_table (the "pin before alloc" bug) reads it:
      sg_table_page(sg!, 0, 'i915_gem_object_get_page');
    });
    expect(r.reports.map((x) => x.kind)).toContain('kasan');
    expect(r.dmesg.join('\n')).toContain('BUG: KASAN: use-after-free in i915_gem_object_get_page');
  });
});
