// Models: drivers/gpu/drm/i915/i915_drv.h (struct drm_i915_private, the
// I915_SHRINK_* flags, madvise states), v4.11.
//
// Only the GEM memory-management state the course needs: struct_mutex, the
// bound and unbound object lists, the RCU + llist + worker free path, the
// shrinker and the OOM notifier. There is no real GPU: an object is "active"
// until a virtual deadline passes (see i915_gem.ts).
import type { mutex } from '../../../../locking/mutex';
import type { llist_head } from '../../../../lib/llist';
import type { work_struct } from '../../../../workqueue';
import type { shrinker } from '../../../../mm/vmscan';
import type { notifier_block } from '../../../../mm/oom_kill';
import type { drm_i915_gem_object } from './i915_gem_object';
import type { i915_shrinker_ops } from './i915_gem_shrinker';
import { msecs_to_jiffies } from '../../../../time/timekeeping';

// i915_gem_shrink() flags (v4.x values; later kernels renumbered them and dropped PURGEABLE).
export const I915_SHRINK_PURGEABLE = 0x1;
export const I915_SHRINK_UNBOUND = 0x2;
export const I915_SHRINK_BOUND = 0x4;
export const I915_SHRINK_ACTIVE = 0x8;
export const I915_SHRINK_VMAPS = 0x10;

// Userspace's madvise hint for an object's backing store (include/uapi/drm/i915_drm.h).
export const I915_MADV_WILLNEED = 0;
export const I915_MADV_DONTNEED = 1;
/** Kernel-internal: the backing store was truncated. */
export const __I915_MADV_PURGED = 2;

/**
 * Which kernel's shrinker to run. The thread is about the differences:
 * - '4.10': i915_gem_shrink() calls synchronize_rcu_expedited() after its
 *   unlock, unconditionally, even when an outer frame still holds
 *   struct_mutex (the hang Andrea hit).
 * - '4.11': the wait moved into i915_gem_shrinker_unlock(), after a real
 *   unlock only (c053b5a, v4.11-rc7).
 * - '4.12': no RCU waits in the shrinker at all.
 */
export type i915_release = '4.10' | '4.11' | '4.12';

export interface i915_gem_mm {
  /** Objects with pages but no GTT binding. */
  unbound_list: drm_i915_gem_object[];
  /** Objects bound into the GTT. */
  bound_list: drm_i915_gem_object[];
  /** Objects whose last reference is gone, waiting for the free worker. */
  free_list: llist_head<drm_i915_gem_object>;
  free_work: work_struct;
  /** Objects handed to call_rcu() and not yet freed by the worker. */
  free_count: number;
  shrinker: shrinker;
  oom_notifier: notifier_block;
}

/** struct drm_i915_private, reduced to GEM memory management. */
export interface drm_i915_private {
  /** dev->struct_mutex: the big GEM lock of the era. */
  struct_mutex: mutex;
  mm: i915_gem_mm;
}

/**
 * How the model's i915 behaves, which struct drm_i915_private has no field
 * for: the kernel release whose shrinker it imitates, and whether it runs
 * Andrea's 2/5. Kept beside the device, not on it, so that code handed the
 * device (the learner's) cannot ask which kernel it is judged on: the fix
 * must hold whatever the answer.
 */
export interface model_i915_config {
  release: i915_release;
  /** Andrea's 2/5: flush the free worker from the shrinker after an unlock. */
  flush_free_work_in_shrinker: boolean;
}

const configs = new WeakMap<drm_i915_private, model_i915_config>();

/**
 * msecs_to_jiffies_timeout - i915_drv.h (v4.11): a timeout of @m ms in
 * jiffies, plus one, so that a wait is never shorter than asked when the
 * next tick is just about to come (the deadline i915 sets for its waits).
 */
export function msecs_to_jiffies_timeout(m: number): number {
  return msecs_to_jiffies(m) + 1;
}

/** model_i915_config - the model configuration of @i915 (set when gem_world created it). */
export function model_i915_config(i915: drm_i915_private): Readonly<model_i915_config> {
  const c = configs.get(i915);
  if (!c) throw new Error('model_i915_config: a device the model did not create');
  return c;
}

/** model_set_i915_config - record @config for @i915 (once, at creation). */
export function model_set_i915_config(i915: drm_i915_private, config: model_i915_config): void {
  configs.set(i915, Object.freeze({ ...config }));
}

/**
 * What the model keeps per device that struct drm_i915_private has no field
 * for, beside the device and not on it (as model_i915_config), so that code
 * handed the device (the learner's) cannot read it: v4.11 keeps its objects
 * on mm.bound_list and mm.unbound_list only, and its shrinker in
 * i915->mm.shrinker; there is no list of every object and no table of
 * callbacks to call instead of writing one.
 */
interface model_i915_private {
  /** The shrinker callbacks in use (an exercise may replace some), fixed at boot. */
  readonly shrinker_ops: Readonly<i915_shrinker_ops>;
  /** Every object ever created on this device, freed ones too: for the model's own checks and the playground. */
  objects: drm_i915_gem_object[];
}

const privates = new WeakMap<drm_i915_private, model_i915_private>();

function model_private(i915: drm_i915_private, who: string): model_i915_private {
  const p = privates.get(i915);
  if (!p) throw new Error(`${who}: a device the model did not create`);
  return p;
}

/** model_i915_objects - every object created on @i915 (the model's record; the kernel has no such list). */
export function model_i915_objects(i915: drm_i915_private): drm_i915_gem_object[] {
  return model_private(i915, 'model_i915_objects').objects;
}

/** model_i915_shrinker_ops - the shrinker callbacks @i915 was booted with (the model's, or an exercise's). */
export function model_i915_shrinker_ops(i915: drm_i915_private): Readonly<i915_shrinker_ops> {
  return model_private(i915, 'model_i915_shrinker_ops').shrinker_ops;
}

/** model_set_i915_private - record @i915's callbacks (frozen) and an empty object record (once, at creation). */
export function model_set_i915_private(i915: drm_i915_private, shrinker_ops: i915_shrinker_ops): void {
  privates.set(i915, { shrinker_ops: Object.freeze({ ...shrinker_ops }), objects: [] });
}

/** model_replace_i915_objects - swap @i915's object record for @list (the list-walk watch's Proxy over the same array). */
export function model_replace_i915_objects(i915: drm_i915_private, list: drm_i915_gem_object[]): void {
  model_private(i915, 'model_replace_i915_objects').objects = list;
}
