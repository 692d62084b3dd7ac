// Decoy (red team 12, timeout_in_jiffies_not_ms): "kernel timeouts are in
// jiffies", so the notifier hands i915_gem_shrinker_lock_uninterruptible()
// msecs_to_jiffies(5000). The helper takes milliseconds (v4.11:
// i915_gem_shrinker_lock_uninterruptible(dev_priv, &slu, 5000), converted
// inside with msecs_to_jiffies_timeout), so the budget is converted twice:
// right at CONFIG_HZ=1000 only. At HZ=250, what distributions build, the
// notifier gives up after 1.25 s (HZ=100: 0.5 s) and the OOM killer kills a
// bystander while struct_mutex would have come free within the 5 s.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock_uninterruptible,
  i915_gem_shrinker_unlock,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { NOTIFY_DONE } from '../../../../kernel/mm/oom_kill';
import { msecs_to_jiffies } from '../../../../kernel/time/timekeeping';
import { pr_err, pr_info } from '../../../../kernel/printk/printk';

/**
 * i915_gem_shrinker_oom - i915's OOM notifier: the last chance before the
 * OOM killer picks a victim. Release everything that can be released and
 * add the pages released to @freed.
 */
export async function i915_gem_shrinker_oom(i915: drm_i915_private, freed: { value: number }): Promise<number> {
  // Wait (up to 5 s, a tick at a time) for the GPU to idle and for struct_mutex,
  // unless this task's own outer frame holds it (then unlock is false).
  // Kernel timeouts are in jiffies: 5 seconds' worth.
  const slu = await i915_gem_shrinker_lock_uninterruptible(i915, msecs_to_jiffies(5000));
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

  freed.value += freed_pages;
  return NOTIFY_DONE;
}
