// Boot parameter swap_file (SWP_FILE, swap over NFS): __swap_writepage writes
// through the file's ->direct_IO, synchronously, and that write fails when its
// NFS request finds no memory (kernel/nfs/direct.ts), as in v4.11's
// mm/page_io.c: the page is redirtied, PG_reclaim cleared, and "Write error on
// dio swapfile" printed. A swap partition's bio write never fails.
import { describe, expect, it } from 'vitest';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';
import { failslab_set } from '../../kernel/mm/failslab';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
import { PG_dirty, PG_reclaim, PG_writeback } from '../../kernel/mm/mm_types';
import { __free_page, alloc_page } from '../../kernel/mm/page_alloc';
import { __swap_writepage } from '../../kernel/mm/page_io';
import { nr_writeback } from '../../kernel/mm/page_writeback';
import { vm_events } from '../../kernel/mm/vmstat';
import { dmesg } from '../../kernel/printk/printk';
import { msleep } from '../../kernel/sched/core';

interface write_outcome {
  ret: number;
  flags: number;
  in_flight_after_call: number;
  pswpout: number;
}

/** Write one page to swap (a partition or a file), with its slab allocations failing if @fail. */
async function write_one(swap_file: boolean, fail: boolean): Promise<{ out: write_outcome; dmesg: string[] }> {
  let out: write_outcome | null = null;
  const r = await start_kernel({ totalram_pages: 256, swap_pages: 16, swap_file }, () => {
    user_task(async () => {
      const p = (await alloc_page(GFP_KERNEL))!;
      p.flags |= PG_reclaim; // reclaim wanted it
      if (fail) failslab_set(() => true);
      const ret = await __swap_writepage(p);
      failslab_set(null);
      const in_flight_after_call = nr_writeback();
      await msleep(50); // any write still out completes
      out = { ret, flags: p.flags, in_flight_after_call, pswpout: vm_events.pswpout };
      __free_page(p);
    }, 'kswapd0');
  });
  expect(r.stop).toBe('completed');
  return { out: out!, dmesg: dmesg() };
}

describe('boot parameter swap_file', () => {
  it('writes a page to the swap file synchronously: nothing left in flight, counted in pswpout', async () => {
    const { out, dmesg: log } = await write_one(true, false);
    expect(out.ret).toBe(0);
    expect(out.in_flight_after_call).toBe(0);
    expect(out.pswpout).toBe(1);
    expect(out.flags & (PG_dirty | PG_writeback)).toBe(0);
    expect(log.some((l) => l.includes('Write error on dio swapfile'))).toBe(false);
  });

  it('fails the write when the NFS request finds no memory: -ENOMEM, page redirtied, PG_reclaim cleared, the error printed', async () => {
    const { out, dmesg: log } = await write_one(true, true);
    expect(out.ret).toBe(-12);
    expect(out.flags & PG_dirty).toBe(PG_dirty);
    expect(out.flags & (PG_reclaim | PG_writeback)).toBe(0);
    expect(out.pswpout).toBe(0);
    expect(log.some((l) => l.includes('Write error on dio swapfile'))).toBe(true);
  });

  it('leaves a swap partition as it was: the bio write is submitted and completes later, slab failures or not', async () => {
    for (const fail of [false, true]) {
      const { out } = await write_one(false, fail);
      expect(out.ret).toBe(0);
      expect(out.in_flight_after_call).toBe(1);
      expect(out.pswpout).toBe(1);
    }
  });
});
