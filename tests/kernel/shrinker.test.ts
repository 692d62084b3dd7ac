import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { atomic_long_set } from '../../kernel/lib/atomic';
import { down_write, up_write } from '../../kernel/locking/rwsem';
import { failslab_set } from '../../kernel/mm/failslab';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { alloc_page, zone } from '../../kernel/mm/page_alloc';
import { kfree, kmalloc, type kmem_object } from '../../kernel/mm/slab';
import {
  do_shrink_slab,
  drop_slab,
  register_shrinker,
  shrink_slab,
  shrinker_nr_deferred,
  shrinker_rwsem,
  SHRINK_STOP,
  unregister_shrinker,
  type shrink_control,
  type shrinker,
} from '../../kernel/mm/vmscan';
import { vm_events } from '../../kernel/mm/vmstat';
import { msleep } from '../../kernel/sched/core';
import { log_text, pinned_file_pages, run_in_kthread, test_shrinker } from './mm_helpers';

const sc0 = (): shrink_control => ({ gfp_mask: GFP_KERNEL, nid: 0, memcg: null, nr_to_scan: 0 });

/** Register @s in setup, run @body in a task, return the run. */
async function with_shrinker(s: shrinker, body: () => Promise<void>): Promise<void> {
  await run_in_kthread({}, body, () => {
    expect(register_shrinker(s)).toBe(0);
  });
}

describe('do_shrink_slab: the v4.11 arithmetic', () => {
  it('asks for delta = (4*nr_scanned/seeks)*freeable/(nr_eligible+1) in batches of 128 and defers the rest', async () => {
    // freeable 1000, 100 of 999 LRU pages scanned: delta = 200*1000/1000 = 200.
    // 200 < 1000/4, so anti-windup caps at 500 (no effect). One batch of 128; 72 deferred.
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
    );
    const freed: number[] = [];
    await with_shrinker(s, async () => {
      freed.push(await do_shrink_slab(sc0(), s, 100, 999));
      expect(shrinker_nr_deferred(s)).toBe(72);
      // The next call claims the 72: total 272 -> two batches, 16 deferred.
      freed.push(await do_shrink_slab(sc0(), s, 100, 999));
      expect(shrinker_nr_deferred(s)).toBe(16);
    });
    expect(s.scans).toEqual([128, 128, 128]);
    expect(freed).toEqual([128, 256]);
  });

  it('halves delta when seeks doubles', async () => {
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
      { seeks: 4, batch: 10 },
    );
    await with_shrinker(s, async () => {
      await do_shrink_slab(sc0(), s, 100, 999); // delta = (400/4)*1000/1000 = 100
    });
    expect(s.scans.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('uses the shrinker batch size when set', async () => {
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
      { batch: 50 },
    );
    await with_shrinker(s, async () => {
      await do_shrink_slab(sc0(), s, 100, 999); // total_scan 200 = 4 x 50
      expect(shrinker_nr_deferred(s)).toBe(0);
    });
    expect(s.scans).toEqual([50, 50, 50, 50]);
  });

  it('anti-windup: with little fresh pressure, deferred work may empty at most half the cache', async () => {
    // nr_deferred 10000 (wound up by NOFS callers), delta = 20*1000/1000 = 20 < 250:
    // total_scan = min(10020, 500) = 500 -> three batches (384), 116 left unscanned.
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
    );
    await with_shrinker(s, async () => {
      atomic_long_set(s.nr_deferred![0]!, 10000);
      await do_shrink_slab(sc0(), s, 10, 999);
      expect(shrinker_nr_deferred(s)).toBe(10020 - 384);
    });
    expect(s.scans).toEqual([128, 128, 128]);
  });

  it('never scans more than twice the cache in one call (and defers the excess)', async () => {
    // freeable 100, nr_scanned 1000 of 99: delta = 2000*100/100 = 2000 -> capped to 200.
    // 200 -> one batch of 128, then 72 < 100 and < 128: stop. next_deferred = 2000 - 128.
    const s = test_shrinker(
      () => 100,
      (sc) => sc.nr_to_scan,
    );
    await with_shrinker(s, async () => {
      await do_shrink_slab(sc0(), s, 1000, 99);
      expect(shrinker_nr_deferred(s)).toBe(1872);
    });
    expect(s.scans).toEqual([128]);
  });

  it('scans a cache smaller than one batch thanks to the ">= freeable" clause', async () => {
    // freeable 50: delta = 64*50/32 = 100 >= 50 -> one call of min(128, 100) = 100.
    const s = test_shrinker(
      () => 50,
      (sc) => sc.nr_to_scan,
    );
    await with_shrinker(s, async () => {
      await do_shrink_slab(sc0(), s, 32, 31);
      expect(shrinker_nr_deferred(s)).toBe(0);
    });
    expect(s.scans).toEqual([100]);
  });

  it('SHRINK_STOP ends the loop and leaves the unscanned remainder in nr_deferred', async () => {
    // delta = 2000*1000/1000 = 2000. First batch scanned, the second returns SHRINK_STOP.
    let calls = 0;
    const s = test_shrinker(
      () => 1000,
      (sc) => (++calls === 2 ? SHRINK_STOP : sc.nr_to_scan),
    );
    let freed = -1;
    await with_shrinker(s, async () => {
      freed = await do_shrink_slab(sc0(), s, 1000, 999);
      expect(shrinker_nr_deferred(s)).toBe(2000 - 128);
    });
    expect(s.scans).toEqual([128, 128]);
    expect(freed).toBe(128);
  });

  it('a scan that returns 0 still uses up total_scan: the work is not deferred (bug #6)', async () => {
    const s = test_shrinker(
      () => 1000,
      () => 0,
    );
    let slabs_scanned = 0;
    await with_shrinker(s, async () => {
      await do_shrink_slab(sc0(), s, 1000, 999);
      // 15 batches consume 1920 of 2000; 80 is left (< batch, < freeable).
      expect(shrinker_nr_deferred(s)).toBe(80);
      slabs_scanned = vm_events.slabs_scanned;
    });
    expect(s.scans.length).toBe(15);
    expect(slabs_scanned).toBe(1920);
  });

  it('count_objects returning 0 skips the scan and leaves nr_deferred untouched (bug #5)', async () => {
    const s = test_shrinker(
      () => 0,
      (sc) => sc.nr_to_scan,
    );
    let freed = -1;
    await with_shrinker(s, async () => {
      atomic_long_set(s.nr_deferred![0]!, 500);
      freed = await do_shrink_slab(sc0(), s, 1000, 999);
      expect(shrinker_nr_deferred(s)).toBe(500);
    });
    expect(freed).toBe(0);
    expect(s.scans).toEqual([]);
  });

  it('prints "negative objects to delete" and scans freeable when total_scan goes negative', async () => {
    const s = test_shrinker(
      () => 200,
      (sc) => sc.nr_to_scan,
      { name: 'bad_shrinker_scan' },
    );
    const r = await run_in_kthread(
      {},
      async () => {
        atomic_long_set(s.nr_deferred![0]!, -5000);
        await do_shrink_slab(sc0(), s, 100, 999); // delta = 200*200/1000 = 40
      },
      () => register_shrinker(s),
    );
    expect(log_text(r)).toContain('shrink_slab: bad_shrinker_scan negative objects to delete nr=-4960');
    // total_scan = freeable = 200, then anti-windup (40 < 50): min(200, 100) = 100 -> not >= 128, not >= 200.
    expect(s.scans).toEqual([]);
  });

  it('async count and scan callbacks are awaited', async () => {
    const s = test_shrinker(
      async () => {
        await msleep(1);
        return 300;
      },
      async (sc) => {
        await msleep(1);
        return sc.nr_to_scan;
      },
    );
    let freed = 0;
    await with_shrinker(s, async () => {
      freed = await do_shrink_slab(sc0(), s, 1000, 999);
    });
    // delta = 2000*300/1000 = 600 -> cap 600: 128 x 4 = 512, 88 left (< 128, < 300).
    expect(s.scans).toEqual([128, 128, 128, 128]);
    expect(freed).toBe(512);
  });
});

