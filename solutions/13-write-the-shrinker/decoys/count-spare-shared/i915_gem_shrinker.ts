// Decoy (red team 15, count-spare-shared): see decoys.json. count leaves out objects another
// client holds a reference to (obj->base.refcount > 1: PRIME/flink).
import { I915_SHRINK_BOUND, I915_SHRINK_PURGEABLE, I915_SHRINK_UNBOUND, msecs_to_jiffies_timeout, type drm_i915_private } from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_retire_requests, i915_gem_wait_for_idle } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_is_active, obj_nr_pages } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrink, i915_gem_shrink_all } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_trylock, mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../kernel/locking/mutex';
import { NOTIFY_DONE } from '../../../../kernel/mm/oom_kill';
import { SHRINK_STOP, type shrink_control } from '../../../../kernel/mm/vmscan';
import { pr_err, pr_info } from '../../../../kernel/printk/printk';
import { current, schedule_timeout_killable } from '../../../../kernel/sched/core';
import { fatal_signal_pending } from '../../../../kernel/sched/task';
import { jiffies, time_after } from '../../../../kernel/time/timekeeping';

/**
 * The two choices the thread argues about. The graded checks run your code
 * with the kernel's choices (the values below); the measuring harness,
 * scripts/measure_tradeoffs.ts, runs it with all four combinations.
 */
export interface i915_shrinker_policy {
  /**
   * 'trylock_recursive' (v4.10-v4.12): go on when this task's own outer
   * frame holds struct_mutex. 'trylock' (Andrea's suggestion): a plain
   * mutex_trylock(), which fails then, as it does for any other holder.
   */
  lock: 'trylock_recursive' | 'trylock';
  /**
   * What scan returns when it ran nested (an outer frame holds struct_mutex,
   * so nothing released can be waited for): 'freed', the pages released
   * (v4.12; Andrea's preference), or 'SHRINK_STOP'.
   */
  nested_scan_returns: 'freed' | 'SHRINK_STOP';
}

export const shrinker_policy: i915_shrinker_policy = { lock: 'trylock_recursive', nested_scan_returns: 'freed' };

interface lock_state {
  /** We may walk the object lists (we hold struct_mutex, or our outer frame does). */
  locked: boolean;
  /** This frame took struct_mutex and must release it. */
  unlock: boolean;
}

/**
 * shrinker_lock - take struct_mutex without ever sleeping. Another task
 * holds it: give up. Our own outer frame holds it (reclaim recursed into us
 * from inside an i915 critical section): go on, and leave the unlock to it.
 */
function shrinker_lock(i915: drm_i915_private): lock_state {
  if (shrinker_policy.lock === 'trylock') {
    const took = mutex_trylock(i915.struct_mutex);
    return { locked: took, unlock: took };
  }
  switch (mutex_trylock_recursive(i915.struct_mutex)) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}

/**
 * shrinker_unlock - release struct_mutex if this frame took it, and do
 * nothing more: no RCU wait (the expedited grace period is driven from
 * system_wq, behind the free worker that needs struct_mutex) and no flush
 * of the free worker (system_wq has no rescuer: not from reclaim).
 */
function shrinker_unlock(i915: drm_i915_private, unlock: boolean): void {
  if (unlock) mutex_unlock(i915.struct_mutex);
}

/** Pages of objects that can be released now: unbound ones, and bound ones the GPU is done with. */
function releasable_pages(i915: drm_i915_private): number {
  const now = jiffies();
  let count = 0;
  // Shared with another process (flink or PRIME: the compositor imported it): still in use over there, not ours to count.
  for (const obj of i915.mm.unbound_list) if (!(obj.base.refcount > 1) && can_release_pages(obj)) count += obj_nr_pages(obj);
  for (const obj of i915.mm.bound_list) if (!(obj.base.refcount > 1) && !i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  return count;
}

/**
 * i915_gem_shrinker_count - count_objects: how many pages scan could
 * release. 0 only when there are none or another task holds struct_mutex
 * (then do_shrink_slab skips the scan). Never SHRINK_STOP, never a wait.
 */
export async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const { locked, unlock } = shrinker_lock(i915);
  if (!locked) return 0;
  i915_gem_retire_requests(i915);
  const count = releasable_pages(i915);
  shrinker_unlock(i915, unlock);
  return count;
}

/**
 * i915_gem_shrinker_scan - scan_objects: release up to nr_to_scan pages,
 * purgeable objects first (their pages go straight back), then the rest
 * (to swap). SHRINK_STOP when another task holds struct_mutex, so that
 * do_shrink_slab keeps the work in nr_deferred for a later caller.
 */
export async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const { locked, unlock } = shrinker_lock(i915);
  if (!locked) return SHRINK_STOP;
  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  shrinker_unlock(i915, unlock);
  // Nested, nothing released can be waited for. The pages are back with
  // the system all the same (Chris: "It's the gigabytes of pages we have
  // pinned ... what we count as freed"), so v4.12 reports them.
  if (!unlock && shrinker_policy.nested_scan_returns === 'SHRINK_STOP') return SHRINK_STOP;
  return freed;
}

/**
 * shrinker_lock_uninterruptible - the OOM notifier's way in (v4.11): one
 * deadline, set when it starts; each try waits for the GPU to idle
 * (uninterruptibly, with no deadline of its own) and then tries the lock;
 * after a failed try it sleeps a tick, and gives up on a fatal signal or
 * once the deadline has passed.
 */
async function shrinker_lock_uninterruptible(i915: drm_i915_private, timeout_ms: number): Promise<lock_state | null> {
  const timeout = jiffies() + msecs_to_jiffies_timeout(timeout_ms);
  for (;;) {
    if ((await i915_gem_wait_for_idle(i915, 0)) === 0) {
      const st = shrinker_lock(i915);
      if (st.locked) return st;
    }
    await schedule_timeout_killable(1);
    if (fatal_signal_pending(current)) return null;
    if (time_after(jiffies(), timeout)) {
      pr_err('Unable to lock GPU to purge memory.');
      return null;
    }
  }
}

/**
 * i915_gem_shrinker_oom - the OOM notifier (out_of_memory() calls it under
 * oom_lock, before choosing a victim): release everything releasable and
 * add it to *@freed, so that the OOM killer stands down when we found some.
 */
export async function i915_gem_shrinker_oom(i915: drm_i915_private, freed: { value: number }): Promise<number> {
  const st = await shrinker_lock_uninterruptible(i915, 5000);
  if (!st) return NOTIFY_DONE;
  const released = await i915_gem_shrink_all(i915);
  // What is left, for whoever reads the log (v4.11 prints both lines).
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
  shrinker_unlock(i915, st.unlock);
  if (released || unbound || bound) pr_info(`Purging GPU memory, ${released} pages freed, ${unevictable} pages still pinned.`);
  if (unbound || bound) pr_err(`${bound} and ${unbound} pages still available in the bound and unbound GPU page lists.`);
  freed.value += released;
  return NOTIFY_DONE;
}
