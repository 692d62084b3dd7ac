// Generated GEM machines for the checks: every kind of object the i915
// shrinker must tell apart, in any mix, and the names tasks may have.
//
// A shrinker is judged on the whole population reclaim meets, not on five
// objects picked by hand: pinned pages, bindings pinned for scanout or
// execbuf, buffers the GPU is still using, purgeable buffers (Mesa's
// I915_MADV_DONTNEED cache), buffers userspace still needs (releasable only
// if there is swap to write them to), dirty ones, and objects with no pages.
import { fc } from '../course/workload';
import { I915_MADV_DONTNEED, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_bind,
  i915_gem_object_create,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { jiffies } from '../kernel/time/timekeeping';

/** The kinds of GEM object reclaim must tell apart. */
export const GEM_OBJECT_KINDS = [
  'pinned', //        pages pinned by a user (e.g. mapped for the CPU): never releasable
  'scanout', //       bound, and the binding pinned for display: never releasable
  'bound-idle', //    bound, purgeable, the GPU is done with it: releasable (unbind first)
  'bound-active', //  bound, purgeable, the GPU still uses it: not now
  'purgeable', //     unbound, I915_MADV_DONTNEED: releasable, straight back to the free lists
  'needed', //        unbound, I915_MADV_WILLNEED: releasable only if there is swap
  'dirty-needed', //  as needed, and written by the GPU: must go to swap, releasable only with swap
  'no-pages', //      created, never populated: nothing to release
] as const;
/**
 * Kinds that suites opt into (arb_gem_objects' @kinds), kept out of the
 * default list so that existing generated workloads stay as recorded:
 * 'bound-needed' is bound to the GTT, idle, and still needed (WILLNEED), the
 * commonest object on a real desktop: releasable only with swap, after
 * unbinding, so only a pass that walks the bound list without PURGEABLE
 * releases it.
 */
export const MORE_GEM_OBJECT_KINDS = ['bound-needed'] as const;
/**
 * Opt-in too (its own list, so that suites spreading MORE_GEM_OBJECT_KINDS
 * keep their recorded workloads): 'framebuffer' is bound, idle and needed,
 * and a drm_framebuffer refers to it (intel_framebuffer_init takes
 * obj->framebuffer_references) though it is not on screen now.
 * i915_gem_shrink() skips it unless I915_SHRINK_ACTIVE (v4.10); the count
 * does not look at framebuffer_references.
 */
export const FRAMEBUFFER_GEM_OBJECT_KINDS = ['framebuffer'] as const;
/**
 * Opt-in too: 'bound-completed' is bound and purgeable, and the GPU has
 * completed the request that used it, but nobody has retired that request
 * yet (the retire worker runs once a second): obj->active_count is still
 * set. i915_gem_shrink() releases it only after i915_gem_retire_requests()
 * (v4.11 retires before its walk); without retiring, it stays active.
 */
export const RETIRABLE_GEM_OBJECT_KINDS = ['bound-completed'] as const;
export type gem_object_kind =
  | (typeof GEM_OBJECT_KINDS)[number]
  | (typeof MORE_GEM_OBJECT_KINDS)[number]
  | (typeof FRAMEBUFFER_GEM_OBJECT_KINDS)[number]
  | (typeof RETIRABLE_GEM_OBJECT_KINDS)[number];

export interface gem_object_spec {
  kind: gem_object_kind;
  pages: number;
}

/** arb_gem_objects - from @min to @max objects of any of @kinds, 1 to @max_pages pages each. */
export function arb_gem_objects(min = 1, max = 10, max_pages = 6, kinds: readonly gem_object_kind[] = GEM_OBJECT_KINDS): fc.Arbitrary<gem_object_spec[]> {
  return fc.array(fc.record({ kind: fc.constantFrom(...kinds), pages: fc.integer({ min: 1, max: max_pages }) }), {
    minLength: min,
    maxLength: max,
  });
}

/**
 * Task names a rule keyed to a comm would trip over: the thread's own
 * (i915_ioctl, kswapd0, kworkers), the checks' own, and a user program.
 * Two roles may get the same name.
 */
export const TASK_COMMS = ['i915_ioctl', 'kswapd0', 'kworker/0:1', 'check', 'gpu_wait', 'Xorg', 'glxgears'] as const;
export const arb_comm = fc.constantFrom(...TASK_COMMS);

/** Is an object of @kind releasable now (the i915 rule, v4.11: unpinned, idle, and purgeable or swappable)? */
export function kind_is_releasable(kind: gem_object_kind, swap: boolean): boolean {
  switch (kind) {
    case 'bound-idle':
    case 'purgeable':
    case 'bound-completed': // once retired, as v4.11's shrinker does first
      return true;
    case 'needed':
    case 'dirty-needed':
    case 'bound-needed':
    case 'framebuffer':
      return swap;
    default:
      return false;
  }
}

/** Pages of @specs that are releasable now: the count a correct shrinker reports. */
export function releasable_pages(specs: readonly gem_object_spec[], swap: boolean): number {
  return specs.reduce((n, s) => n + (kind_is_releasable(s.kind, swap) ? s.pages : 0), 0);
}

/**
 * make_gem_objects - from a task: create @specs on @i915. Returns the
 * objects in order. Throws if the machine is too small (a check's setup
 * error, not the learner's).
 */
export async function make_gem_objects(i915: drm_i915_private, specs: readonly gem_object_spec[]): Promise<drm_i915_gem_object[]> {
  const out: drm_i915_gem_object[] = [];
  for (const s of specs) {
    const obj = await i915_gem_object_create(i915, s.pages * PAGE_SIZE);
    if (!obj) throw new Error('check setup: no memory for a GEM object');
    out.push(obj);
    if (s.kind === 'no-pages') continue;
    if (await i915_gem_object_pin_pages(obj)) throw new Error('check setup: no memory for GEM pages');
    if (s.kind === 'pinned') continue; // keeps its pin
    i915_gem_object_unpin_pages(obj);
    switch (s.kind) {
      case 'scanout':
        await i915_gem_object_bind(obj);
        obj.vma_pin_count++; // pinned for display (i915_gem_object_pin_to_display_plane)
        break;
      case 'bound-idle':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        break;
      case 'bound-active':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        i915_gem_object_mark_active(obj, jiffies() + 1_000_000);
        break;
      case 'bound-completed':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        i915_gem_object_mark_active(obj, jiffies()); // its request completes now; retired later
        break;
      case 'purgeable':
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        break;
      case 'dirty-needed':
        obj.mm.dirty = true; // written through a CPU mapping
        break;
      case 'bound-needed':
        await i915_gem_object_bind(obj); // in the GTT, idle, still needed
        break;
      case 'framebuffer':
        await i915_gem_object_bind(obj);
        obj.framebuffer_references++; // intel_framebuffer_init: a drm_framebuffer refers to it
        break;
      case 'needed':
        break;
    }
  }
  return out;
}

/** describe_objects - "3 objects: pinned×2p, purgeable×4p, …" for failure messages. */
export function describe_objects(specs: readonly gem_object_spec[]): string {
  return `${specs.length} objects: ${specs.map((s) => `${s.kind}×${s.pages}p`).join(', ')}`;
}
