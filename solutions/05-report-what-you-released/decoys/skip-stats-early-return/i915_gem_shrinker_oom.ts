// Decoy (red team 13, skip_stats_early_return): past 4 GiB released, print a
// short report and return before i915_gem_shrinker_unlock() ("on a big
// machine the log walk visits every object again under struct_mutex, while
// out_of_memory() waits under oom_lock"). The early return leaks
// struct_mutex whenever the notifier took it itself: every GEM ioctl after it
// blocks for ever. An early return is a path like any other: every lock taken
// is released on it.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock_uninterruptible,
  i915_gem_shrinker_unlock,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { NOTIFY_DONE } from '../../../../kernel/mm/oom_kill';
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
  // On a big machine the walk below visits every object again under struct_mutex,
  // only for the log. Past 4 GiB released, report and skip it: out_of_memory()
  // is waiting, under oom_lock.
  if (freed_pages >= 1 << 20) {
    pr_info(`Purging GPU memory, ${freed_pages} pages freed.`);
    freed.value += freed_pages;
    return NOTIFY_DONE;
  }

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

  freed.value += freed_pages;
  return NOTIFY_DONE;
}
