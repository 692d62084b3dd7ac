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
import { i915_gem_object_pin_to_display_plane, intel_framebuffer_init,
  i915_gem_object_bind,
  i915_gem_object_create,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_object_get, i915_gem_object_put } from '../kernel/drivers/gpu/drm/i915/i915_gem';
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
/**
 * Opt-in too: buffers the GPU rendered into and has finished with. The GPU
 * dirties every buffer it writes (i915_vma_move_to_active sets
 * obj->mm.dirty), so a desktop's bound buffers are mostly dirty, and Mesa's
 * BO cache is bound, idle, I915_MADV_DONTNEED and dirty. v4.11's
 * can_release_pages() does not look at dirty: 'bound-dirty' (purgeable) is
 * releasable, its pages truncated whatever dirty says; 'bound-dirty-needed'
 * (WILLNEED) is releasable only with swap, its dirty pages written there.
 */
export const DIRTY_GEM_OBJECT_KINDS = ['bound-dirty', 'bound-dirty-needed'] as const;
/**
 * Opt-in too: purgeable buffers whose pages are pinned beyond their
 * bindings (pages_pin_count > bind_count): a CPU mapping, a dma-buf export,
 * or execbuf's relocation pin (exercise 06) holds them. DONTNEED does not
 * make them releasable: v4.11's can_release_pages() refuses any object
 * with pages_pin_count > bind_count, and unbinding cannot drop those pins.
 * 'purgeable-pinned' is unbound, 'bound-pages-pinned' bound and idle.
 */
export const PAGES_PINNED_GEM_OBJECT_KINDS = ['purgeable-pinned', 'bound-pages-pinned'] as const;
/**
 * Opt-in too: 'freed' is a purgeable buffer userspace has just closed (its
 * last reference put: i915_gem_free_object marks it DONTNEED, counts it in
 * mm.free_count and waits for an RCU grace period, then the free worker
 * takes struct_mutex and frees it). Until then it is on its list with its
 * pages, releasable as any purgeable buffer: that is the only way i915's
 * shrinker sees it. mm.free_count counts objects on that road, not pages
 * reclaim can get: a count or a report that adds it promises memory that is
 * not there (red team 12: count_free_road, count_the_free_road). The
 * objects are put after every other object is made, so with struct_mutex
 * held by the caller (the free worker cannot run) they are on the road when
 * the function under test runs.
 */
export const FREE_ROAD_GEM_OBJECT_KINDS = ['freed'] as const;
/**
 * Opt-in too: 'bound-twice' is bound, idle and purgeable in two address
 * spaces (the global GTT and a context's ppgtt: with full ppgtt most
 * buffers have two VMAs), so bind_count is 2. v4.11's can_release_pages()
 * compares pages_pin_count with bind_count exactly so that such objects stay
 * releasable, and i915_gem_object_unbind() unbinds every VMA (red team 14's
 * multi_bound_hidden: a count that skipped bind_count > 1 passed every
 * check, every kind binding once).
 */
export const MULTI_BOUND_GEM_OBJECT_KINDS = ['bound-twice'] as const;
/**
 * Opt-in too: 'shared' is bound, idle and needed (WILLNEED), and another
 * client holds a reference to it: a window buffer exported with PRIME (or
 * flink'd) that the compositor imported, so base.refcount is 2. A reference
 * keeps the object, not its pages: v4.11's shrinker never reads the refcount,
 * and the buffer is releasable with swap like any needed one (its pages come
 * back on the next use). Every other kind has one reference, so an answer
 * keyed on refcount > 1 ('shared with another process: still in use') passed
 * every check.
 */
export const SHARED_GEM_OBJECT_KINDS = ['shared'] as const;
/**
 * Opt-in too: 'bound-active-needed' is bound, still needed (WILLNEED), and the
 * GPU is still rendering with it for another 50 jiffies: the buffers a
 * desktop's GPU uses are mostly WILLNEED. Not releasable now; with
 * I915_SHRINK_ACTIVE (i915_gem_shrink_all: drop_caches, the OOM notifier)
 * v4.11 waits for the GPU and releases it, with swap, as any needed buffer
 * (red team 15's active-only-if-purgeable: a shrink that skipped active
 * WILLNEED buffers even then passed all, every active kind being purgeable).
 */
export const ACTIVE_NEEDED_GEM_OBJECT_KINDS = ['bound-active-needed'] as const;
export type gem_object_kind =
  | (typeof ACTIVE_NEEDED_GEM_OBJECT_KINDS)[number]
  | (typeof SHARED_GEM_OBJECT_KINDS)[number]
  | (typeof MULTI_BOUND_GEM_OBJECT_KINDS)[number]
  | (typeof FREE_ROAD_GEM_OBJECT_KINDS)[number]
  | (typeof PAGES_PINNED_GEM_OBJECT_KINDS)[number]
  | (typeof DIRTY_GEM_OBJECT_KINDS)[number]
  | (typeof GEM_OBJECT_KINDS)[number]
  | (typeof MORE_GEM_OBJECT_KINDS)[number]
  | (typeof FRAMEBUFFER_GEM_OBJECT_KINDS)[number]
  | (typeof RETIRABLE_GEM_OBJECT_KINDS)[number];
/**
 * Every kind the model makes, the default ones and every opt-in list: a suite
 * that walks it (09's releases-what-the-reference-releases) meets every object
 * state the model has, where the default lists keep recorded workloads stable.
 * A new kind belongs here, with the goldens of the suites that walk it
 * regenerated (`npm run golden -- 09`). 'shared' joined in session 15
 * (red team 15's spare-shared in 09); 13's generators do not draw from it yet (issue #9).
 */
