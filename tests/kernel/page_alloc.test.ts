import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { mutex_init, mutex_lock, mutex_unlock } from '../../kernel/locking/mutex';
import { spin_lock, spin_lock_init, spin_unlock } from '../../kernel/locking/spinlock';
import { model_filemap_populate_at_boot, filemap_create } from '../../kernel/mm/filemap';
import { GFP_ATOMIC, GFP_KERNEL, GFP_NOWAIT, __GFP_NORETRY, __GFP_NOWARN } from '../../kernel/mm/gfp';
import { kswapd_thread } from '../../kernel/mm/kswapd';
import type { page } from '../../kernel/mm/mm_types';
import { __free_pages, alloc_page, alloc_pages, zone, zone_info } from '../../kernel/mm/page_alloc';
import { kmalloc } from '../../kernel/mm/slab';
import { register_shrinker } from '../../kernel/mm/vmscan';
import { vm_events } from '../../kernel/mm/vmstat';
import { cond_resched, current, msleep } from '../../kernel/sched/core';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../../kernel/sched/mm';
import { PF_MEMALLOC, PF_WQ_WORKER } from '../../kernel/sched/task';
import { log_text, pinned_file_pages, run_in_kthread, test_shrinker } from './mm_helpers';
import { print_ip_sym } from '../../kernel/lib/dump_stack';

/** Allocate order-0 pages with @gfp until the allocator says no; returns how many. */
async function drain(gfp: number, keep: page[] = []): Promise<number> {
  let n = 0;
  for (;;) {
    const p = await alloc_page(gfp);
    if (!p) return n;
    keep.push(p);
    n++;
  }
}

describe('zone watermarks (v4.11 __setup_per_zone_wmarks)', () => {
  it.each([
    // pages, min, low, high
    [4096, 128, 160, 192], // 16 MiB: min_free_kbytes = sqrt(16384*16) = 512
    [262144, 1024, 1286, 1548], // 1 GiB: 4096 kB; scale factor 262144*10/10000 = 262 > 1024/4
    [256, 32, 40, 48], // 1 MiB: clamped up to 128 kB
  ])('%i pages -> min %i, low %i, high %i', async (pages, min, low, high) => {
    await start_kernel({ totalram_pages: pages }, () => {});
    expect(zone_info()).toEqual({ free: pages, min, low, high, managed: pages });
  });
});

describe('the fast path and the atomic reserves', () => {
  it('allocates down to the LOW watermark on the fast path without waking kswapd', async () => {
    let started_kswapd = true;
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      while (zone.free_pages > zone.watermark[1] + 1) await alloc_page(GFP_KERNEL);
      started_kswapd = kswapd_thread() !== null;
    });
    expect(started_kswapd).toBe(false);
  });

  it('GFP_NOWAIT stops at MIN, GFP_ATOMIC dips to MIN - MIN/2 - MIN/4, and neither sleeps', async () => {
    const log: string[] = [];
    let nowait_left = 0;
    let atomic_left = 0;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      const lock = spin_lock_init('test_lock');
      kthread_run(async () => {
        // With a spinlock held, any sleep would be "sleeping function called from invalid context".
        spin_lock(lock);
        log.push('atomic start');
        await drain(GFP_NOWAIT);
        nowait_left = zone.free_pages;
        await drain(GFP_ATOMIC);
        atomic_left = zone.free_pages;
        log.push('atomic end');
        spin_unlock(lock);
      }, 'atomic');
      kthread_run(async () => {
        log.push('other');
      }, 'other');
    });
    expect(r.reports.filter((x) => x.kind === 'bug')).toEqual([]);
    // min 64: NOWAIT needs free > 64; ATOMIC: ALLOC_HIGH halves (32), ALLOC_HARDER takes a quarter (24).
    expect(nowait_left).toBe(64);
    expect(atomic_left).toBe(24);
    expect(log).toEqual(['atomic start', 'atomic end', 'other']);
    expect(vm_events.allocstall).toBe(0);
    const text = log_text(r);
    expect(text).toContain('atomic: page allocation failure: order:0, mode:0x1000000(GFP_NOWAIT), nodemask=(null)');
    expect(text).toContain('atomic: page allocation failure: order:0, mode:0x1080020(GFP_ATOMIC), nodemask=(null)');
  });

  it('fails silently with __GFP_NOWARN', async () => {
    const r = await run_in_kthread({ totalram_pages: 1024 }, async () => {
      await drain(GFP_ATOMIC | __GFP_NOWARN);
    });
    expect(log_text(r)).not.toContain('page allocation failure');
  });

  it('kmalloc(GFP_ATOMIC) never parks the task: no other task runs in between', async () => {
    const log: string[] = [];
    await start_kernel({ totalram_pages: 1024 }, () => {
      kthread_run(async () => {
        for (let i = 0; i < 2000; i++) if (!(await kmalloc(512, GFP_ATOMIC | __GFP_NOWARN))) break;
        log.push('a done');
      }, 'a');
      kthread_run(async () => {
        log.push('b');
      }, 'b');
    });
    expect(log).toEqual(['a done', 'b']);
  });

  it('supports small orders and returns a block with one reference', async () => {
    let free_after_free = 0;
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const p = (await alloc_pages(GFP_KERNEL, 2))!;
      expect(p.order).toBe(2);
      expect(p._refcount).toBe(1);
      expect(zone.free_pages).toBe(1020);
      __free_pages(p, 2);
      free_after_free = zone.free_pages;
    });
    expect(free_after_free).toBe(1024);
  });
});

