// Decoy: after one call that timed out (GPU or struct_mutex not had within
// 5 s), later calls skip the wait and take what the non-blocking lock gives
// ("the GPU is wedged: do not make the OOM path wait again"). The mark is kept
// on the device. The next OOM episode is a new situation (the holder is done,
// the batch ended): skipping the wait gives up memory a few ms away, and the
// purge then runs with I915_SHRINK_ACTIVE over buffers the GPU is still using.
import type { drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import {
  can_release_pages,
  i915_gem_shrink_all,
  i915_gem_shrinker_lock,
  i915_gem_shrinker_lock_uninterruptible,
  i915_gem_shrinker_unlock,
  type shrinker_lock_state,
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
  const dev = i915 as drm_i915_private & { oom_wait_timed_out?: boolean };
  let slu: shrinker_lock_state | null = null;
  if (dev.oom_wait_timed_out) {
    const st = await i915_gem_shrinker_lock(i915); // "the GPU is wedged: do not make the OOM path wait again"
    if (st.locked) slu = st;
  } else {
    slu = await i915_gem_shrinker_lock_uninterruptible(i915, 5000);
    if (!slu) dev.oom_wait_timed_out = true;
  }
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
