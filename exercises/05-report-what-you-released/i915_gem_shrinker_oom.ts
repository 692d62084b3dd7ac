// Exercise 05: report what you released.
// Read lessons/05-report-what-you-released.md first.
//
// This is i915_gem_shrinker_oom() (drivers/gpu/drm/i915/i915_gem_shrinker.c),
// i915's OOM notifier. When an allocation has failed after every reclaim
// retry, the allocator calls out_of_memory() (mm/oom_kill.c), and
// out_of_memory() calls every OOM notifier before it picks a task to kill,
// handing them one counter, `freed`, to add to.
//
// The notifier may be called by any task that allocates, in any state:
// holding nothing, or holding struct_mutex itself (a GEM ioctl that
// allocates under the lock: then the lock call says unlock = false), while
// another task holds struct_mutex, while the GPU is still busy with the
// buffers, and after other notifiers already added to `freed`.
//
// The starter releases i915's buffers correctly. It was written with
// Andrea's aim in mind, "accuracy": promise the VM only memory it can use.
//
// Check your work: npx shrinker-lab run 05
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock_uninterruptible,
  i915_gem_shrinker_unlock,
} from '../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { nr_free_pages } from '../../kernel/mm/page_alloc';
import { NOTIFY_DONE } from '../../kernel/mm/oom_kill';
import { pr_err, pr_info } from '../../kernel/printk/printk';

/**
 * i915_gem_shrinker_oom - i915's OOM notifier: the last chance before the
 * OOM killer picks a victim. Release everything that can be released and
 * tell out_of_memory() about it through @freed.
 */
export async function i915_gem_shrinker_oom(i915: drm_i915_private, freed: { value: number }): Promise<number> {
  // Wait (up to 5 s, a tick at a time) for the GPU to idle and for struct_mutex,
  // unless this task's own outer frame holds it (then unlock is false).
  const slu = await i915_gem_shrinker_lock_uninterruptible(i915, 5000);
  if (!slu) return NOTIFY_DONE;

  const free_before = nr_free_pages();
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

  // TODO: out_of_memory() decides from `freed` whether a task dies. Is this
  // what i915 gave back, in every situation the notifier can be called in?
  // Only what is known to be free. With our caller holding struct_mutex we
  // could not wait for anything, so we promise nothing.
  if (slu.unlock) freed.value += nr_free_pages() - free_before;
  return NOTIFY_DONE;
}
