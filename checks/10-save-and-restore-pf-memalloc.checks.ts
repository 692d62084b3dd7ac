// The graded checks of exercise 10 (save and restore PF_MEMALLOC).
// Each check runs your i915_gem_object_writeback on the kernel model: from
// every kind of caller (a GEM ioctl, a task in direct reclaim, kswapd, a
// no-I/O scope), at memory levels above and below the min watermark, and
// from inside the i915 shrinker while the allocating task is in direct
// reclaim, watching whether reclaim is entered again from inside itself.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_once } from '../course/check_helpers';
import { page_accounting } from '../course/invariants';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { v4_11_shrinker_ops, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { failslab_set } from '../kernel/mm/failslab';
import { fail_page_alloc_set } from '../kernel/mm/fail_page_alloc';
import { __GFP_ATOMIC, __GFP_HIGH } from '../kernel/mm/gfp';
import { zone_info, type page } from '../kernel/mm/page_alloc';
import { vm_events } from '../kernel/mm/vmstat';
import { current } from '../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC, PF_MEMALLOC_NOIO, PF_SWAPWRITE } from '../kernel/sched/task';
import { arb_comm, make_gem_objects, type gem_object_spec } from '../scenarios/gem_workloads';
import { allocate_pages, gem_world } from '../scenarios/i915_world';
import golden from './10-save-and-restore-pf-memalloc.golden';

type writeback_fn = (obj: drm_i915_gem_object) => Promise<number>;
const writeback_of = (impl: exercise_impl): writeback_fn => impl.i915_gem_object_writeback as writeback_fn;

/** Who calls: the task flags each kind of caller has when it gets here. */
const CALLERS: Record<string, number> = {
  'a GEM ioctl (no reclaim flags)': 0,
  'a task in direct reclaim (PF_MEMALLOC, set by __perform_reclaim)': PF_MEMALLOC,
  'kswapd (PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD)': PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD,
  'a no-I/O scope (PF_MEMALLOC_NOIO)': PF_MEMALLOC_NOIO,
  'direct reclaim inside a no-I/O scope': PF_MEMALLOC | PF_MEMALLOC_NOIO,
};
const CALLER_NAMES = Object.keys(CALLERS);

/**
 * A 1024-page machine: min watermark 64 pages, so the reserves below it hold
 * the writeback's pages. A correct writeback needs a few thousand scheduler
 * steps here; one that lets reclaim recurse runs until the step budget.
 */
const PARAMS = { totalram_pages: 1024, nr_cpus: 2, swap_pages: 256, max_steps: 40_000 } as const;
/** Take pages without waking kswapd or reclaiming: ALLOC_HIGH|ALLOC_HARDER go below min, to about half of it. */
const DRAIN = __GFP_HIGH | __GFP_ATOMIC;

interface writeback_workload {
  caller: string;
  comm: string;
  /** The object: pages, dirty or clean, with pages or never populated. */
  pages: number;
  dirty: boolean;
  populated: boolean;
  /** Memory above the low watermark, or drained below min (only the reserves are left). */
  low_memory: boolean;
  /**
   * With low_memory: drained further, to where even GFP_ATOMIC's
   * ALLOC_HIGH|ALLOC_HARDER stops: only ALLOC_NO_WATERMARKS (PF_MEMALLOC)
   * allocations still succeed, as deep in reclaim under heavy pressure.
   */
  atomic_floor?: boolean;
  lockdep: boolean;
}
const arb_writeback: fc.Arbitrary<writeback_workload> = fc.record({
  caller: fc.constantFrom(...CALLER_NAMES),
  comm: arb_comm,
  pages: fc.integer({ min: 1, max: 8 }),
  dirty: fc.boolean(),
  populated: fc.boolean(),
  low_memory: fc.boolean(),
  atomic_floor: fc.boolean(),
  lockdep: fc.boolean(),
});
const describe_writeback = (wl: writeback_workload): string =>
  `called by ${wl.caller}, named "${wl.comm}"; a ${wl.populated ? (wl.dirty ? 'dirty' : 'clean') : 'never populated'} object of ${wl.pages} pages; ` +
  `memory ${wl.low_memory ? (wl.atomic_floor ? 'drained below what even GFP_ATOMIC may take (only PF_MEMALLOC allocations succeed)' : 'below the min watermark') : 'plentiful'}; ` +
  `lockdep ${wl.lockdep ? 'on' : 'off'}`;

function spec_of(wl: writeback_workload): gem_object_spec {
  if (!wl.populated) return { kind: 'no-pages', pages: wl.pages };
  return { kind: wl.dirty ? 'dirty-needed' : 'needed', pages: wl.pages };
}

interface call_outcome {
  flags_before: number;
  flags_after: number;
  written: number;
  clean: boolean;
  /** Direct reclaims entered during the call (vm event allocstall). */
  reclaims: number;
  free_after: number;
  books: string | null;
}

/**
 * call_as - from a fresh machine, put the check task in @wl's caller's shoes
 * and call @fn once. With @fail_at, the allocation of that index made during
 * the call (slab or page, counted together from 0) fails, as fault injection
 * (failslab, fail_page_alloc) makes it.
 */
async function call_as(fn: writeback_fn, wl: writeback_workload, fail_at: number | null = null) {
  const w = { i915: null as drm_i915_private | null };
  return run_once(
    { ...PARAMS, lockdep: wl.lockdep },
    async (): Promise<call_outcome> => {
      const [obj] = await make_gem_objects(w.i915!, [spec_of(wl)]);
      // The caller keeps the object's pages for the call, as the shrinker does (in the kernel, the
      // object's page lock): kswapd, woken by the call's own allocations, must not put them under it.
      const pinned = obj!.mm.pages !== null;
      if (pinned) await i915_gem_object_pin_pages(obj!);
      const keep: page[] = [];
      if (wl.low_memory) while ((wl.atomic_floor || zone_info().free > zone_info().min - 8) && (await allocate_pages(1, DRAIN, keep)) === 1);
      const t = current;
      t.flags |= CALLERS[wl.caller]!;
      const flags_before = t.flags;
      const stalls = vm_events.allocstall;
      if (fail_at !== null) {
        let n = 0;
        const nth = (): boolean => n++ === fail_at;
        failslab_set(nth);
        fail_page_alloc_set(nth);
      }
      const written = await fn(obj!);
      failslab_set(null);
      fail_page_alloc_set(null);
      if (pinned) i915_gem_object_unpin_pages(obj!);
      const out = {
        flags_before,
        flags_after: t.flags,
        written,
        clean: !obj!.mm.dirty,
        reclaims: vm_events.allocstall - stalls,
        free_after: zone_info().free,
        books: page_accounting(),
      };
      t.flags &= ~(PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD | PF_MEMALLOC_NOIO); // let the task exit as a plain user task
      return out;
    },
    () => {
      w.i915 = gem_world({ release: '4.12' }).i915;
    },
    wl.comm,
  );
}

const flag_names = (f: number): string =>
  [[PF_MEMALLOC, 'PF_MEMALLOC'], [PF_MEMALLOC_NOIO, 'PF_MEMALLOC_NOIO'], [PF_SWAPWRITE, 'PF_SWAPWRITE'], [PF_KSWAPD, 'PF_KSWAPD']]
    .filter(([bit]) => f & (bit as number))
    .map(([, name]) => name)
    .join(' | ') || 'none';

const bad_report = (r: Parameters<typeof first_report>[0]): string | null => {
  if (r.stop === 'step_limit') {
    return `the call never returned within ${PARAMS.max_steps} scheduler steps: its allocations kept entering reclaim ` +
      '(did PF_MEMALLOC go missing while they ran?)';
  }
  return first_report(r, ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'forgotten_await', 'oom']);
};

