// Decoy (red team 10's spin-a-tick-under-lock): with an outer frame holding struct_mutex, busy-wait up to a jiffy
// (cond_resched() in a loop on jiffies) 'to let RCU run', instead of sleeping. It never sleeps, and it is a wait all the same.
// Exercise 09: don't wait for RCU under struct_mutex.
// Read lessons/09-no-rcu-wait-under-struct-mutex.md first.
//
// This is i915_gem_shrink() as it was in v4.10 (drivers/gpu/drm/i915/i915_gem_shrinker.c):
// it releases the pages of up to @target pages' worth of GEM objects. The
// shrinker's scan calls it from reclaim, i915_gem_shrink_all() calls it for
// the OOM notifier and drop_caches, and GEM ioctls call it when they run
// short of memory. On Andrea Arcangeli's machine it hung with no lockdep
// report at all: a task stuck for ever, holding struct_mutex.
//
// Check your work: npx shrinker-lab run 09
import {
  I915_MADV_DONTNEED,
  I915_SHRINK_ACTIVE,
  I915_SHRINK_BOUND,
  I915_SHRINK_PURGEABLE,
  I915_SHRINK_UNBOUND,
  type drm_i915_private,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_retire_requests } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem';
import {
  __i915_gem_object_put_pages,
  i915_gem_object_is_active,
  i915_gem_object_unbind,
  obj_nr_pages,
  type drm_i915_gem_object,
} from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_shrinker_lock } from '../../../../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_unlock } from '../../../../kernel/locking/mutex';
import { synchronize_rcu_expedited } from '../../../../kernel/rcu/update';
import { cond_resched } from '../../../../kernel/sched/core';
import { jiffies } from '../../../../kernel/time/timekeeping';

/** unsafe_drop_pages - unbind the object and put its pages; true if they are gone. */
function unsafe_drop_pages(obj: drm_i915_gem_object): boolean {
  if (i915_gem_object_unbind(obj) === 0) __i915_gem_object_put_pages(obj);
  return obj.mm.pages === null;
}

/**
 * i915_gem_shrink - release up to @target pages from the objects @flags
 * selects (I915_SHRINK_UNBOUND, _BOUND, _PURGEABLE, _ACTIVE), unbound
 * objects first. Returns the number of pages released.
 *
 * TODO: when reclaim recurses into this function from a task that already
 * holds struct_mutex, the task can hang for ever. Find what it waits for
 * after releasing the pages, what has to run for that wait to end, and
 * what that needs that this task may be holding.
 */
export async function i915_gem_shrink(i915: drm_i915_private, target: number, flags: number): Promise<number> {
  const { locked, unlock } = await i915_gem_shrinker_lock(i915);
  if (!locked) return 0;

  i915_gem_retire_requests(i915);
  const now = jiffies();
  let count = 0;
  const phases: Array<[drm_i915_gem_object[], number]> = [
    [i915.mm.unbound_list, I915_SHRINK_UNBOUND],
    [i915.mm.bound_list, I915_SHRINK_BOUND],
  ];
  for (const [list, bit] of phases) {
    if (!(flags & bit)) continue;
    // Walk a copy: unbinding moves objects from one list to the other.
    for (const obj of [...list]) {
      if (count >= target) break;
      if (flags & I915_SHRINK_PURGEABLE && obj.mm.madv !== I915_MADV_DONTNEED) continue;
      if (!(flags & I915_SHRINK_ACTIVE) && (i915_gem_object_is_active(obj, now) || obj.framebuffer_references > 0)) continue;
      if (!can_release_pages(obj)) continue;
      const pages = obj_nr_pages(obj);
      if (unsafe_drop_pages(obj)) {
        const i = i915.mm.unbound_list.indexOf(obj);
        if (i >= 0) i915.mm.unbound_list.splice(i, 1);
        count += pages;
      }
    }
  }
  i915_gem_retire_requests(i915);

  if (unlock) {
    mutex_unlock(i915.struct_mutex);
    // Our own lock is gone: the v4.11 shape may wait for the grace period here.
    await synchronize_rcu_expedited();
  } else {
    // An outer frame holds struct_mutex: never sleep here. Yield instead (cond_resched does not
    // block), for up to a tick, so that RCU's kthreads and the callbacks queued above can run.
    const start = jiffies();
    for (let i = 0; i < 4096 && jiffies() === start; i++) await cond_resched();
  }

  return count;
}
