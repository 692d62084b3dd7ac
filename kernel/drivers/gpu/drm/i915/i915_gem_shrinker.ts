// Models: drivers/gpu/drm/i915/i915_gem_shrinker.c, v4.11 (with the v4.10
// and v4.12 differences the thread is about, selected by the device's model_i915_config().release).
//
// The shrinker is how reclaim asks i915 for memory. Its problem is
// struct_mutex: the shrinker needs it, and reclaim can be entered by a task
// that already holds it (any kmalloc under struct_mutex may recurse into
// reclaim). So it takes the lock with mutex_trylock_recursive() and
// remembers whether it must unlock; if another task holds the lock it gives
// up (count returns 0, scan returns SHRINK_STOP). Counts are in pages.
//
// Each callback is a field of i915_shrinker_ops so an exercise can replace
// exactly the piece the learner fixes, and the thread's historical variants
// are selected with model_i915_config(i915).release ('4.10', '4.11', '4.12').
import { mutex_trylock_recursive, mutex_unlock, MUTEX_TRYLOCK_FAILED, MUTEX_TRYLOCK_RECURSIVE } from '../../../../locking/mutex';
import { model_kernel_fields } from '../../../../model_fields';
import { model_struct } from '../../../../model_struct';
import { pr_err, pr_info } from '../../../../printk/printk';
import { NOTIFY_DONE, register_oom_notifier, type notifier_block } from '../../../../mm/oom_kill';
import { get_nr_swap_pages } from '../../../../mm/swap';
import { DEFAULT_SEEKS, register_shrinker, SHRINK_STOP, type shrink_control, type shrinker } from '../../../../mm/vmscan';
import { rcu_barrier, synchronize_rcu, synchronize_rcu_expedited } from '../../../../rcu/update';
import { current, might_sleep, model_schedule_point, schedule_timeout_killable } from '../../../../sched/core';
import { boot_params } from '../../../../init/params';
import { atomic_read } from '../../../../lib/atomic';
import { fatal_signal_pending } from '../../../../sched/task';
import { jiffies, time_after } from '../../../../time/timekeeping';
import { trace } from '../../../../trace/trace';
import { flush_work } from '../../../../workqueue';
import {
  I915_MADV_DONTNEED,
  I915_SHRINK_ACTIVE,
  I915_SHRINK_BOUND,
  I915_SHRINK_PURGEABLE,
  I915_SHRINK_UNBOUND,
  I915_SHRINK_VMAPS,
  model_i915_config,
  model_i915_shrinker_ops,
  msecs_to_jiffies_timeout,
  type drm_i915_private,
} from './i915_drv';
import { i915_gem_retire_requests, i915_gem_wait_for_idle } from './i915_gem';
import {
  __i915_gem_object_put_pages,
  i915_gem_object_is_active,
  i915_gem_object_is_shrinkable,
  i915_gem_object_unbind,
  obj_nr_pages,
  type drm_i915_gem_object,
} from './i915_gem_object';
import { model_gem_lists } from './i915_gem_lists';

/** The outcome of i915_gem_shrinker_lock(): did we get it, and must we unlock? */
export interface shrinker_lock_state {
  locked: boolean;
  unlock: boolean;
}

/** The pieces of the shrinker an exercise may replace. */
export interface i915_shrinker_ops {
  lock(i915: drm_i915_private): Promise<shrinker_lock_state>;
  unlock(i915: drm_i915_private, unlock: boolean): Promise<void>;
  count(i915: drm_i915_private, sc: shrink_control): Promise<number>;
  scan(i915: drm_i915_private, sc: shrink_control): Promise<number>;
  /** i915_gem_shrink itself, when an exercise replaces it (scan, shrink_all and the OOM notifier call it). */
  shrink?(i915: drm_i915_private, target: number, flags: number): Promise<number>;
  /** The OOM notifier's body (i915_gem_shrinker_oom), when an exercise replaces it: add the pages freed to @freed, return NOTIFY_*. */
  oom?(i915: drm_i915_private, freed: { value: number }): Promise<number>;
}

/**
 * shrinker_lock_state_of - what a mutex_trylock_recursive() answer means to
 * the shrinker: FAILED, give up; RECURSIVE, go on but leave the unlock to the
 * outer frame that owns the lock; SUCCESS, go on and unlock when done.
 */
export function shrinker_lock_state_of(trylock_recursive_ret: number): shrinker_lock_state {
  switch (trylock_recursive_ret) {
    case MUTEX_TRYLOCK_FAILED:
      return { locked: false, unlock: false };
    case MUTEX_TRYLOCK_RECURSIVE:
      return { locked: true, unlock: false };
    default:
      return { locked: true, unlock: true };
  }
}

