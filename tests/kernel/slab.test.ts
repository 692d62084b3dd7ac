import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { model_filemap_populate_at_boot, filemap_create } from '../../kernel/mm/filemap';
import { GFP_ATOMIC, GFP_KERNEL, __GFP_NOWARN } from '../../kernel/mm/gfp';
import type { page } from '../../kernel/mm/mm_types';
import { alloc_page, zone } from '../../kernel/mm/page_alloc';
import {
  failslab_set,
  kfree,
  kmalloc,
  kmem_cache_alloc,
  kmem_cache_create,
  kmem_cache_free,
  kmalloc_slab,
  kzalloc,
  model_slab_counted,
  type kmem_object,
} from '../../kernel/mm/slab';
import { register_shrinker } from '../../kernel/mm/vmscan';
import { node_stat, vm_events } from '../../kernel/mm/vmstat';
import { current } from '../../kernel/sched/core';
import { log_text, pinned_file_pages, run_in_kthread, test_shrinker } from './mm_helpers';

describe('kmalloc on slab pages', () => {
  it('packs 64 kmalloc-64 objects in one page; the 65th takes a second page', async () => {
    const free: number[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const objs: kmem_object[] = [];
      free.push(zone.free_pages);
      for (let i = 0; i < 64; i++) objs.push((await kmalloc(64, GFP_KERNEL))!);
      free.push(zone.free_pages);
      objs.push((await kzalloc(50, GFP_KERNEL))!); // 50 bytes: kmalloc-64 too
      free.push(zone.free_pages);
      expect(objs[64]!.cache_name).toBe('kmalloc-64');
      expect(kmalloc_slab(100).name).toBe('kmalloc-128');
    });
    expect(free).toEqual([1024, 1023, 1022]);
  });

  it('freeing the last object of a slab frees its page', async () => {
    const free: number[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const objs: kmem_object[] = [];
      for (let i = 0; i < 8; i++) objs.push((await kmalloc(512, GFP_KERNEL))!); // one page of kmalloc-512
      free.push(zone.free_pages);
      for (const o of objs.slice(1)) kfree(o);
      free.push(zone.free_pages);
      kfree(objs[0]!);
      free.push(zone.free_pages);
      free.push(node_stat.nr_slab);
    });
    expect(free).toEqual([1023, 1023, 1024, 0]);
  });

  it('counts a slab page freed during reclaim in current->reclaim_state->reclaimed_slab', async () => {
    const seen: number[] = [];
    const objs: kmem_object[] = [];
    const s = test_shrinker(
      () => objs.length,
      () => {
        const before = current.reclaim_state!.reclaimed_slab;
        for (const o of objs.splice(0)) kfree(o);
        seen.push(current.reclaim_state!.reclaimed_slab - before);
        return 0;
      },
    );
    await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        for (let i = 0; i < 16; i++) objs.push((await kmalloc(1024, GFP_KERNEL))!); // 4 pages of kmalloc-1024
        const keep: page[] = [];
        while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
        await alloc_page(GFP_KERNEL | __GFP_NOWARN); // direct reclaim calls the shrinker
      },
      () => {
        register_shrinker(s);
        pinned_file_pages(100);
      },
    );
    expect(seen[0]).toBe(4);
  });

  it("keeps its own record of the slab pages counted into each reclaim_state (model_slab_counted): a write to the field is not in it", async () => {
    const seen: number[][] = [];
    const objs: kmem_object[] = [];
    const s = test_shrinker(
      () => objs.length,
      () => {
        const field = current.reclaim_state!.reclaimed_slab;
        const record = model_slab_counted(current.reclaim_state!);
        for (const o of objs.splice(0)) kfree(o);
        current.reclaim_state!.reclaimed_slab += 10; // a shrinker claiming progress it did not make
        seen.push([current.reclaim_state!.reclaimed_slab - field, model_slab_counted(current.reclaim_state!) - record]);
        return 0;
      },
    );
    const r = await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        for (let i = 0; i < 16; i++) objs.push((await kmalloc(1024, GFP_KERNEL))!); // 4 pages of kmalloc-1024
        const keep: page[] = [];
        while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
        await alloc_page(GFP_KERNEL | __GFP_NOWARN); // direct reclaim calls the shrinker
      },
      () => {
        register_shrinker(s);
        pinned_file_pages(100);
      },
    );
    expect(seen[0]).toEqual([14, 4]);
    // shrink_node() compares the field with the record and warns (the model's instrument).
    expect(r.reports.filter((x) => x.kind === 'warn').map((x) => [x.title, ...x.lines].join('\n')).join('\n')).toContain('reclaimed_slab is 14, but the slab allocator freed 4 slab page(s)');
  });

  it('kmalloc(GFP_KERNEL) needing a new slab page can enter direct reclaim and succeeds', async () => {
    let got: kmem_object | null = null;
    await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        const keep: page[] = [];
        while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
        const stalls = vm_events.allocstall;
        got = await kmalloc(2048, GFP_KERNEL);
        expect(vm_events.allocstall).toBeGreaterThan(stalls);
      },
      () => model_filemap_populate_at_boot(filemap_create('data'), 300), // clean page cache to reclaim
    );
    expect(got).not.toBeNull();
    expect(vm_events.pgsteal_direct).toBeGreaterThan(0);
  });

  it('kmalloc(GFP_ATOMIC) with a slab that has room does not even reach the page allocator', async () => {
    const log: string[] = [];
    await start_kernel({}, () => {
      kthread_run(async () => {
        const a = (await kmalloc(256, GFP_KERNEL))!;
        const before = vm_events.pgalloc;
        for (let i = 0; i < 15; i++) await kmalloc(256, GFP_ATOMIC);
        log.push(`pgalloc +${vm_events.pgalloc - before}`);
        kfree(a);
      }, 'a');
    });
    expect(log).toEqual(['pgalloc +0']);
  });

  it('gives requests larger than a page whole pages (kmalloc_large)', async () => {
    const free: number[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const o = (await kmalloc(3 * 4096, GFP_KERNEL))!; // order 2
      free.push(zone.free_pages);
      kfree(o);
      free.push(zone.free_pages);
    });
    expect(free).toEqual([1020, 1024]);
  });

  it('fails chosen allocations with failslab', async () => {
    let got: kmem_object | null | undefined;
    try {
      await run_in_kthread({}, async () => {
        failslab_set((size) => size === 77);
        got = await kmalloc(77, GFP_KERNEL);
        expect(await kmalloc(78, GFP_KERNEL)).not.toBeNull();
      });
    } finally {
      failslab_set(null);
    }
    expect(got).toBeNull();
  });

  it('kmem_cache_create/alloc/free work on their own cache', async () => {
    const seen: string[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const c = kmem_cache_create('drm_i915_gem_object', 600);
      const a = (await kmem_cache_alloc(c, GFP_KERNEL))!;
      const b = (await kmem_cache_alloc(c, GFP_KERNEL))!;
      seen.push(a.cache_name, String(c.objs_per_slab), String(c.nr_objects));
      kmem_cache_free(c, a);
      kmem_cache_free(c, b);
      seen.push(String(c.nr_objects), String(c.nr_slabs));
    });
    expect(seen).toEqual(['drm_i915_gem_object', '6', '2', '0', '0']);
  });

  it('prints SLUB\'s "Unable to allocate memory" when a new slab page cannot be had', async () => {
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      user_task(async () => {
        const keep: page[] = [];
        while (zone.free_pages > 24) {
          const p = await alloc_page(GFP_ATOMIC | __GFP_NOWARN);
          if (!p) break;
          keep.push(p);
        }
        await kmalloc(4096, GFP_ATOMIC);
      }, 'atomic_user');
    });
    expect(log_text(r)).toContain('SLUB: Unable to allocate memory on node -1, gfp=0x1080020(GFP_ATOMIC)');
    expect(log_text(r)).toContain('  cache: kmalloc-4096, object size: 4096, buffer size: 4096, default order: 0, min order: 0');
  });
});