describe('the slow path', () => {
  it('direct reclaim frees clean page cache and the allocation succeeds', async () => {
    let got = 0;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      model_filemap_populate_at_boot(filemap_create('data'), 600);
      user_task(async () => {
        for (let i = 0; i < 700; i++) if (await alloc_page(GFP_KERNEL)) got++;
      }, 'allocator');
    });
    expect(got).toBe(700);
    expect(r.reports).toEqual([]);
    expect(vm_events.allocstall).toBeGreaterThan(0);
    expect(vm_events.pgsteal_direct).toBeGreaterThan(0);
  });

  it('__GFP_NORETRY gives up after one reclaim attempt, without the OOM killer', async () => {
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      user_task(async () => {
        await drain(GFP_KERNEL | __GFP_NORETRY);
      }, 'allocator', { rss_pages: 500 });
    });
    expect(r.reports.filter((x) => x.kind === 'oom')).toEqual([]);
    expect(vm_events.allocstall).toBe(2); // one try_to_free_pages: a pass + the may_thrash pass
    expect(log_text(r)).toContain('allocator: page allocation failure: order:0, mode:0x14010c0(GFP_KERNEL|__GFP_NORETRY), nodemask=(null)');
  });

  it('a workqueue worker sleeps a tick between reclaim retries; other tasks only cond_resched', async () => {
    const elapsed: Record<string, number> = {};
    for (const wq of [false, true]) {
      await start_kernel({ totalram_pages: 1024 }, () => {
        pinned_file_pages(300);
        kthread_run(async () => {
          if (wq) current.flags |= PF_WQ_WORKER;
          await drain(GFP_KERNEL | __GFP_NOWARN); // ends in OOM: no user task -> panic, or victim
        }, wq ? 'kworker/0:1' : 'kthread');
        user_task(async () => {
          await msleep(100_000);
        }, 'victim', { rss_pages: 100 });
      }).then((r) => {
        const oom = r.reports.find((x) => x.kind === 'oom')!;
        elapsed[wq ? 'wq' : 'plain'] = Math.round(oom.ts_ns / 1_000_000) - 1000;
      });
    }
    // 15 retries, each after a one-jiffy sleep for the worker; the plain thread only
    // pays for its scanning (about 1 µs per model step).
    expect(elapsed.wq).toBeGreaterThanOrEqual(15);
    expect(elapsed.plain).toBeLessThan(10);
  });

  it('wakes kswapd when falling below LOW', async () => {
    let started = false;
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      await drain(GFP_NOWAIT | __GFP_NOWARN);
      started = kswapd_thread() !== null;
    });
    expect(started).toBe(true);
  });

  // "L held across a GFP_KERNEL allocation" and "L taken in a shrinker", first in reclaim, then across the allocation.
  const reclaim_then_hold = () => {
    const L = mutex_init('&dev->struct_mutex');
    register_shrinker(
      test_shrinker(
        async () => {
          await mutex_lock(L, 'test_shrinker_scan');
          mutex_unlock(L);
          return 0;
        },
        () => 0,
      ),
    );
    pinned_file_pages(100);
    kthread_run(async () => {
      // Reclaim calls the shrinker, which takes L.
      await drain(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
      // Then an allocation that may reclaim, under L.
      await mutex_lock(L, 'i915_ioctl');
      await kmalloc(64, GFP_KERNEL);
      mutex_unlock(L);
    }, 'i915');
  };

  it('v4.11 lockdep: L taken in a shrinker (IN-RECLAIM_FS) and then held across GFP_KERNEL (RECLAIM_FS-ON) is an inconsistent lock state', async () => {
    const r = await start_kernel({ totalram_pages: 1024 }, reclaim_then_hold);
    const splats = r.reports.filter((x) => x.kind === 'lockdep');
    expect(splats.map((x) => x.title)).toEqual(['inconsistent lock state']);
    expect(splats[0]!.lines).toContain('inconsistent {IN-RECLAIM_FS-W} -> {RECLAIM_FS-ON-W} usage.');
    expect(splats[0]!.lines).toContain(` (&dev->struct_mutex){+.+.?.}, at: ${print_ip_sym('i915_ioctl')}`);
    // kmalloc's slab hook (mm/slab.h) or the page allocator marked it: the ON bit is set by lockdep_trace_alloc.
    expect(splats[0]!.lines.join('\n')).not.toContain('fs_reclaim');
  });

  it('v4.14 lockdep: the same is a circular dependency through the fs_reclaim pseudo-lock', async () => {
    const r = await start_kernel({ totalram_pages: 1024, lockdep_release: '4.14' }, reclaim_then_hold);
    const splat = r.reports.find((x) => x.kind === 'lockdep');
    expect(splat?.title).toContain('possible circular locking dependency detected');
    expect(splat!.lines.join('\n')).toContain('fs_reclaim');
  });

  it('v4.11 lockdep: kswapd is in reclaim for its whole life, so a lock its shrinkers take is IN-RECLAIM_FS', async () => {
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      const L = mutex_init('&dev->struct_mutex');
      let calls = 0;
      register_shrinker(
        test_shrinker(
          async () => {
            if (current.comm === 'kswapd0') {
              await mutex_lock(L, 'test_shrinker_scan');
              mutex_unlock(L);
            }
            calls++;
            return 0;
          },
          () => 0,
        ),
      );
      pinned_file_pages(100);
      kthread_run(async () => {
        // Wake kswapd and let it reclaim, without reclaiming here.
        await drain(GFP_NOWAIT | __GFP_NOWARN);
        while (calls === 0) await msleep(1);
        await mutex_lock(L, 'i915_ioctl');
        await kmalloc(64, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
        mutex_unlock(L);
      }, 'i915');
    });
    const splats = r.reports.filter((x) => x.kind === 'lockdep');
    expect(splats.map((x) => x.title)).toEqual(['inconsistent lock state']);
    expect(splats[0]!.lines.join('\n')).toContain('{IN-RECLAIM_FS-W} state was registered at:\n  test_shrinker_scan\n  (model) taken in reclaim (GFP_KERNEL) by kswapd0/');
  });
});

