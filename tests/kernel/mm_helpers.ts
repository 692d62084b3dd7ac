// Helpers shared by the mm tests (not a test file itself).
import { start_kernel, type run_result } from '../../kernel/init/main';
import type { boot_params } from '../../kernel/init/params';
import { kthread_run } from '../../kernel/kthread';
import { model_filemap_populate_at_boot, filemap_create } from '../../kernel/mm/filemap';
import type { address_space, page } from '../../kernel/mm/mm_types';
import { get_page } from '../../kernel/mm/swap';
import type { shrinker, shrink_control } from '../../kernel/mm/vmscan';

/** Run @body in one kernel thread on a fresh boot; rethrows what the body threw. */
export async function run_in_kthread(params: Partial<boot_params>, body: () => Promise<void>, setup?: () => void): Promise<run_result> {
  let err: unknown = null;
  const r = await start_kernel(params, () => {
    setup?.();
    kthread_run(async () => {
      try {
        await body();
      } catch (e) {
        err = e;
      }
    }, 'test');
  });
  if (err) throw err;
  return r;
}

/** @nr pages of page cache in a new file, each held by an extra reference (pinned). */
export function pinned_file_pages(nr: number, name = 'pinned'): { mapping: address_space; pages: page[] } {
  const mapping = filemap_create(name);
  model_filemap_populate_at_boot(mapping, nr);
  const pages = [...mapping.pages.values()];
  for (const p of pages) get_page(p);
  return { mapping, pages };
}

/** A shrinker whose count and scan are plain functions; records every scan's nr_to_scan. */
export function test_shrinker(
  count: (sc: shrink_control) => number | Promise<number>,
  scan: (sc: shrink_control) => number | Promise<number>,
  opts: Partial<Pick<shrinker, 'seeks' | 'batch' | 'flags' | 'name'>> = {},
): shrinker & { scans: number[]; counts: number } {
  const s = {
    scans: [] as number[],
    counts: 0,
    count_objects: (_s: shrinker, sc: shrink_control) => {
      s.counts++;
      return count(sc);
    },
    scan_objects: (_s: shrinker, sc: shrink_control) => {
      s.scans.push(sc.nr_to_scan);
      return scan(sc);
    },
    seeks: opts.seeks ?? 2,
    batch: opts.batch ?? 0,
    flags: opts.flags ?? 0,
    name: opts.name ?? 'test_shrinker_scan',
  };
  return s;
}

/** Lines of dmesg without the timestamp. */
export function log_text(r: run_result): string {
  return r.dmesg.map((l) => l.replace(/^\[[ \d.]+\] /, '')).join('\n');
}
