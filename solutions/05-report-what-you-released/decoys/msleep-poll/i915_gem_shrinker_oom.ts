// Decoy (a plausible wrong answer, rejected by the checks): poll with msleep(1) for the GPU and the lock, then purge
// See solutions/05-report-what-you-released/decoys.json for why it is wrong.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { __mutex_owner, mutex_is_locked } from '../../../../kernel/locking/mutex';
import { current, msleep } from '../../../../kernel/sched/core';
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
  // Wait (up to 5 s) until the GPU is idle and nobody else holds struct_mutex,
  // a millisecond at a time, then take it (recursively if it is our own).
  const deadline = jiffies() + msecs_to_jiffies(5000);
  const others_hold = (): boolean => mutex_is_locked(i915.struct_mutex) && __mutex_owner(i915.struct_mutex) !== current;
  while ([...i915.mm.unbound_list, ...i915.mm.bound_list].some((o) => i915_gem_object_is_active(o, jiffies())) || others_hold()) {
    if (jiffies() > deadline) {
      pr_err('Unable to lock GPU to purge memory.');
      return NOTIFY_DONE;
    }
    await msleep(1);
  }
  const slu = await i915_gem_shrinker_lock(i915);
  if (!slu.locked) return NOTIFY_DONE;

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
