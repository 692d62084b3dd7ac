import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { model_filemap_populate_at_boot, filemap_create } from '../../kernel/mm/filemap';
import { GFP_KERNEL, GFP_NOWAIT, __GFP_NORETRY, __GFP_NOWARN } from '../../kernel/mm/gfp';
import { kswapd_thread } from '../../kernel/mm/kswapd';
import { LRU_ACTIVE_ANON, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, type page } from '../../kernel/mm/mm_types';
import { task_mm } from '../../kernel/mm/mmap';
import { alloc_page, zone } from '../../kernel/mm/page_alloc';
import { WRITEBACK_JIFFIES } from '../../kernel/mm/page_writeback';
import { lru_size, put_page } from '../../kernel/mm/swap';
import { nr_swap_used } from '../../kernel/mm/swapfile';
import { pgdat } from '../../kernel/mm/vmscan';
import { vm_events } from '../../kernel/mm/vmstat';
import { msleep } from '../../kernel/sched/core';
import { TASK_INTERRUPTIBLE, type task_struct } from '../../kernel/sched/task';
import { jiffies } from '../../kernel/time/timekeeping';
import { pinned_file_pages, run_in_kthread } from './mm_helpers';

describe('kswapd', () => {
  it('wakes below LOW, reclaims until free pages are above HIGH, then sleeps', async () => {
    let free_before = 0;
    let free_after = 0;
    let ks: task_struct | null = null;
    const r = await run_in_kthread(
      { totalram_pages: 1024, trace: true },
      async () => {
        // GFP_NOWAIT cannot reclaim itself: only kswapd can help.
        while (zone.free_pages >= zone.watermark[1]) await alloc_page(GFP_NOWAIT);
        free_before = zone.free_pages;
        await msleep(10);
        free_after = zone.free_pages;
        ks = kswapd_thread();
      },
      () => model_filemap_populate_at_boot(filemap_create('data'), 600),
    );
    expect(free_before).toBeLessThan(zone.watermark[1]);
    expect(free_after).toBeGreaterThan(zone.watermark[2]);
    expect(vm_events.pgsteal_kswapd).toBeGreaterThan(0);
    expect(vm_events.allocstall).toBe(0);
    expect(ks!.state).toBe(TASK_INTERRUPTIBLE);
    const ev = r.trace.map((e) => e.event);
    expect(ev).toContain('mm_vmscan_kswapd_wake');
    expect(ev.lastIndexOf('mm_vmscan_kswapd_sleep')).toBeGreaterThan(ev.indexOf('mm_vmscan_kswapd_wake'));
  });

  it('runs with PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD and a reclaim_state', async () => {
    let flags = 0;
    let rs: unknown = null;
    await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        while (zone.free_pages >= zone.watermark[1]) await alloc_page(GFP_NOWAIT);
        await msleep(1);
        flags = kswapd_thread()!.flags;
        rs = kswapd_thread()!.reclaim_state;
      },
      () => model_filemap_populate_at_boot(filemap_create('data'), 600),
    );
    expect(flags & 0x00820800).toBe(0x00820800);
    expect(rs).toEqual({ reclaimed_slab: 0 });
  });

  it('gives up on a node it cannot reclaim after MAX_RECLAIM_RETRIES runs, until reclaim succeeds again', async () => {
    let runs_when_hopeless = 0;
    let failures_after_direct_reclaim = -1;
    const r = await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        while (zone.free_pages >= zone.watermark[1]) await alloc_page(GFP_NOWAIT);
        for (let i = 0; i < 40; i++) {
          await alloc_page(GFP_NOWAIT | __GFP_NOWARN); // each one wakes kswapd (while it has hope)
          await msleep(1);
        }
        runs_when_hopeless = vm_events.pageoutrun;
        // Unpin the page cache: now direct reclaim can free it, which gives kswapd hope again.
        for (const p of pinned) put_page(p);
        await alloc_page(GFP_KERNEL);
        failures_after_direct_reclaim = pgdat.kswapd_failures;
      },
      () => {
        pinned = pinned_file_pages(500).pages;
      },
    );
    expect(r.stop).toBe('completed');
    expect(runs_when_hopeless).toBe(16);
    expect(failures_after_direct_reclaim).toBe(0);
  });
});

