// Huge GEM objects: an object of 2^21 pages (8 GiB) on a 64 GiB machine is
// created, pinned, bound, purged and freed as a few blocks (kernel/mm/
// shmem_range.ts, i915_gem_sg_blocks.ts) instead of a struct page per page,
// so a check can put one among its workloads (red team 13's "huge sizes").
// Every page is still counted out of the zone and back; an allocation that
// fails part-way puts everything back (-ENOMEM). Budgets are model steps and
// allocation counts, never wall clock.
import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { I915_MADV_DONTNEED, I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND, __I915_MADV_PURGED } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_put } from '../../kernel/drivers/gpu/drm/i915/i915_gem';
import {
  i915_gem_object_bind,
  i915_gem_object_create,
  i915_gem_object_get_page,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unbind,
  i915_gem_object_unpin_pages,
  model_i915_object_freed,
  PAGE_SIZE,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrink } from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { atomic_read } from '../../kernel/lib/atomic';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { fail_page_alloc_set } from '../../kernel/mm/fail_page_alloc';
import { zone } from '../../kernel/mm/page_alloc';
import { shmem_nr_pages_resident } from '../../kernel/mm/shmem';
import { rcu_barrier } from '../../kernel/rcu/update';
import { flush_work } from '../../kernel/workqueue';
import { gem_world } from '../../scenarios/i915_world';

const GiB = 262_144; // pages
const HUGE = 2 ** 21; // 8 GiB

