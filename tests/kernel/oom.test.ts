import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { user_task } from '../../kernel/fork';
import { kthread_run } from '../../kernel/kthread';
import { GFP_KERNEL, GFP_NOFS } from '../../kernel/mm/gfp';
import type { page } from '../../kernel/mm/mm_types';
import { register_oom_notifier, unregister_oom_notifier, NOTIFY_OK, type notifier_block } from '../../kernel/mm/oom_kill';
import { __free_pages, alloc_page, zone } from '../../kernel/mm/page_alloc';
import { vm_events } from '../../kernel/mm/vmstat';
import { msleep, schedule_timeout_killable } from '../../kernel/sched/core';
import type { task_struct } from '../../kernel/sched/task';
import { jiffies } from '../../kernel/time/timekeeping';
import { log_text } from './mm_helpers';

/** Allocate until free pages are at MIN (the fast path and atomic-free zone), keeping the pages. */
async function fill_to_min(keep: page[]): Promise<void> {
  while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
}

describe('the OOM killer', () => {
  it('kills the largest user task, frees its memory at once, and the allocation succeeds', async () => {
    let got: page | null = null;
    let small: task_struct | null = null;
    let big: task_struct | null = null;
    let free_after = 0;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      small = user_task(async () => {
        await msleep(100_000);
      }, 'small', { rss_pages: 100 });
      big = user_task(async () => {
        await schedule_timeout_killable(100_000); // a killable sleep: SIGKILL wakes it
      }, 'big', { rss_pages: 500 });
      kthread_run(async () => {
        const keep: page[] = [];
        await fill_to_min(keep);
        got = await alloc_page(GFP_KERNEL);
        free_after = zone.free_pages;
      }, 'allocator');
    });
    expect(got).not.toBeNull();
    const oom = r.reports.filter((x) => x.kind === 'oom');
    expect(oom.map((x) => x.title)).toEqual(['Killed process 2 (big)']);
    const text = oom[0]!.lines.join('\n');
    expect(text).toContain('allocator invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null),  order=0, oom_score_adj=0');
    // score = 500 * 1000 / (1024 RAM + 0 swap)
    expect(text).toContain('Out of memory: Kill process 2 (big) score 488 or sacrifice child');
    expect(text).toContain('Killed process 2 (big) total-vm:2000kB, anon-rss:2000kB, file-rss:0kB, shmem-rss:0kB');
    expect(log_text(r)).toContain('oom_reaper: reaped process 2 (big), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB');
    expect(big!.sigkill_pending).toBe(true);
    expect(small!.sigkill_pending).toBe(false);
    expect(big!.exit_state).not.toBe('running'); // woken from its killable sleep, it exited
    expect(free_after).toBeGreaterThan(400);
    expect(vm_events.oom_kill).toBe(1);
  });

  it('does not kill when an OOM notifier frees pages (freed > 0 counts as progress)', async () => {
    const hoard: page[] = [];
    let calls = 0;
    let got: page | null = null;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      const nb: notifier_block = {
        notifier_call: async (_nb, _event, freed) => {
          calls++;
          await msleep(1); // the chain is a blocking one: callbacks may sleep
          for (const p of hoard.splice(0)) {
            __free_pages(p, 0);
            freed.value++;
          }
          return NOTIFY_OK;
        },
      };
      register_oom_notifier(nb);
      user_task(async () => {
        await msleep(100_000);
      }, 'bystander', { rss_pages: 300 });
      kthread_run(async () => {
        for (let i = 0; i < 200; i++) hoard.push((await alloc_page(GFP_KERNEL))!);
        const keep: page[] = [];
        await fill_to_min(keep);
        got = await alloc_page(GFP_KERNEL);
      }, 'allocator');
    });
    expect(calls).toBe(1);
    expect(got).not.toBeNull();
    expect(r.reports.filter((x) => x.kind === 'oom')).toEqual([]);
  });

  it('a notifier that frees nothing does not prevent the kill; unregistered notifiers are not called', async () => {
    let a = 0;
    let b = 0;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      const na: notifier_block = { notifier_call: () => (a++, 0) };
      const nb: notifier_block = { notifier_call: () => (b++, 0) };
      register_oom_notifier(na);
      register_oom_notifier(nb);
      unregister_oom_notifier(nb);
      user_task(async () => {
        await msleep(100_000);
      }, 'victim', { rss_pages: 300 });
      kthread_run(async () => {
        const keep: page[] = [];
        await fill_to_min(keep);
        await alloc_page(GFP_KERNEL);
      }, 'allocator');
    });
    expect(a).toBe(1);
    expect(b).toBe(0);
    expect(r.reports.filter((x) => x.kind === 'oom').map((x) => x.title)).toEqual(['Killed process 1 (victim)']);
  });

  it('an allocation without __GFP_FS never kills: it keeps retrying until memory comes back', async () => {
    const keep: page[] = [];
    let got_at = -1;
    let released_at = -1;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      user_task(async () => {
        await msleep(100_000);
      }, 'bystander', { rss_pages: 300 });
      kthread_run(async () => {
        await fill_to_min(keep);
        const p = await alloc_page(GFP_NOFS);
        got_at = jiffies();
        expect(p).not.toBeNull();
      }, 'fs_writer');
      kthread_run(async () => {
        await msleep(5);
        released_at = jiffies();
        for (const p of keep.splice(0, 100)) __free_pages(p, 0);
      }, 'releaser');
    });
    expect(r.reports.filter((x) => x.kind === 'oom')).toEqual([]);
    expect(got_at).toBeGreaterThanOrEqual(released_at);
    expect(vm_events.oom_kill).toBe(0);
  });

  it('panics "Out of memory and no killable processes..." when only kernel threads are left', async () => {
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      kthread_run(async () => {
        const keep: page[] = [];
        await fill_to_min(keep);
        await alloc_page(GFP_KERNEL);
      }, 'kthread_hog');
    });
    expect(r.stop).toBe('oom');
    const panic = r.reports.find((x) => x.kind === 'oom')!;
    expect(panic.title).toBe('Out of memory and no killable processes...');
    expect(log_text(r)).toContain('Kernel panic - not syncing: Out of memory and no killable processes...');
  });

  it('an OOM victim: its triggering allocation fails (TIF_MEMDIE -> nopage), later ones may use every free page', async () => {
    let first: page | null | undefined;
    let victim_got = -1;
    const r = await start_kernel({ totalram_pages: 1024 }, () => {
      user_task(
        async () => {
          const keep: page[] = [];
          await fill_to_min(keep);
          // The biggest (only) user task: this allocation OOM-kills the task itself.
          first = await alloc_page(GFP_KERNEL);
          let n = 0;
          while (await alloc_page(GFP_KERNEL)) n++;
          victim_got = n;
        },
        'greedy',
        { rss_pages: 100 },
      );
    });
    expect(r.reports.filter((x) => x.kind === 'oom').map((x) => x.title)).toEqual(['Killed process 1 (greedy)']);
    expect(first).toBeNull();
    expect(log_text(r)).toContain('greedy: page allocation failure: order:0, mode:0x14000c0(GFP_KERNEL), nodemask=(null)');
    // Its 100 reaped pages plus the MIN reserve: ALLOC_NO_WATERMARKS lets it take them all.
    expect(victim_got).toBe(100 + 64);
  });
});
