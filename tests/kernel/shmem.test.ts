import { describe, expect, it } from 'vitest';
import { GFP_KERNEL, __GFP_NORETRY, __GFP_NOWARN } from '../../kernel/mm/gfp';
import { LRU_INACTIVE_ANON, LRU_UNEVICTABLE, PageSwapBacked, type page } from '../../kernel/mm/mm_types';
import { alloc_page, zone } from '../../kernel/mm/page_alloc';
import {
  check_move_unevictable_pages,
  mapping_clear_unevictable,
  mapping_set_unevictable,
  put_page,
  set_page_dirty,
  shmem_file_setup,
  shmem_nr_pages_resident,
  shmem_nr_pages_swapped,
  shmem_read_mapping_page_gfp,
  shmem_truncate_range,
  type shmem_file,
} from '../../kernel/mm/shmem';
import { lru_size } from '../../kernel/mm/swap';
import { nr_swap_used } from '../../kernel/mm/swapfile';
import { vm_events } from '../../kernel/mm/vmstat';
import { msleep } from '../../kernel/sched/core';
import { run_in_kthread } from './mm_helpers';

/** Read every page of @f in (as i915's get_pages does); returns them, each with the caller's reference. */
async function get_pages(f: shmem_file): Promise<page[]> {
  const pages: page[] = [];
  for (let i = 0; i < f.nr_pages; i++) pages.push((await shmem_read_mapping_page_gfp(f, i, GFP_KERNEL))!);
  return pages;
}

/** Take free pages down to MIN, then ask for one more page that may reclaim but not OOM. */
async function pressure(): Promise<page | null> {
  const keep: page[] = [];
  while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
  return alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
}

describe('shmem files (the backing store of GEM objects)', () => {
  it('allocates a page on first read, keeps it in the page cache and on the anon LRU, and returns it with an extra reference', async () => {
    const seen: unknown[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const f = shmem_file_setup('obj', 4);
      expect(shmem_nr_pages_resident(f)).toBe(0);
      const p = (await shmem_read_mapping_page_gfp(f, 2, GFP_KERNEL))!;
      seen.push(p._refcount, PageSwapBacked(p), p.index, lru_size(LRU_INACTIVE_ANON), zone.free_pages);
      const q = (await shmem_read_mapping_page_gfp(f, 2, GFP_KERNEL))!;
      seen.push(q === p, p._refcount);
      put_page(q);
      put_page(p);
      seen.push(p._refcount, p.freed);
      seen.push(await shmem_read_mapping_page_gfp(f, 4, GFP_KERNEL)); // past the end
    });
    expect(seen).toEqual([2, true, 2, 1, 1023, true, 3, 1, false, null]);
  });

  it('pinned pages are not reclaimable, even with swap', async () => {
    let got: page | null = null;
    let resident = 0;
    await run_in_kthread({ totalram_pages: 1024, swap_pages: 1024 }, async () => {
      const f = shmem_file_setup('pinned', 400);
      const pages = await get_pages(f); // i915 holds them: pinned
      for (const p of pages) set_page_dirty(p);
      got = await pressure();
      resident = shmem_nr_pages_resident(f);
    });
    expect(got).toBeNull();
    expect(resident).toBe(400);
    expect(vm_events.pswpout).toBe(0);
  });

  it('unpinned pages cannot be reclaimed without swap', async () => {
    let got: page | null = null;
    let resident = 0;
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const f = shmem_file_setup('unpinned', 400);
      for (const p of await get_pages(f)) {
        set_page_dirty(p);
        put_page(p); // back to the page cache and the LRU only
      }
      got = await pressure();
      resident = shmem_nr_pages_resident(f);
    });
    expect(got).toBeNull();
    expect(resident).toBe(400);
    expect(vm_events.pgscan_direct + vm_events.pgscan_kswapd).toBe(0);
  });

  it('with swap, unpinned dirty pages are written to swap, then freed; reading one back swaps it in', async () => {
    let got: page | null = null;
    const seen: number[] = [];
    await run_in_kthread({ totalram_pages: 1024, swap_pages: 1024 }, async () => {
      const f = shmem_file_setup('swappable', 400);
      for (const p of await get_pages(f)) {
        set_page_dirty(p);
        put_page(p);
      }
      const keep: page[] = [];
      while (zone.free_pages > zone.watermark[0]) keep.push((await alloc_page(GFP_KERNEL))!);
      got = await alloc_page(GFP_KERNEL);
      await msleep(50); // let the writes finish and kswapd finish its round
      const swapped = shmem_nr_pages_swapped(f);
      seen.push(swapped > 0 ? 1 : 0, shmem_nr_pages_resident(f) + swapped);
      // Give memory back, then read a swapped-out page in again.
      for (const p of keep.splice(0, 200)) put_page(p);
      const idx = [...f.mapping.swap.keys()][0]!;
      const used = nr_swap_used();
      const back = (await shmem_read_mapping_page_gfp(f, idx, GFP_KERNEL))!;
      seen.push(vm_events.pswpin, used - nr_swap_used(), back.index === idx ? 1 : 0);
    });
    expect(got).not.toBeNull();
    expect(vm_events.pswpout).toBeGreaterThan(0);
    expect(seen).toEqual([1, 400, 1, 1, 1]);
  });

  it('truncation frees the pages nobody else holds at once, and a held page at its last put_page', async () => {
    const free: number[] = [];
    await run_in_kthread({ totalram_pages: 1024 }, async () => {
      const f = shmem_file_setup('purgeable', 100);
      const pages = await get_pages(f);
      const held = pages[0]!;
      for (const p of pages.slice(1)) put_page(p);
      free.push(zone.free_pages);
      shmem_truncate_range(f, 0, -1);
      free.push(zone.free_pages, shmem_nr_pages_resident(f));
      put_page(held);
      free.push(zone.free_pages);
    });
    expect(free).toEqual([924, 1023, 0, 1024]);
  });

  it('pages of an unevictable mapping go to the unevictable list and are not scanned until rescued', async () => {
    const seen: number[] = [];
    await run_in_kthread({ totalram_pages: 1024, swap_pages: 1024 }, async () => {
      const f = shmem_file_setup('locked', 300);
      mapping_set_unevictable(f);
      const pages = await get_pages(f);
      for (const p of pages) put_page(p);
      seen.push(lru_size(LRU_UNEVICTABLE));
      await pressure();
      seen.push(vm_events.pgscan_direct + vm_events.pgscan_kswapd, shmem_nr_pages_resident(f));
      mapping_clear_unevictable(f);
      check_move_unevictable_pages(pages);
      seen.push(lru_size(LRU_UNEVICTABLE), lru_size(LRU_INACTIVE_ANON));
    });
    expect(seen).toEqual([300, 0, 300, 0, 300]);
  });
});