describe('shrink_slab', () => {
  it('uses SWAP_CLUSTER_MAX when no LRU page was scanned', async () => {
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
    );
    await with_shrinker(s, async () => {
      await shrink_slab(GFP_KERNEL, 0, null, 0, 31); // delta = (4*32/2)*1000/32 = 2000
      expect(shrinker_nr_deferred(s)).toBe(80);
    });
    expect(s.scans.length).toBe(15);
  });

  it('returns 1 without calling any shrinker when shrinker_rwsem is held for writing', async () => {
    const s = test_shrinker(
      () => 1000,
      (sc) => sc.nr_to_scan,
    );
    let ret = -1;
    const r = await start_kernel({}, () => {
      register_shrinker(s);
      user_task(async () => {
        await down_write(shrinker_rwsem);
        await msleep(10);
        up_write(shrinker_rwsem);
      }, 'writer');
      user_task(async () => {
        await msleep(1);
        ret = await shrink_slab(GFP_KERNEL, 0, null, 100, 100);
      }, 'reclaimer');
    });
    expect(r.stop).toBe('completed');
    expect(ret).toBe(1);
    expect(s.counts).toBe(0);
  });

  it('unregister_shrinker waits for a shrink_slab walk in progress', async () => {
    const log: string[] = [];
    const s = test_shrinker(
      () => 10,
      async (sc) => {
        log.push('scan start');
        await msleep(5);
        log.push('scan end');
        return sc.nr_to_scan;
      },
    );
    const r = await start_kernel({}, () => {
      register_shrinker(s);
      user_task(async () => {
        await shrink_slab(GFP_KERNEL, 0, null, 100, 100);
      }, 'reclaimer');
      user_task(async () => {
        await msleep(1);
        await unregister_shrinker(s);
        log.push('unregistered');
      }, 'remover');
    });
    expect(r.stop).toBe('completed');
    expect(log).toEqual(['scan start', 'scan end', 'unregistered']);
  });

  it('register_shrinker fails with -ENOMEM when nr_deferred cannot be allocated', async () => {
    const s = test_shrinker(
      () => 1,
      () => 1,
    );
    let ret = 0;
    await start_kernel({}, () => {
      failslab_set(() => true);
      ret = register_shrinker(s);
    });
    expect(ret).toBe(-12);
  });

  it('drop_slab calls the shrinkers until a pass frees 10 objects or fewer', async () => {
    let objects = 1000;
    const s = test_shrinker(
      () => objects,
      (sc) => {
        const n = Math.min(objects, Math.ceil(sc.nr_to_scan / 2));
        objects -= n;
        return n;
      },
    );
    await with_shrinker(s, async () => {
      await drop_slab();
    });
    expect(objects).toBeLessThan(50);
    expect(s.counts).toBeGreaterThan(1);
  });
});

