// Decoy: "never purge under the caller's lock: the caller may be using
// those buffers (lesson 06). Wait, a tick at a time, until this frame can
// take struct_mutex itself, then purge." When the task in the OOM path is
// the one that holds struct_mutex (a GEM ioctl allocating, the thread's
// case) that never happens: the notifier never returns, under oom_lock.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrink_all, i915_gem_shrinker_lock, i915_gem_shrinker_unlock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { NOTIFY_DONE } from '../../../../kernel/mm/oom_kill';
import { pr_err, pr_info } from '../../../../kernel/printk/printk';
import { schedule_timeout_killable } from '../../../../kernel/sched/core';

export async function i915_gem_shrinker_oom(i915: drm_i915_private, freed: { value: number }): Promise<number> {
  let slu = await i915_gem_shrinker_lock(i915);
  while (!(slu.locked && slu.unlock)) {
    await schedule_timeout_killable(1); // the outer frame, or another task, still has it
    slu = await i915_gem_shrinker_lock(i915);
  }

  const freed_pages = await i915_gem_shrink_all(i915);

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