let pinned: page[] = [];

describe('LRU reclaim', () => {
  it('writes dirty file pages back before freeing them, waiting for the disk when that is all there is', async () => {
    let got = 0;
    let took = 0;
    const r = await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        const start = jiffies();
        for (let i = 0; i < 700; i++) if (await alloc_page(GFP_KERNEL)) got++;
        took = jiffies() - start;
      },
      () => model_filemap_populate_at_boot(filemap_create('data'), 600, true),
    );
    expect(r.reports).toEqual([]);
    expect(got).toBe(700);
    expect(took).toBeGreaterThanOrEqual(WRITEBACK_JIFFIES);
    expect(vm_events.pgsteal_direct + vm_events.pgsteal_kswapd).toBeGreaterThan(0);
  });

  it('puts pinned pages back: scanned, never freed', async () => {
    let failed = false;
    await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        while (zone.free_pages > zone.watermark[0]) await alloc_page(GFP_NOWAIT | __GFP_NOWARN);
        failed = (await alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)) === null;
      },
      () => {
        pinned_file_pages(400);
      },
    );
    expect(failed).toBe(true);
    expect(vm_events.pgscan_direct).toBeGreaterThan(0);
    expect(vm_events.pgsteal_direct).toBe(0);
    expect(lru_size(LRU_INACTIVE_FILE) + lru_size(LRU_INACTIVE_FILE + 1)).toBe(400);
  });

  it('without swap, anonymous memory is not even scanned', async () => {
    await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        while (zone.free_pages > zone.watermark[0]) await alloc_page(GFP_NOWAIT | __GFP_NOWARN);
        await alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
      },
      () => {
        user_task(async () => {}, 'owner', { rss_pages: 500 });
      },
    );
    expect(vm_events.allocstall).toBeGreaterThan(0);
    expect(vm_events.pgscan_direct + vm_events.pgscan_kswapd).toBe(0);
  });

  it('with swap, anonymous pages are written to swap and freed; the process keeps swap slots', async () => {
    let got = 0;
    let rss = -1;
    let swapents = -1;
    let swap_used = -1;
    const r = await start_kernel({ totalram_pages: 1024, swap_pages: 1024 }, () => {
      const owner = user_task(async () => {
        await msleep(10_000);
      }, 'owner', { rss_pages: 600 });
      user_task(async () => {
        for (let i = 0; i < 600; i++) if (await alloc_page(GFP_KERNEL)) got++;
        const mm = task_mm(owner)!;
        rss = mm.pages.size;
        swapents = mm.swap_slots.length;
        swap_used = nr_swap_used();
      }, 'allocator');
    });
    expect(r.reports.filter((x) => x.kind === 'oom')).toEqual([]);
    expect(got).toBe(600);
    expect(vm_events.pswpout).toBeGreaterThan(0);
    expect(swapents).toBeGreaterThan(0);
    expect(rss + swapents).toBe(600);
    expect(swap_used).toBeGreaterThanOrEqual(swapents);
    expect(lru_size(LRU_ACTIVE_ANON) + lru_size(LRU_INACTIVE_ANON)).toBe(0); // the owner has exited by now
  });

  it('kthread_run reclaimers and the allocator do not lose pages: free + LRU + isolated add up', async () => {
    let consistent = false;
    await start_kernel({ totalram_pages: 1024, swap_pages: 256 }, () => {
      model_filemap_populate_at_boot(filemap_create('data'), 300, true);
      user_task(async () => {
        await msleep(1000);
      }, 'owner', { rss_pages: 300 });
      kthread_run(async () => {
        const mine: page[] = [];
        for (let i = 0; i < 500; i++) {
          const p = await alloc_page(GFP_KERNEL | __GFP_NOWARN);
          if (p) mine.push(p);
        }
        await msleep(100); // let writeback finish
        const lru = [0, 1, 2, 3, 4].reduce((a, l) => a + lru_size(l), 0);
        consistent = zone.free_pages + lru + mine.length === 1024;
      }, 'allocator');
    });
    expect(consistent).toBe(true);
  });
});