describe('PF_MEMALLOC: no recursion into reclaim, access to the reserves', () => {
  it('a PF_MEMALLOC task does not enter direct reclaim and may take pages below MIN', async () => {
    let got = 0;
    const r = await run_in_kthread(
      { totalram_pages: 1024 },
      async () => {
        const flags = memalloc_noreclaim_save();
        got = await drain(GFP_KERNEL);
        memalloc_noreclaim_restore(flags);
      },
      () => {
        pinned_file_pages(500); // on the LRU: direct reclaim would scan them
      },
    );
    expect(vm_events.allocstall).toBe(0);
    expect(got).toBe(1024 - 500); // ALLOC_NO_WATERMARKS: every free page
    expect(log_text(r)).toContain('test: page allocation failure: order:0');
  });

  it('memalloc_noreclaim_save/restore nest: the inner restore keeps the outer PF_MEMALLOC', async () => {
    const seen: boolean[] = [];
    await run_in_kthread({}, async () => {
      const outer = memalloc_noreclaim_save();
      const inner = memalloc_noreclaim_save();
      memalloc_noreclaim_restore(inner);
      seen.push((current.flags & PF_MEMALLOC) !== 0);
      memalloc_noreclaim_restore(outer);
      seen.push((current.flags & PF_MEMALLOC) !== 0);
      await cond_resched();
    });
    expect(seen).toEqual([true, false]);
  });

  it('bug #8: blindly clearing PF_MEMALLOC inside reclaim lets the next allocation recurse into reclaim', async () => {
    const depth: Record<string, number> = {};
    for (const variant of ['save_restore', 'blind_clear']) {
      let in_shrinker = 0;
      let max_depth = 0;
      const s = test_shrinker(
        () => 100,
        async () => {
          if (current.comm !== 'test') return 0; // only the allocating task's nesting matters (not kswapd's)
          in_shrinker++;
          max_depth = Math.max(max_depth, in_shrinker);
          if (in_shrinker === 1) {
            // A helper called from the shrinker marks itself as reclaim...
            if (variant === 'save_restore') {
              const f = memalloc_noreclaim_save();
              memalloc_noreclaim_restore(f);
            } else {
              current.flags |= PF_MEMALLOC;
              current.flags &= ~PF_MEMALLOC;
            }
            // ...and then the shrinker allocates.
            await kmalloc(4096, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
          }
          in_shrinker--;
          return 0;
        },
      );
      await run_in_kthread(
        { totalram_pages: 1024 },
        async () => {
          await drain(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
        },
        () => {
          register_shrinker(s);
          pinned_file_pages(200);
        },
      );
      depth[variant] = max_depth;
    }
    expect(depth.save_restore).toBe(1);
    expect(depth.blind_clear).toBe(2);
  });
});

describe('determinism', () => {
  it('gives the same dmesg for the same seed', async () => {
    const once = async (): Promise<string[]> =>
      (
        await start_kernel({ totalram_pages: 1024, seed: 7 }, () => {
          model_filemap_populate_at_boot(filemap_create('data'), 300, true);
          user_task(async () => {
            await drain(GFP_KERNEL);
          }, 'hog', { rss_pages: 200 });
          user_task(async () => {
            await msleep(50);
          }, 'bystander', { rss_pages: 300 });
        })
      ).dmesg;
    const a = await once();
    const b = await once();
    expect(a.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });
});
