// Models: the rule behind i915_gem_object_get_sg()'s first assertion
// (drivers/gpu/drm/i915/i915_gem.c, since v4.10's page-lookup radixtree):
// GEM_BUG_ON(!i915_gem_object_has_pinned_pages(obj)). Whoever reaches an
// object's pages must hold a pin on them at that moment: "pin before the
// first access, unpin after the last". A CONFIG_DRM_I915_DEBUG_GEM kernel
// BUGs on an access without one.
//
// Why an instrument: in v4.11 the task that holds struct_mutex cannot lose
// its pages between an unpin and a later access unless it allocates in
// between (every other shrinker caller fails the trylock). Since 2020 the
// shrinker no longer needs struct_mutex and takes objects one at a time
// under their own locks, so another CPU's reclaim can put the pages right
// after the unpin: use-after-free. The model imitates v4.11's locking, where
// no workload shows that window; the assertion shows the broken rule
// instead, the way the debug build does.
//
// Scope: only code a check puts under watch (model_watch_page_pins), e.g.
// the learner's relocation, and only pages the watched task itself unpinned
// down to zero during the watch (an access after its own last unpin).
// Accesses through pages never pinned are left to KASAN and the shrinker:
// that is the use-after-free lesson 06 shows.
import { model_checker_read } from '../../../../lib/atomic';
import { BUG } from '../../../../panic';
import { current } from '../../../../sched/core';
import type { task_struct } from '../../../../sched/task';
import type { drm_i915_gem_object, sg_table } from './i915_gem_object';

/** Tasks running code under watch, with their nesting depth. */
const watched = new Map<task_struct, number>();
/** Page tables the watched task unpinned down to no pin, and their objects. */
const unpinned_by_watched = new WeakMap<sg_table, drm_i915_gem_object>();

/**
 * model_watch_page_pins - run @fn in the current task with its page pins
 * under watch: once it drops the last pin on an object's pages, reaching
 * those pages again (a lookup through the table, a write through it)
 * without pinning them first is a kernel BUG.
 */
export async function model_watch_page_pins<T>(fn: () => Promise<T>): Promise<T> {
  const me = current;
  watched.set(me, (watched.get(me) ?? 0) + 1);
  try {
    return await fn();
  } finally {
    const depth = (watched.get(me) ?? 1) - 1;
    if (depth > 0) watched.set(me, depth);
    else watched.delete(me);
  }
}

/** i915_gem_object_pin_pages / _unpin_pages tell the watch where @obj's pin count went. */
export function model_page_pins_changed(obj: drm_i915_gem_object): void {
  const sgt = obj.mm.pages;
  if (!sgt || !watched.has(current)) return;
  if (model_checker_read(obj.mm.pages_pin_count) <= 0) unpinned_by_watched.set(sgt, obj);
  else unpinned_by_watched.delete(sgt);
}

/**
 * model_page_access - @where reaches a page through @sgt: a BUG if the
 * watched task already dropped its last pin on it and has not pinned again.
 */
export function model_page_access(sgt: sg_table, where: string): void {
  const obj = unpinned_by_watched.get(sgt);
  if (!obj || !watched.has(current) || model_checker_read(obj.mm.pages_pin_count) > 0) return;
  BUG('drivers/gpu/drm/i915/i915_gem.c:i915_gem_object_get_sg',
    `GEM_BUG_ON(!i915_gem_object_has_pinned_pages(obj)): ${where} reached a page of obj ${obj.id} after unpinning its pages. ` +
    'Unpin after the last access through the pages: from the unpin on, the shrinker may put them (since 2020 from another CPU, without struct_mutex).');
}
