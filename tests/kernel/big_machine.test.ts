// Big machines: a boot of 2-64 GiB costs nothing per page of RAM (free pages
// are a count in the zone, a struct page is made when its frame is handed
// out: kernel/mm/zone.ts), and the checks' filler (scenarios/pin_before_alloc.ts
// fill_to) takes such a machine down to its watermarks in larger blocks, so
// it stays far below the soft-lockup budget of model calls (SOFTLOCKUP_CALLS)
// that a million order-4 allocations ran into at 16 GiB (red team 12: 06's
// pin_only_on_small_machines needs machines of gigabytes under pressure).
import { describe, expect, it } from 'vitest';
import { model_watch_page_pins } from '../../kernel/drivers/gpu/drm/i915/i915_gem_pages_debug';
import { alloc_pages, zone_info, MAX_ORDER } from '../../kernel/mm/page_alloc';
import { GFP_NOWAIT } from '../../kernel/mm/gfp';
import { DECISIVE_RELOCATION, fill_max_order, run_relocation, type relocate_fn } from '../../scenarios/pin_before_alloc';
import { i915_gem_execbuffer_relocate as reference } from '../../solutions/06-pin-before-alloc/i915_gem_execbuffer_relocate';
import { run_in_kthread } from './mm_helpers';

const GiB = 262_144; // pages

describe('big machines', () => {
  it("boots 64 GiB with v4.11's watermarks and hands out frames on demand", async () => {
    let seen = { managed: 0, free: 0, min: 0, low: 0, high: 0, pfn: 0, pfn2: 0 };
    await run_in_kthread({ totalram_pages: 64 * GiB }, async () => {
      const z = zone_info();
      const block = await alloc_pages(GFP_NOWAIT, MAX_ORDER - 1);
      const next = await alloc_pages(GFP_NOWAIT, 0);
      seen = { ...z, pfn: block!.pfn, pfn2: next!.pfn };
    });
    expect(seen.managed).toBe(64 * GiB);
    expect(seen.free).toBe(64 * GiB);
    // min_free_kbytes = int_sqrt(64 GiB in kB * 16) = 32768: min 8192 pages; low and high add managed * 10 / 10000 = 16777 each.
    expect([seen.min, seen.low, seen.high]).toEqual([8192, 8192 + 16777, 8192 + 2 * 16777]);
    // The first frame after the kernel image, and the one after the 1024-page block.
    expect(seen.pfn).toBe(0x1000);
    expect(seen.pfn2).toBe(0x1000 + 1024);
  });

  it('the filler keeps order-4 blocks up to 512 MiB (the checks\' runs unchanged) and grows them with RAM to MAX_ORDER - 1', () => {
    for (const pages of [256, 1024, 4096, 65_536, 131_072]) expect(fill_max_order(pages)).toBe(4);
    expect(fill_max_order(2 * GiB)).toBe(6);
    expect(fill_max_order(16 * GiB)).toBe(9);
    expect(fill_max_order(64 * GiB)).toBe(MAX_ORDER - 1);
    expect(fill_max_order(2 ** 34)).toBe(MAX_ORDER - 1);
  });

  it('runs 06\'s decisive relocation at the min watermark on 2, 16 and 64 GiB: the reference is clean, no soft lockup', async () => {
    const relocate: relocate_fn = (i915, obj) => model_watch_page_pins(() => reference(i915, obj));
    for (const totalram_pages of [2 * GiB, 16 * GiB, 64 * GiB]) {
      const r = await run_relocation({ ...DECISIVE_RELOCATION, totalram_pages }, relocate);
      expect(r.result.reports.map((x) => x.title)).toEqual([]);
      expect(r.result.stop).toBe('completed');
      expect(r.value?.free_after).toBeLessThan(zone_min(totalram_pages) + 64);
    }
  });
});

/** The min watermark of a machine of @pages: min_free_kbytes = int_sqrt(kB * 16) within [128, 65536], in pages. */
function zone_min(pages: number): number {
  return Math.floor(Math.min(65536, Math.max(128, Math.floor(Math.sqrt(pages * 4 * 16)))) / 4);
}