describe('what reclaim counts as progress', () => {
  it("a shrinker's return value is not progress: it claims to free, frees nothing, and the allocation OOMs after 16 rounds", async () => {
    // The LRU holds pinned pages (reclaimable on paper, never freed), the
    // shrinker "frees" whatever it is asked to. v4.11 counts neither.
    const s = test_shrinker(
      () => 10_000,
      (sc) => sc.nr_to_scan,
    );
    let got: unknown = 'unset';
    const r = await start_kernel({ totalram_pages: 1024, trace: true }, () => {
      register_shrinker(s);
      pinned_file_pages(300);
      user_task(async () => {
        await msleep(10_000);
      }, 'victim', { rss_pages: 400 });
      user_task(async () => {
        while (zone.free_pages > zone.watermark[0]) await alloc_page(GFP_KERNEL);
        got = await alloc_page(GFP_KERNEL);
      }, 'allocator');
    });
    expect(r.stop).toBe('completed');
    expect(s.scans.length).toBeGreaterThan(0);
    // 16 direct reclaim rounds freed nothing; after the 16th, should_reclaim_retry
    // gives up (free + reclaimable * (1 - 16/16) no longer meets MIN) and the OOM killer runs.
    const mine = r.trace.filter((e) => e.comm === 'allocator');
    const oom_at = mine.findIndex((e) => e.event === 'report');
    const before = mine.slice(0, oom_at);
    const ends = before.filter((e) => e.event === 'mm_vmscan_direct_reclaim_end');
    expect(ends.length).toBe(16);
    expect(ends.every((e) => e.fields.nr_reclaimed === 0)).toBe(true);
    const retries = before.filter((e) => e.event === 'reclaim_retry_zone');
    expect(retries.map((e) => e.fields.no_progress_loops)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(retries.at(-1)!.fields.wmark_check).toBe(false);
    const oom = r.reports.filter((x) => x.kind === 'oom');
    expect(oom.length).toBe(1);
    expect(oom[0]!.title).toBe('Killed process 1 (victim)');
    expect(got).not.toBeNull();
  });

  it('slab pages actually freed by a shrinker are progress: the allocation succeeds without OOM', async () => {
    // The shrinker owns 64 one-page kmalloc objects and frees them on request;
    // each kfree during reclaim counts in reclaim_state->reclaimed_slab.
    const objs: kmem_object[] = [];
    const s = test_shrinker(
      () => objs.length,
      (sc) => {
        let n = 0;
        while (n < sc.nr_to_scan && objs.length) {
          kfree(objs.pop()!);
          n++;
        }
        return n;
      },
    );
    let got: unknown = null;
    const r = await start_kernel({ totalram_pages: 1024, trace: true }, () => {
      register_shrinker(s);
      user_task(async () => {
        for (let i = 0; i < 64; i++) objs.push((await kmalloc(4096, GFP_KERNEL))!);
        while (zone.free_pages > zone.watermark[0]) await alloc_page(GFP_KERNEL);
        got = await alloc_page(GFP_KERNEL);
      }, 'allocator', { rss_pages: 400 });
    });
    expect(r.stop).toBe('completed');
    expect(got).not.toBeNull();
    expect(r.reports.filter((x) => x.kind === 'oom')).toEqual([]);
    const ends = r.trace.filter((e) => e.event === 'mm_vmscan_direct_reclaim_end');
    expect(ends.length).toBeGreaterThan(0);
    expect(ends[0]!.fields.nr_reclaimed).toBeGreaterThan(0);
  });
});