export const EVERY_GEM_OBJECT_KIND: readonly gem_object_kind[] = [
  ...GEM_OBJECT_KINDS,
  ...MORE_GEM_OBJECT_KINDS,
  ...FRAMEBUFFER_GEM_OBJECT_KINDS,
  ...RETIRABLE_GEM_OBJECT_KINDS,
  ...DIRTY_GEM_OBJECT_KINDS,
  ...PAGES_PINNED_GEM_OBJECT_KINDS,
  ...FREE_ROAD_GEM_OBJECT_KINDS,
  ...MULTI_BOUND_GEM_OBJECT_KINDS,
  ...ACTIVE_NEEDED_GEM_OBJECT_KINDS,
  ...SHARED_GEM_OBJECT_KINDS,
];

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
    case 'bound-twice':
    case 'bound-dirty':
    case 'purgeable':
    case 'bound-completed': // once retired, as v4.11's shrinker does first
    case 'freed': // on its list with its pages until the free worker runs
      return true;
    case 'needed':
    case 'dirty-needed':
    case 'bound-needed':
    case 'bound-dirty-needed':
    case 'framebuffer':
    case 'shared':
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
  const closed: drm_i915_gem_object[] = [];
  for (const s of specs) {
    const obj = await i915_gem_object_create(i915, s.pages * PAGE_SIZE);
    if (!obj) throw new Error('check setup: no memory for a GEM object');
    out.push(obj);
    if (s.kind === 'no-pages') continue;
    if (await i915_gem_object_pin_pages(obj)) throw new Error('check setup: no memory for GEM pages');
    if (s.kind === 'pinned') continue; // keeps its pin
    if (s.kind === 'purgeable-pinned') {
      i915_gem_object_set_madv(obj, I915_MADV_DONTNEED); // keeps its pin: mapped for the CPU, or exported
      continue;
    }
    i915_gem_object_unpin_pages(obj);
    switch (s.kind) {
      case 'scanout':
        await i915_gem_object_bind(obj);
        i915_gem_object_pin_to_display_plane(obj); // pinned for display
        break;
      case 'bound-idle':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        break;
      case 'bound-twice':
        await i915_gem_object_bind(obj); // the global GTT
        await i915_gem_object_bind(obj); // and a context's ppgtt
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        break;
      case 'bound-active':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        i915_gem_object_mark_active(obj, jiffies() + 1_000_000);
        break;
      case 'bound-active-needed':
        await i915_gem_object_bind(obj);
        i915_gem_object_mark_active(obj, jiffies() + 50);
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
        intel_framebuffer_init(obj); // a drm_framebuffer refers to it
        break;
      case 'bound-dirty':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        obj.mm.dirty = true; // the GPU rendered into it (i915_vma_move_to_active); that request is retired
        break;
      case 'bound-dirty-needed':
        await i915_gem_object_bind(obj);
        obj.mm.dirty = true; // as bound-dirty, still needed: its pages must go to swap
        break;
      case 'bound-pages-pinned':
        await i915_gem_object_bind(obj);
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        if (await i915_gem_object_pin_pages(obj)) throw new Error('check setup: no memory for GEM pages'); // execbuf's relocation pin (i915_gem_execbuffer.c)
        break;
      case 'needed':
        break;
      case 'shared':
        await i915_gem_object_bind(obj); // in the GTT, idle, still needed
        i915_gem_object_get(obj); // the compositor's PRIME import (the other client's handle)
        break;
      case 'freed':
        i915_gem_object_set_madv(obj, I915_MADV_DONTNEED);
        closed.push(obj);
        break;
    }
  }
  for (const obj of closed) i915_gem_object_put(obj); // userspace closes them last (GEM_CLOSE): no schedule point until the caller runs
  return out;
}

/**
 * boot_order_machine - a desktop's GEM lists in creation order, as reclaim
 * meets them: what was created at boot comes first (the framebuffer, cursor
 * and other scanout buffers at the head of the bound list, buffers pinned
 * for the CPU at the head of the unbound list), then the buffers made
 * since, the releasable ones among them, at the tails. The lists' order is
 * creation and binding order, not releasability: a walk that looks at the
 * first N objects of each list and extrapolates, or stops there, sees only
 * the boot buffers. @head_bound scanout and @head_unbound pinned buffers
 * of 1 page head the lists (44 and 44: past any sample of 40 or walk of 32;
 * 8 and 130: past a sample of SHRINK_BATCH, 128); the tail holds every
 * releasable kind, dirty ones included (42 pages). Both fit WORLD_PARAMS'
 * 256 pages.
 */
export function boot_order_machine(head_bound = 44, head_unbound = head_bound): gem_object_spec[] {
  const n = (kind: gem_object_kind, count: number): gem_object_spec[] => Array.from({ length: count }, () => ({ kind, pages: 1 }));
  return [
    ...n('scanout', head_bound),
    ...n('pinned', head_unbound),
    ...n('purgeable', 20),
    ...n('bound-idle', 10),
    ...n('bound-dirty', 6),
    ...n('bound-dirty-needed', 2),
    ...n('needed', 4),
  ];
}

/** describe_objects - "3 objects: pinned×2p, purgeable×4p, …" for failure messages; runs of one kind are folded ("no-pages×1p ×130"). */
export function describe_objects(specs: readonly gem_object_spec[]): string {
  const runs: string[] = [];
  for (let i = 0; i < specs.length; ) {
    let j = i;
    while (j < specs.length && specs[j]!.kind === specs[i]!.kind && specs[j]!.pages === specs[i]!.pages) j++;
    const one = `${specs[i]!.kind}×${specs[i]!.pages}p`;
    runs.push(j - i >= 10 ? `${one} ×${j - i}` : Array(j - i).fill(one).join(', '));
    i = j;
  }
  return `${specs.length} objects: ${runs.join(', ')}`;
}