/**
 * A direct reclaim in a GEM ioctl: the task holds struct_mutex and allocates
 * under pressure; reclaim calls the i915 shrinker, which writes the dirty
 * objects back (your function) before releasing pages. The instrumented
 * scan counts how often it is entered while already running.
 */
async function reclaim_through_writeback(fn: writeback_fn, comm: string, dirty_objects: number, lockdep: boolean) {
  const seen = { depth: 0, reentered: 0, writebacks: 0 };
  const scan: i915_shrinker_ops['scan'] = async (i915, sc) => {
    seen.depth++;
    if (seen.depth > 1) seen.reentered++;
    try {
      for (const obj of [...i915.mm.unbound_list]) {
        if (obj.mm.dirty && obj.mm.pages) {
          seen.writebacks++;
          await fn(obj);
        }
      }
      return await v4_11_shrinker_ops.scan(i915, sc);
    } finally {
      seen.depth--;
    }
  };
  const w = { i915: null as drm_i915_private | null };
  const once = await run_once(
    { ...PARAMS, lockdep },
    async () => {
      const specs: gem_object_spec[] = [
        ...Array.from({ length: dirty_objects }, () => ({ kind: 'dirty-needed' as const, pages: 4 })),
        { kind: 'purgeable', pages: 24 },
      ];
      await make_gem_objects(w.i915!, specs);
      await mutex_lock(w.i915!.struct_mutex);
      // Fill memory to below the min watermark: the next allocation enters direct reclaim.
      await allocate_pages(Math.max(0, zone_info().free - zone_info().min + 4));
      await allocate_pages(8);
      mutex_unlock(w.i915!.struct_mutex);
    },
    () => {
      w.i915 = gem_world({ release: '4.12', shrinker_ops: { scan } }).i915;
    },
    comm,
  );
  return { ...once, seen };
}

