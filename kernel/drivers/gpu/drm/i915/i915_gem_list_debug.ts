// Models: what struct_mutex protects in v4.11 i915 (drivers/gpu/drm/i915/
// i915_drv.h, struct i915_gem_mm: "protected by struct_mutex"), checked the
// way lockdep_assert_held() and CONFIG_DEBUG_LIST check it, but with the
// model's own knowledge of who holds the lock (so with lockdep off too).
//
// In v4.11 mm.bound_list and mm.unbound_list have no lock of their own (no
// mm.obj_lock, no RCU list): the task holding struct_mutex list_move()s
// objects between them (i915_vma_unbind, __i915_gem_object_put_pages) and
// unlinks and frees them (__i915_gem_free_objects). A walk of the lists by
// anyone else follows obj->global_link into the other list's head, or into a
// freed object: an endless loop or a use-after-free, some time later. The
// model's steps are atomic between schedule points, so such a walk would
// silently read a consistent list; instead, the code under watch gets a
// WARNING the moment it touches a list without holding struct_mutex.
//
// Scope: only code a check puts under watch (model_watch_list_walks), e.g.
// the learner's count. The model's own helpers that read the lists
// atomically for checks (i915_gem_releasable_pages) are not judged.
import { WARN_ONCE } from '../../../../panic';
import { __owner_task } from '../../../../locking/mutex';
import { model_checker_read } from '../../../../lib/atomic';
import { current } from '../../../../sched/core';
import type { task_struct } from '../../../../sched/task';
import { model_i915_objects, model_replace_i915_objects, type drm_i915_private } from './i915_drv';
import { model_field_set } from '../../../../model_fields';

/** Tasks running code under watch, with their nesting depth. */
const watched = new WeakMap<task_struct, number>();
/**
 * Calls of model_watch_list_walks in progress, in every task: while there is
 * none, a read of a list cannot be a judged walk, and the Proxy's get goes
 * straight to the array (the model reads these lists at every reclaim).
 */
let watching = 0;
/** The lists already wrapped (a Proxy over the same array: every other reader sees the same objects). */
const wrapped = new WeakSet<object>();

/** Depth of model_list_watch_paused calls in progress. */
let paused = 0;

/**
 * model_list_watch_paused - run @fn (the checker's own look at the objects a
 * learner's function was handed: course/kernel_object_state.ts records them
 * before and after each call) without judging its reads. That is the checker
 * watching, not the code under watch walking. (It cannot be told by the call
 * stack: the grading realm records none.)
 */
export function model_list_watch_paused<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

function grader_snapshot(): boolean {
  return paused > 0;
}

function is_walk(prop: string | symbol): boolean {
  if (typeof prop !== 'string') return prop === Symbol.iterator;
  if (prop === 'length') return true;
  // /^\d+$/ without the regular expression: this runs on every element read of a watched list.
  if (prop.length === 0) return false;
  for (let i = 0; i < prop.length; i++) {
    const c = prop.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The lists under watch: where each lives, and the name the report gives it. */
type watched_list = 'bound_list' | 'unbound_list' | 'objects';

/**
 * watch_list - wrap @which of @i915 so that a walk of it by a watched task
 * that does not hold struct_mutex is reported (once per boot). 'objects' is
 * the model's record of every object of the device: the kernel has no such
 * list, and reading it is reading what the GEM lists hold.
 */
function watch_list(i915: drm_i915_private, which: watched_list): void {
  const list = which === 'objects' ? model_i915_objects(i915) : i915.mm[which];
  const name = which === 'objects' ? 'objects' : `mm.${which}`;
  if (wrapped.has(list)) return;
  const proxy = new Proxy(list, {
    get(target, prop, receiver) {
      if (watching > 0 && is_walk(prop) && (watched.get(current) ?? 0) > 0) {
        const owner = __owner_task(model_checker_read(i915.struct_mutex.owner)); // the checker's look, not an op of the walking CPU
        if (owner !== current && !grader_snapshot()) {
          const holder = owner === null ? 'nobody holds it: another CPU may take it and list_move() objects under the walk' :
            `${owner.comm}/${owner.pid} holds it and may list_move() or free objects under the walk`;
          WARN_ONCE(true, `drivers/gpu/drm/i915/i915_drv.h ${name}`,
            `(model) i915 ${name} walked without struct_mutex by ${current.comm}/${current.pid}; ${holder}.\n` +
            '(model) v4.11 protects the GEM object lists with struct_mutex only: list corruption or a use-after-free follows.');
        }
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  wrapped.add(proxy);
  if (which === 'objects') model_replace_i915_objects(i915, proxy);
  else model_field_set(i915.mm, which, proxy);
}

/**
 * model_watch_list_walks - run @fn (code a check judges, e.g. a learner's
 * count_objects) with every walk of @i915's object lists checked against
 * struct_mutex's owner: walking them without holding it is a WARNING.
 */
export async function model_watch_list_walks<T>(i915: drm_i915_private, fn: () => Promise<T>): Promise<T> {
  watch_list(i915, 'unbound_list');
  watch_list(i915, 'bound_list');
  watch_list(i915, 'objects');
  const me = current;
  watched.set(me, (watched.get(me) ?? 0) + 1);
  watching++;
  try {
    return await fn();
  } finally {
    watched.set(me, (watched.get(me) ?? 1) - 1);
    watching--;
  }
}