describe('huge GEM objects', () => {
  it('creates, binds, purges and frees a 2^21-page object on a 64 GiB machine: pages conserved, no soft lockup', async () => {
    const seen: Record<string, unknown> = {};
    let allocations = 0;
    const r = await start_kernel({ totalram_pages: 64 * GiB }, () => {
      const w = gem_world({ release: '4.12' });
      fail_page_alloc_set(() => {
        allocations++;
        return false;
      });
      user_task(async () => {
        const free_at_start = zone.free_pages;
        const obj = (await i915_gem_object_create(w.i915, HUGE * PAGE_SIZE))!;
        const before_pages = zone.free_pages;
        seen.bind = await i915_gem_object_bind(obj);
        seen.taken = before_pages - zone.free_pages; // the pages, and the sg_table's slab page(s)
        seen.entries = obj.mm.pages!.blocks!.length;
        seen.listed = obj.mm.pages!.pages.length;
        seen.resident = shmem_nr_pages_resident(obj.base.filp);
        const last = i915_gem_object_get_page(obj, HUGE - 1, 'test')!;
        const first = i915_gem_object_get_page(obj, 0, 'test')!;
        seen.last_frame = last.pfn - first.pfn;
        seen.same_struct_page = i915_gem_object_get_page(obj, HUGE - 1, 'test') === last;
        seen.pins = atomic_read(obj.mm.pages_pin_count);
        seen.write_refused = (() => {
          try {
            (obj.mm.pages!.pages as unknown as Record<number, null>)[5] = null;
            return false;
          } catch {
            return true;
          }
        })();
        await mutex_lock(w.i915.struct_mutex);
        seen.unbind = i915_gem_object_unbind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        const before_purge = zone.free_pages;
        seen.shrunk = await i915_gem_shrink(w.i915, HUGE, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
        seen.freed_by_purge = zone.free_pages - before_purge;
        mutex_unlock(w.i915.struct_mutex);
        seen.purged = obj.mm.madv === __I915_MADV_PURGED;
        seen.resident_after = shmem_nr_pages_resident(obj.base.filp);
        seen.tail_freed = last.freed; // a tail page made on demand is freed with its block (KASAN's view)
        i915_gem_object_put(obj);
        await rcu_barrier();
        await flush_work(w.i915.mm.free_work);
        await rcu_barrier();
        seen.freed = model_i915_object_freed(obj);
        seen.free_back = zone.free_pages - free_at_start; // slab pages the allocator keeps cached only
      }, 'huge_test');
    });
    expect(r.reports.map((x) => x.title)).toEqual([]);
    expect(r.stop).toBe('completed');
    expect(seen).toMatchObject({
      bind: 0,
      entries: HUGE / 1024, // blocks of MAX_ORDER - 1
      listed: HUGE,
      resident: HUGE,
      last_frame: HUGE - 1,
      same_struct_page: true,
      pins: 1,
      write_refused: true,
      unbind: 0,
      shrunk: HUGE,
      purged: true,
      resident_after: 0,
      tail_freed: true,
      freed: true,
    });
    expect(seen.taken).toBeGreaterThanOrEqual(HUGE);
    expect(seen.taken).toBeLessThanOrEqual(HUGE + 16);
    // The purge gives back exactly what the bind took: the object's pages and its sg_table's.
    expect(seen.freed_by_purge).toBe(seen.taken);
    expect(seen.free_back).toBeLessThanOrEqual(0);
    expect(seen.free_back).toBeGreaterThanOrEqual(-16);
    // The budget, in the model's own units: a few thousand allocations and scheduler steps, not millions.
    expect(allocations).toBeLessThan(HUGE / 1024 + 64);
    expect(r.steps).toBeLessThan(1000);
  });

  it('a needed (WILLNEED) object put by the shrinker keeps its pages in the shmem file; the next pin takes them again', async () => {
    const seen: Record<string, unknown> = {};
    const r = await start_kernel({ totalram_pages: 16 * GiB, swap_pages: 16 * GiB } /* swap: a needed object's pages may be released */, () => {
      const w = gem_world({ release: '4.12' });
      user_task(async () => {
        const obj = (await i915_gem_object_create(w.i915, HUGE * PAGE_SIZE))!;
        seen.pin = await i915_gem_object_pin_pages(obj);
        i915_gem_object_unpin_pages(obj);
        const before = zone.free_pages;
        await mutex_lock(w.i915.struct_mutex);
        seen.shrunk = await i915_gem_shrink(w.i915, HUGE, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
        mutex_unlock(w.i915.struct_mutex);
        seen.has_pages = obj.mm.pages !== null;
        seen.freed = zone.free_pages - before; // the sg_table only: the pages stay allocated, in the file
        seen.resident = shmem_nr_pages_resident(obj.base.filp);
        const again = zone.free_pages;
        seen.repin = await i915_gem_object_pin_pages(obj);
        seen.taken_again = again - zone.free_pages; // the new sg_table only
        seen.listed = obj.mm.pages?.pages.length;
        i915_gem_object_unpin_pages(obj);
      }, 'huge_willneed');
    });
    expect(r.reports.map((x) => x.title)).toEqual([]);
    expect(r.stop).toBe('completed');
    expect(seen).toMatchObject({ pin: 0, shrunk: HUGE, has_pages: false, resident: HUGE, repin: 0, listed: HUGE });
    expect(seen.freed).toBeLessThanOrEqual(16);
    expect(seen.taken_again).toBe(seen.freed);
  });

  it('an allocation failing part-way returns -ENOMEM and puts every page back', async () => {
    const seen: Record<string, unknown> = {};
    const r = await start_kernel({ totalram_pages: 16 * GiB }, () => {
      const w = gem_world({ release: '4.12' });
      user_task(async () => {
        const obj = (await i915_gem_object_create(w.i915, HUGE * PAGE_SIZE))!;
        let n = 0;
        fail_page_alloc_set(() => ++n > 1000); // 1000 blocks in, every allocation fails (fault injection, no reclaim)
        const before = zone.free_pages;
        seen.err = await i915_gem_object_pin_pages(obj);
        fail_page_alloc_set(null);
        seen.back = zone.free_pages - before;
        seen.has_pages = obj.mm.pages !== null;
        seen.resident = shmem_nr_pages_resident(obj.base.filp);
        // And it can be populated afterwards: nothing was left half-held.
        seen.retry = await i915_gem_object_pin_pages(obj);
        seen.taken = before - zone.free_pages;
        i915_gem_object_unpin_pages(obj);
      }, 'huge_enomem');
    });
    expect(r.reports.map((x) => x.title)).toEqual([]);
    expect(r.stop).toBe('completed');
    expect(seen).toMatchObject({ err: -12, back: 0, has_pages: false, resident: 0, retry: 0 });
    expect(seen.taken).toBeGreaterThanOrEqual(HUGE);
    expect(seen.taken).toBeLessThanOrEqual(HUGE + 16);
  });
});