/**
 * Model: an exercise that asks for the shrinker's own locking (13: "taking
 * struct_mutex the right way is part of the exercise") still boots devices
 * whose shrinker_ops.lock/unlock (model_i915_shrinker_ops) are the model's, because the kernel's
 * i915_gem_shrink() takes the lock itself. While a check arms this, a call
 * of the model's lock or unlock that does not come from the model's own
 * shrinker code (i915_gem_shrink, the notifier's wait, the model's count,
 * scan and notifier) is the learner's code calling the answer through the
 * device or an import: it is recorded for the check to refuse, and otherwise served.
 */
let lock_slots_armed = false;
let model_lock_callers = 0;
let refused_lock_call: string | null = null;

/** by_the_model - make @call (a shrinker_ops lock or unlock) as the model's own shrinker code. */
function by_the_model<T>(call: () => T): T {
  model_lock_callers++;
  try {
    return call();
  } finally {
    model_lock_callers--;
  }
}

function note_lock_call(which: 'lock' | 'unlock'): void {
  if (lock_slots_armed && model_lock_callers === 0 && refused_lock_call === null) {
    refused_lock_call =
      `the code called the model's own i915_gem_shrinker_${which}() instead of taking struct_mutex itself: ` +
      `the model keeps it for the kernel's i915_gem_shrink(), and taking the lock (mutex_trylock_recursive()'s three answers, or the policy's plain trylock) ` +
      `and releasing only what this frame took is part of the exercise.`;
  }
}

/**
 * model_arm_lock_slots - from now on, record calls of the model's shrinker
 * lock and unlock that do not come from the model's shrinker code. Returns
 * the disarm function, which answers the first such call (or null).
 */
export function model_arm_lock_slots(): () => string | null {
  const before = { lock_slots_armed, refused_lock_call };
  lock_slots_armed = true;
  refused_lock_call = null;
  return () => {
    const found = refused_lock_call;
    lock_slots_armed = before.lock_slots_armed;
    refused_lock_call = before.refused_lock_call;
    return found;
  };
}

/**
 * i915_gem_shrinker_lock - take struct_mutex unless another task holds it.
 * RECURSIVE means this task entered reclaim while already holding it: go on,
 * but the outer frame owns the lock, so we must not unlock it.
 */
export async function i915_gem_shrinker_lock(i915: drm_i915_private): Promise<shrinker_lock_state> {
  note_lock_call('lock');
  return shrinker_lock_state_of(mutex_trylock_recursive(i915.struct_mutex));
}

/**
 * i915_gem_shrinker_unlock - release struct_mutex if we took it. In v4.11 an
 * expedited grace period follows a real unlock, so that objects freed under
 * the lock reach their RCU callbacks sooner (c053b5a moved the wait here so
 * it never runs while an outer frame still holds the lock). v4.12 dropped it.
 * Andrea's 2/5 adds a flush of the free worker, which check_flush_dependency
 * rejects from reclaim.
 */
export async function i915_gem_shrinker_unlock(i915: drm_i915_private, unlock: boolean): Promise<void> {
  note_lock_call('unlock');
  if (!unlock) return;
  mutex_unlock(i915.struct_mutex);
  if (model_i915_config(i915).release === '4.11') await synchronize_rcu_expedited();
  if (model_i915_config(i915).flush_free_work_in_shrinker) await flush_work(i915.mm.free_work);
}

/**
 * can_release_pages - would unbinding and putting this object's pages make
 * progress? Not if someone other than its bindings pins the pages, not if a
 * binding is pinned, and not if the pages could only go to swap and there is
 * none (unless the object is purgeable: then they are simply dropped).
 */
export function can_release_pages(obj: drm_i915_gem_object): boolean {
  if (!obj.mm.pages) return false;
  if (!i915_gem_object_is_shrinkable(obj)) return false;
  if (atomic_read(obj.mm.pages_pin_count) > obj.bind_count) return false;
  if (obj.vma_pin_count > 0) return false;
  return get_nr_swap_pages() > 0 || obj.mm.madv === I915_MADV_DONTNEED;
}

/**
 * unsafe_drop_pages - unbind and put the pages; true if they are gone. The
 * put takes obj->mm.lock (v4.11 __i915_gem_object_put_pages,
 * mutex_lock_nested) and re-reads pages_pin_count under it: a page user on
 * another CPU that pinned the pages meanwhile (pread, dma-buf: they take
 * obj->mm.lock, not struct_mutex) keeps them, and this object is not counted.
 */
