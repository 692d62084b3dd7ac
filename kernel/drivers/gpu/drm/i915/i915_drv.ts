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
  /** The shrinker callbacks in use (an exercise may replace some). */
  shrinker_ops: i915_shrinker_ops;
  /** Every object ever created on this device, for tests and the playground. */
  objects: drm_i915_gem_object[];
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
