// Models: dev_priv->mm.bound_list and mm.unbound_list (i915_drv.h), the lists
// every shrinker path walks to find objects with pages.
//
// Code handed the device reads them; only the GEM core moves objects on and
// off them (list_move_tail/list_del_init on obj->global_link). As live arrays,
// 06's starter took its batch off the lists for the length of its kmalloc and
// spliced it back after: no shrinker path found it, so nothing took its pages
// and the missing pin went unseen (grader red team 14 #05, 5/13 against the
// starter's 0/13). Here each list is an array behind a guard: reads are as
// before; a write throws as a read-only field does (the model writes the
// arrays behind the guards, model_gem_lists), except one spelling learner
// code has: i915_gem_shrink's list_del_init(&obj->global_link) once the object's
// pages are put, written `list.splice(list.indexOf(obj), 1)` (exercise 09's
// starter and reference). Removing an object that still has pages, adding
// one, or reordering is refused.
import type { drm_i915_gem_object } from './i915_gem_object';

/** The arrays behind one device's guarded lists (model_gem_lists). */
export interface gem_list_items {
  unbound_list: drm_i915_gem_object[];
  bound_list: drm_i915_gem_object[];
}
const items_of = new WeakMap<object, gem_list_items>();

/** model_gem_lists_attach - @items are the arrays behind @i915's lists (model_gem_list over each). */
export function model_gem_lists_attach(i915: object, items: gem_list_items): void {
  items_of.set(i915, items);
}

/**
 * model_gem_lists - the arrays behind @i915's lists, for the GEM core's own
 * list_add_tail/list_move_tail/list_del_init on obj->global_link. Those are
 * not walks of the list in the kernel, so they bypass both the guard and the
 * struct_mutex watch (i915_gem_list_debug.ts): through the guard every
 * element read is a trap, and the membership tests cost the model more
 * than all the rest of a check.
 */
export function model_gem_lists(i915: object): gem_list_items {
  return items_of.get(i915)!;
}

function refuse(what: string): never {
  throw new TypeError(`Cannot ${what} i915's GEM object list: only the GEM core moves objects on and off it (list_move_tail/list_del_init on obj->global_link, under struct_mutex); pin an object to keep its pages`);
}

/** model_gem_list - @items behind the guard above (the model keeps writing @items itself). */
export function model_gem_list(items: drm_i915_gem_object[]): drm_i915_gem_object[] {
  // list_del_init(&obj->global_link) after the pages were put, spelled as a splice of one.
  function list_del_init(start: number, delete_count: number, ...added: unknown[]): drm_i915_gem_object[] {
    const obj = items[start];
    if (added.length === 0 && delete_count === 1 && obj && obj.mm.pages === null) return items.splice(start, 1);
    return refuse(obj && obj.mm.pages !== null ? 'take an object that still has pages off' : 'splice');
  }
  return new Proxy(items, {
    get(target, prop, receiver) {
      if (prop === 'splice') return list_del_init;
      return Reflect.get(target, prop, receiver);
    },
    set(_target, prop) {
      return refuse(`write ${String(prop)} of`);
    },
    deleteProperty(_target, prop) {
      return refuse(`delete ${String(prop)} of`);
    },
    defineProperty(_target, prop) {
      return refuse(`define ${String(prop)} on`);
    },
    setPrototypeOf() {
      return refuse('change the prototype of');
    },
    preventExtensions() {
      return refuse('freeze');
    },
  });
}