async function unsafe_drop_pages(obj: drm_i915_gem_object): Promise<boolean> {
  if (i915_gem_object_unbind(obj) === 0) {
    if (boot_params().i915_mm_lock_window) {
      // mutex_lock_nested(&obj->mm.lock, I915_MM_SHRINKER): where the other CPU's page users get in.
      might_sleep('mutex_lock_nested', 'drivers/gpu/drm/i915/i915_gem.c __i915_gem_object_put_pages');
      await model_schedule_point('mutex_lock_nested');
    }
    __i915_gem_object_put_pages(obj);
  }
  return obj.mm.pages === null;
}

/**
 * i915_gem_shrink - release up to @target pages from objects matching @flags,
 * unbound objects first. Returns the number of pages released: they are
 * returned to the system (page cache and LRU), and only truncated
 * (purgeable) objects' pages are actually free.
 */
export async function i915_gem_shrink(i915: drm_i915_private, target: number, flags: number): Promise<number> {
  const ops = model_i915_shrinker_ops(i915);
  if (ops.shrink) return ops.shrink(i915, target, flags);
  const { locked, unlock } = await by_the_model(() => ops.lock(i915));
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
    // Walk a snapshot: unbinding moves objects between the lists.
    for (const obj of [...list]) {
      if (count >= target) break;
      if (flags & I915_SHRINK_PURGEABLE && obj.mm.madv !== I915_MADV_DONTNEED) continue;
      if (flags & I915_SHRINK_VMAPS) continue; // no kernel vmaps in the model
      if (!(flags & I915_SHRINK_ACTIVE) && (i915_gem_object_is_active(obj, now) || obj.framebuffer_references > 0)) continue;
      if (!can_release_pages(obj)) continue;
      const pages = obj_nr_pages(obj);
      if (await unsafe_drop_pages(obj)) {
        const unbound = model_gem_lists(i915).unbound_list; // list_del_init(&obj->global_link)
        const i = unbound.indexOf(obj);
        if (i >= 0) unbound.splice(i, 1);
        count += pages;
      }
    }
  }
  i915_gem_retire_requests(i915);
  if (model_i915_config(i915).release === '4.10') {
    // v4.10: unlock if we locked, then wait for an expedited grace period
    // whether or not we unlocked. In the nested case struct_mutex is still
    // held by the outer frame while we wait.
    if (unlock) mutex_unlock(i915.struct_mutex);
    await synchronize_rcu_expedited();
  } else {
    await by_the_model(() => ops.unlock(i915, unlock));
  }
  trace('i915_gem_shrink', { target, flags, count });
  return count;
}

/**
 * i915_gem_shrink_all - release everything that can be released (used by the
 * OOM notifier and by drop_caches). v4.10 waited with rcu_barrier(), v4.11
 * with synchronize_rcu() (3d3d18f086cd), v4.12 with neither.
 */
export async function i915_gem_shrink_all(i915: drm_i915_private): Promise<number> {
  const freed = await i915_gem_shrink(i915, Number.MAX_SAFE_INTEGER, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_ACTIVE);
  if (model_i915_config(i915).release === '4.10') await rcu_barrier();
  else if (model_i915_config(i915).release === '4.11') await synchronize_rcu();
  return freed;
}

/**
 * i915_gem_releasable_pages - what count reports: pages of unbound objects
 * that can be released, plus bound ones the GPU is not using. The caller
 * must keep the lists stable (hold struct_mutex, or run atomically).
 */
export function i915_gem_releasable_pages(i915: drm_i915_private): number {
  const now = jiffies();
  let count = 0;
  for (const obj of i915.mm.unbound_list) if (can_release_pages(obj)) count += obj_nr_pages(obj);
  for (const obj of i915.mm.bound_list) if (!i915_gem_object_is_active(obj, now) && can_release_pages(obj)) count += obj_nr_pages(obj);
  return count;
}

/**
 * i915_gem_shrinker_count - v4.11: pages we could release now. Without the
 * lock it reports 0, and do_shrink_slab() then skips the scan entirely.
 */
async function i915_gem_shrinker_count(i915: drm_i915_private, _sc: shrink_control): Promise<number> {
  const ops = model_i915_shrinker_ops(i915);
  const { locked, unlock } = await by_the_model(() => ops.lock(i915));
  if (!locked) return 0;
  i915_gem_retire_requests(i915);
  const count = i915_gem_releasable_pages(i915);
  await by_the_model(() => ops.unlock(i915, unlock));
  return count;
}

/**
 * i915_gem_shrinker_scan - v4.11: purgeable objects first, then the rest (to
 * swap). SHRINK_STOP when the lock is held by someone else: do_shrink_slab
 * then keeps the work in nr_deferred for a later caller.
 */
