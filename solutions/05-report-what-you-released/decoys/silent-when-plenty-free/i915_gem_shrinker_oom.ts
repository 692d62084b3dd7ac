// Decoy (red team 12, silent_when_plenty_free): add the released pages to
// *freed only when less than 64 MiB is free ("with plenty free the shortage
// is of a contiguous block, which i915's scattered pages cannot fill: do not
// hold the OOM killer back"). On a big machine out_of_memory() runs with far
// more than that free (a high-order allocation, lowmem_reserve, per-zone
// minimums of up to 64 MiB), and the notifier hides what it gave back: a
// process is killed although i915 just released memory. Whether the pages
// help is out_of_memory()'s call; the notifier reports what it released.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock_uninterruptible,
  i915_gem_shrinker_unlock,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { NOTIFY_DONE } from '../../../../kernel/mm/oom_kill';
import { nr_free_pages } from '../../../../kernel/mm/page_alloc';

/** 64 MiB of 4 KiB pages. */
const PLENTY_FREE_PAGES = 16384;
import { pr_err, pr_info } from '../../../../kernel/printk/printk';

/**
 * i915_gem_shrinker_oom - i915's OOM notifier: the last chance before the
 * OOM killer picks a victim. Release everything that can be released and
 * add the pages released to @freed.
 */
export async function i915_gem_shrinker_oom(i915: drm_i915_private, freed: { value: number }): Promise<number> {
  // Wait (up to 5 s, a tick at a time) for the GPU to idle and for struct_mutex,
  // unless this task's own outer frame holds it (then unlock is false).
  const slu = await i915_gem_shrinker_lock_uninterruptible(i915, 5000);
  if (!slu) return NOTIFY_DONE;

  const freed_pages = await i915_gem_shrink_all(i915);

  // Because we may be allocating inside our own driver, objects can still be
  // pinned: say what is left, for whoever reads the log.
  let unbound = 0;
  let bound = 0;
  let unevictable = 0;
  for (const [list, which] of [[i915.mm.unbound_list, 'unbound'], [i915.mm.bound_list, 'bound']] as const) {
    for (const obj of list) {
      if (!obj.mm.pages) continue;
      if (!can_release_pages(obj)) unevictable += obj_nr_pages(obj);
      else if (which === 'unbound') unbound += obj_nr_pages(obj);
      else bound += obj_nr_pages(obj);
    }
  }

  await i915_gem_shrinker_unlock(i915, slu.unlock);

  if (freed_pages || unbound || bound) pr_info(`Purging GPU memory, ${freed_pages} pages freed, ${unevictable} pages still pinned.`);
  if (unbound || bound) pr_err(`${bound} and ${unbound} pages still available in the bound and unbound GPU page lists.`);

  // With 64 MiB and more still free this is no shortage of pages but of a
  // contiguous block (a high-order allocation): i915's scattered pages cannot
  // satisfy it, so do not hold the OOM killer back with them.
  if (nr_free_pages() < PLENTY_FREE_PAGES) freed.value += freed_pages;
  return NOTIFY_DONE;
}