export default define_checks(refuse_kernel_object_state({
  exercise: '10-save-and-restore-pf-memalloc',
  exports: { i915_gem_object_writeback: 'async function i915_gem_object_writeback(obj): Promise<number>' },
  golden,
  checks: [
    {
      id: 'leaves-the-task-as-it-found-it',
      name: 'leaves every task flag as it found it, whoever calls (ioctl, direct reclaim, kswapd, a no-I/O scope), and never enters reclaim itself',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: arb_writeback,
            seed: 0x1001,
            generated: 11,
            shrink_budget: 10,
            examples: [
              { caller: CALLER_NAMES[1]!, comm: 'i915_ioctl', pages: 4, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[0]!, comm: 'Xorg', pages: 4, dirty: true, populated: true, low_memory: true, lockdep: false },
              { caller: CALLER_NAMES[2]!, comm: 'kswapd0', pages: 2, dirty: true, populated: true, low_memory: false, lockdep: true },
            ],
            describe: describe_writeback,
          },
          async (wl) => {
            const { result, value } = await call_as(writeback_of(impl), wl);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the call did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.flags_after !== value.flags_before) {
              return fail(`the task's flags were ${flag_names(value.flags_before)} before the call and ${flag_names(value.flags_after)} after it. ` +
                'A function that needs PF_MEMALLOC for its own allocations must put the flag back as it found it: its caller may be ' +
                'reclaim itself (and then must keep the flag, or its next allocation recurses into reclaim), or may not (and then must not ' +
                'keep dipping into the reserves).');
            }
            if (value.reclaims > 0) {
              return fail(`the call entered direct reclaim ${value.reclaims} time(s): its allocations must come from the reserves (PF_MEMALLOC), ` +
                'never from reclaim, whoever the caller is: it runs inside reclaim, with pages under writeback.');
            }
            if (value.books) return fail(value.books);
            return pass();
          },
        ),
    },
    {
      id: 'no-reclaim-recursion',
      name: 'called from the i915 shrinker in direct reclaim, never lets reclaim re-enter the shrinker from inside itself (lockdep on or off, any task name)',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: fc.record({ comm: arb_comm, dirty_objects: fc.integer({ min: 1, max: 4 }), lockdep: fc.boolean() }),
            seed: 0x1002,
            generated: 3,
            shrink_budget: 4,
            examples: [{ comm: 'i915_ioctl', dirty_objects: 2, lockdep: true }, { comm: 'i915_ioctl', dirty_objects: 1, lockdep: false }],
            describe: (wl) => `"${wl.comm}" holds struct_mutex and allocates below the min watermark; ${wl.dirty_objects} dirty object(s) to write back; lockdep ${wl.lockdep ? 'on' : 'off'}`,
          },
          async (wl) => {
            const { result, seen } = await reclaim_through_writeback(writeback_of(impl), wl.comm, wl.dirty_objects, wl.lockdep);
            if (seen.reentered > 0) {
              return fail(`the i915 shrinker was entered ${seen.reentered} time(s) while it was already running in the same task: reclaim recursed. ` +
                'Inside direct reclaim PF_MEMALLOC is what stops an allocation from entering reclaim again; a helper that clears it on its ' +
                'way out (even a nested one, inside your own function) hands the next allocation back to reclaim.' + dmesg_tail(result, 8));
            }
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (seen.writebacks === 0) return fail(`the shrinker never got to write anything back (${result.stop}): the check's setup went wrong.${dmesg_tail(result)}`);
            return pass();
          },
        ),
    },
    {
      id: 'writes-back-like-the-reference',
      name: 'writes back exactly the dirty pages, marks the object clean, and gives back every page it took, as the reference does',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_writeback,
            seed: 0x1003,
            generated: 8,
            shrink_budget: 10,
            examples: [
              { caller: CALLER_NAMES[2]!, comm: 'kswapd0', pages: 8, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[0]!, comm: 'i915_ioctl', pages: 6, dirty: true, populated: true, low_memory: true, atomic_floor: true, lockdep: false },
              // Real buffers are megabytes: a writeback that holds more than a page or two of the
              // reserves at a time runs them dry on an object this size (red team 6, batch-bounce-pages).
              { caller: CALLER_NAMES[2]!, comm: 'kswapd0', pages: 48, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[1]!, comm: 'i915_ioctl', pages: 40, dirty: true, populated: true, low_memory: true, atomic_floor: true, lockdep: false },
            ],
            describe: describe_writeback,
          },
          async (wl) => {
            const { result, value } = await call_as(writeback_of(impl), wl);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the call did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.books) return fail(value.books);
            const expected = wl.populated && wl.dirty ? wl.pages : 0;
            if (value.written !== expected) return fail(`i915_gem_object_writeback returned ${value.written}; the object has ${expected} dirty page(s) to write.`);
            if (wl.populated && !value.clean) return fail('every page was written, but the object is still marked dirty: the shrinker would write it again.');
            const differs = like_reference(ctx, wl, { written: value.written, clean: value.clean, free_after: value.free_after }, (ref, got) =>
              ref.free_after === got.free_after ? null : `after the call ${got.free_after} pages are free; after the reference's, ${ref.free_after}: pages taken were not all given back`,
            );
            return differs ? fail(differs) : pass();
          },
        ),
    },
    {
      id: 'restores-on-failure',
      name: 'when any of its allocations fails, gives up cleanly: flags as found, only the pages really written counted, the object dirty unless all were',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: fc.record({ wl: arb_writeback.map((wl) => ({ ...wl, populated: true, dirty: true })), fail_at: fc.integer({ min: 0, max: 16 }) }),
            seed: 0x1004,
            generated: 5,
            shrink_budget: 10,
            examples: [
              ...[0, 1, 2, 3].map((fail_at) => ({ wl: { caller: CALLER_NAMES[1]!, comm: 'i915_ioctl', pages: 3, dirty: true, populated: true, low_memory: false, lockdep: true }, fail_at })),
              // The first allocation (the writeback_control) fails for a caller without PF_MEMALLOC: the early way out must restore too.
              { wl: { caller: CALLER_NAMES[0]!, comm: 'Xorg', pages: 2, dirty: true, populated: true, low_memory: false, lockdep: false }, fail_at: 0 },
            ],
            describe: ({ wl, fail_at }) => `${describe_writeback(wl)}; allocation #${fail_at} of the call fails`,
          },
          async ({ wl, fail_at }) => {
            const { result, value } = await call_as(writeback_of(impl), wl, fail_at);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the call did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.flags_after !== value.flags_before) {
              return fail(`with allocation #${fail_at} failing, the call returned with the task's flags changed (${flag_names(value.flags_before)} → ${flag_names(value.flags_after)}): ` +
                'every way out of the function must restore what it saved.');
            }
            if (value.clean && value.written < wl.pages) return fail(`only ${value.written} of ${wl.pages} pages were written, but the object is marked clean: the rest of its data would be lost.`);
            if (value.books) return fail(value.books);
            const differs = like_reference(ctx, { wl, fail_at }, { written: value.written, clean: value.clean }, (ref, got) =>
              ref.written === got.written && ref.clean === got.clean
                ? null
                : `with allocation #${fail_at} failing, this code reports ${got.written} page(s) written (object ${got.clean ? 'clean' : 'dirty'}); ` +
                  `the reference reports ${ref.written} (object ${ref.clean ? 'clean' : 'dirty'}): a page counts as written only once its write got all it needed`,
            );
            return differs ? fail(differs) : pass();
          },
        ),
    },
  ],
}));