async function i915_gem_shrinker_scan(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const ops = model_i915_shrinker_ops(i915);
  const { locked, unlock } = await by_the_model(() => ops.lock(i915));
  if (!locked) return SHRINK_STOP;
  let freed = await i915_gem_shrink(i915, sc.nr_to_scan, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND | I915_SHRINK_PURGEABLE);
  if (freed < sc.nr_to_scan) freed += await i915_gem_shrink(i915, sc.nr_to_scan - freed, I915_SHRINK_BOUND | I915_SHRINK_UNBOUND);
  await by_the_model(() => ops.unlock(i915, unlock));
  return freed;
}

/** The v4.11 callbacks (the default; exercises replace some of them). */
export const v4_11_shrinker_ops: i915_shrinker_ops = {
  lock: i915_gem_shrinker_lock,
  unlock: i915_gem_shrinker_unlock,
  count: i915_gem_shrinker_count,
  scan: i915_gem_shrinker_scan,
};

/**
 * i915_gem_shrinker_lock_uninterruptible - the OOM notifier's way in (v4.11).
 * One deadline, set when it starts (@timeout_ms, msecs_to_jiffies_timeout);
 * each try waits for the GPU to idle (i915_gem_wait_for_idle(dev_priv, 0):
 * uninterruptible, no deadline of its own) and then tries the lock. A failed
 * try sleeps a tick (killable), gives up on a fatal signal, and gives up
 * once the deadline has passed. So a SIGKILL is noticed only between tries,
 * and a GPU busy past the deadline is waited for all the same.
 */
export async function i915_gem_shrinker_lock_uninterruptible(i915: drm_i915_private, timeout_ms: number): Promise<shrinker_lock_state | null> {
  const timeout = jiffies() + msecs_to_jiffies_timeout(timeout_ms);
  for (;;) {
    if ((await i915_gem_wait_for_idle(i915, 0)) === 0) {
      const st = await by_the_model(() => model_i915_shrinker_ops(i915).lock(i915));
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
 * i915_gem_shrinker_oom - the OOM notifier: the last chance before the OOM
 * killer. Release everything, report what was freed and what stays pinned.
 */
async function i915_gem_shrinker_oom(i915: drm_i915_private, freed_out: { value: number }): Promise<number> {
  const st = await i915_gem_shrinker_lock_uninterruptible(i915, 5000);
  if (!st) return NOTIFY_DONE;
  const freed = await i915_gem_shrink_all(i915);
  // What is left: releasable pages (still on the lists) and pinned ones.
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
  await by_the_model(() => model_i915_shrinker_ops(i915).unlock(i915, st.unlock));
  if (freed || unbound || bound) pr_info(`Purging GPU memory, ${freed} pages freed, ${unevictable} pages still pinned.`);
  if (unbound || bound) pr_err(`${bound} and ${unbound} pages still available in the bound and unbound GPU page lists.`);
  freed_out.value += freed;
  return NOTIFY_DONE;
}

/**
 * i915_gem_shrinker_init - register the shrinker (DEFAULT_SEEKS, default
 * batch) and the OOM notifier. The callbacks go through model_i915_shrinker_ops(i915).
 */
export function i915_gem_shrinker_init(i915: drm_i915_private): void {
  const s: shrinker = {
    count_objects: (_s, sc) => model_i915_shrinker_ops(i915).count(i915, sc),
    scan_objects: (_s, sc) => model_i915_shrinker_ops(i915).scan(i915, sc),
    seeks: DEFAULT_SEEKS,
    batch: 0,
    flags: 0,
    name: 'i915_gem_shrinker',
  };
  // What i915 registers is fixed at registration: shrink_slab() and out_of_memory() call these
  // through the structs, so code handed the device that swapped count_objects or notifier_call for
  // `() => 0` around its kmalloc hid every object from reclaim (grader red team 15, 06's starter).
  // batch stays a plain field: 01's counts-exactly-under-recursion judges a count that writes it.
  model_kernel_fields(s, ['count_objects', 'scan_objects', 'seeks', 'flags', 'name']);
  i915.mm.shrinker = s;
  register_shrinker(s);
  const nb: notifier_block = {
    notifier_call: (_nb, _event, freed) => (model_i915_shrinker_ops(i915).oom ?? i915_gem_shrinker_oom)(i915, freed),
    priority: 0,
  };
  model_kernel_fields(nb, ['notifier_call', 'priority']);
  i915.mm.oom_notifier = model_struct(nb);
  register_oom_notifier(nb);
}
