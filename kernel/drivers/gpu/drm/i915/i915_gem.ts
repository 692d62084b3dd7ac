// Models: drivers/gpu/drm/i915/i915_gem.c (object release through RCU, the
// llist and the free worker; device GEM setup), v4.11, after fbbd37b36fa5
// "drm/i915: Move object release to a freelist + worker" (v4.10).
//
// Why the free path matters to the course: when the last reference to an
// object goes, its memory is not freed at once. The object waits for an RCU
// grace period (call_rcu), the RCU callback pushes it on a lock-less list and
// queues a work item on the system workqueue ("events"), and only that work
// item, under struct_mutex, frees the pages and the object. So "a grace
// period has passed" does not mean "the memory is back" (Andrea: "Waiting a
// RCU grace period only guarantees the work gets queued"), and anything that
// holds struct_mutex while waiting for that worker deadlocks.
import { mutex_init, mutex_lock, mutex_unlock } from '../../../../locking/mutex';
import { llist_add, llist_del_all, llist_head } from '../../../../lib/llist';
import { kfree } from '../../../../mm/slab';
import { call_rcu, type rcu_head } from '../../../../rcu/update';
import { cond_resched } from '../../../../sched/core';
import { jiffies } from '../../../../time/timekeeping';
import { INIT_WORK, schedule_work, type work_struct } from '../../../../workqueue';
import { I915_MADV_DONTNEED, type drm_i915_private, type i915_release } from './i915_drv';
import {
  __i915_gem_object_put_pages,
  model_i915_gem_object_reset_ids,
  i915_gem_object_is_active,
  i915_gem_object_unbind,
  type drm_i915_gem_object,
} from './i915_gem_object';
import { i915_gem_shrinker_init, v4_11_shrinker_ops, type i915_shrinker_ops } from './i915_gem_shrinker';

export interface i915_gem_options {
  /** Which kernel's shrinker behaviour to model (default '4.11'). */
  release?: i915_release;
  /** Andrea's 2/5: flush the free worker from the shrinker after a real unlock. */
  flush_free_work_in_shrinker?: boolean;
  /** Replace some shrinker callbacks (exercises plug the learner's code in here). */
  shrinker_ops?: Partial<i915_shrinker_ops>;
}

/**
 * i915_gem_load - set up GEM on a new device: struct_mutex, the object lists,
 * the free worker, the shrinker and the OOM notifier. Call from scenario
 * setup (no task needed).
 */
export function i915_gem_load(opts: i915_gem_options = {}): drm_i915_private {
  model_i915_gem_object_reset_ids();
  const free_work = {} as work_struct;
  const i915: drm_i915_private = {
    struct_mutex: mutex_init('&dev->struct_mutex'),
    mm: {
      unbound_list: [],
      bound_list: [],
      free_list: new llist_head<drm_i915_gem_object>(),
      free_work,
      free_count: 0,
      shrinker: undefined as never,
      oom_notifier: undefined as never,
    },
    release: opts.release ?? '4.11',
    flush_free_work_in_shrinker: opts.flush_free_work_in_shrinker ?? false,
    shrinker_ops: { ...v4_11_shrinker_ops, ...opts.shrinker_ops },
    objects: [],
  };
  // Named and attributed as in the kernel, so the check_flush_dependency
  // warning reads "events:__i915_gem_free_work [i915]" like the thread's.
  i915.mm.free_work = INIT_WORK(free_work, (w) => __i915_gem_free_work(i915, w), '__i915_gem_free_work', {
    module: 'i915',
    lockdep_name: '(&i915->mm.free_work)',
  });
  i915_gem_shrinker_init(i915);
  return i915;
}

/**
 * i915_gem_object_put - drop a reference; the last one starts the release.
 */
export function i915_gem_object_put(obj: drm_i915_gem_object): void {
  if (--obj.base.refcount === 0) i915_gem_free_object(obj);
}

/**
 * i915_gem_free_object - DRM's gem_free_object callback: no reference is
 * left. The backing store of a private object is discardable, so it is
 * marked DONTNEED (its pages will be truncated, not swapped). The rest waits
 * for a grace period, because lookups walk the object lists under RCU.
 */
export function i915_gem_free_object(obj: drm_i915_gem_object): void {
  obj.mm.madv = I915_MADV_DONTNEED;
  obj.i915.mm.free_count++;
  call_rcu(obj.rcu, (head: rcu_head) => __i915_gem_free_object_rcu(obj, head));
}

/**
 * __i915_gem_free_object_rcu - RCU callback, softirq context: it must not
 * sleep, so it only queues the object; the first one onto an empty list
 * kicks the worker on system_wq.
 */
function __i915_gem_free_object_rcu(obj: drm_i915_gem_object, _head: rcu_head): void {
  const i915 = obj.i915;
  if (llist_add(obj, i915.mm.free_list)) schedule_work(i915.mm.free_work);
}

/** __i915_gem_free_work - the worker: drain the free list until it stays empty. */
async function __i915_gem_free_work(i915: drm_i915_private, _work: work_struct): Promise<void> {
  for (;;) {
    const batch = llist_del_all(i915.mm.free_list);
    if (batch.length === 0) return;
    await __i915_gem_free_objects(i915, batch.reverse());
  }
}

/**
 * __i915_gem_free_objects - unlink under struct_mutex, then release the
 * pages and the struct outside it. The mutex_lock here is what makes any
 * holder of struct_mutex that waits for this worker deadlock.
 */
async function __i915_gem_free_objects(i915: drm_i915_private, objs: drm_i915_gem_object[]): Promise<void> {
  await mutex_lock(i915.struct_mutex);
  for (const obj of objs) {
    obj.vma_pin_count = 0;
    i915_gem_object_unbind(obj);
    unlink(i915.mm.unbound_list, obj);
    unlink(i915.mm.bound_list, obj);
  }
  mutex_unlock(i915.struct_mutex);
  await cond_resched();
  for (const obj of objs) {
    obj.mm.pages_pin_count = 0;
    __i915_gem_object_put_pages(obj);
    obj.freed = true;
    kfree(obj.mem);
    i915.mm.free_count--;
  }
}

function unlink(list: drm_i915_gem_object[], obj: drm_i915_gem_object): void {
  const i = list.indexOf(obj);
  if (i >= 0) list.splice(i, 1);
}

/** i915_gem_retire_requests - the model's GPU retires by itself as time passes. */
export function i915_gem_retire_requests(_i915: drm_i915_private): void {}

/** Is any object still in use by the GPU? */
export function i915_gem_is_busy(i915: drm_i915_private): boolean {
  const now = jiffies();
  return i915.objects.some((o) => !o.freed && i915_gem_object_is_active(o, now));
}
