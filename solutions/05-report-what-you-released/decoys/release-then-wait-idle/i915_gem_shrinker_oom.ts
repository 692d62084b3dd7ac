// Decoy (a plausible wrong answer, rejected by the checks): take the lock, purge at once (active buffers too), wait for the GPU afterwards
// See solutions/05-report-what-you-released/decoys.json for why it is wrong.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { current, schedule_timeout_killable } from '../../../../kernel/sched/core';
import { fatal_signal_pending } from '../../../../kernel/sched/task';
import { jiffies, msecs_to_jiffies } from '../../../../kernel/time/timekeeping';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock,
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
  // Take struct_mutex (up to 5 s, a tick at a time) and purge at once; wait for
  // the GPU afterwards, so out_of_memory() does not see the pages before the GPU
  // is done with them, and the purge does not sit behind a long batch.
  const deadline = jiffies() + msecs_to_jiffies(5000);
  let slu = await i915_gem_shrinker_lock(i915);
  while (!slu.locked) {
    await schedule_timeout_killable(1);
    if (fatal_signal_pending(current) || jiffies() > deadline) {
      pr_err('Unable to lock GPU to purge memory.');
      return NOTIFY_DONE;
    }
    slu = await i915_gem_shrinker_lock(i915);
  }

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

  // The GPU may still be reading what we just released: let it finish first.
  while ([...i915.mm.unbound_list, ...i915.mm.bound_list].some((o) => i915_gem_object_is_active(o, jiffies())) && jiffies() <= deadline && !fatal_signal_pending(current)) {
    await schedule_timeout_killable(1);
  }

  await i915_gem_shrinker_unlock(i915, slu.unlock);

  if (freed_pages || unbound || bound) pr_info(`Purging GPU memory, ${freed_pages} pages freed, ${unevictable} pages still pinned.`);
  if (unbound || bound) pr_err(`${bound} and ${unbound} pages still available in the bound and unbound GPU page lists.`);

  freed.value += freed_pages;
  return NOTIFY_DONE;
}
