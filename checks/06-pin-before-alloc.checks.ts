// The graded checks of exercise 06 (pin before alloc).
// Each check runs your i915_gem_execbuffer_relocate inside a GEM execbuffer
// ioctl that holds struct_mutex, so its kmalloc(GFP_KERNEL) may enter
// reclaim and the i915 shrinker may run inside it: once under every
// schedule within the bound (kswapd is awake too), and on machines generated
// with a fixed seed (the batch in every state, any mix of other objects,
// swap on and off, free memory at, just above and just below each
// watermark, lockdep on and off, any task name, allocations that fail).
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_once, type once_result } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { run_result } from '../kernel/init/main';
import {
  arb_racy_relocation_workload,
  arb_relocation_workload,
  big_batch,
  DECISIVE_RELOCATION,
  describe_relocation_workload,
  execbuffer_ioctl,
  HOG_COMM,
  LARGEST_BATCH_PAGES,
  NOTHING_TAKEN,
  new_execbuffer_outcome,
  relocate_under_pressure,
  RELOC_PARAMS,
  RELOC_WORKLOAD_MAX_STEPS,
  run_relocation,
  type execbuffer_outcome,
  type relocate_fn,
  type relocation_outcome,
  type relocation_workload,
} from '../scenarios/pin_before_alloc';
import { gem_world, type gem_world as world } from '../scenarios/i915_world';
import { model_watch_page_pins } from '../kernel/drivers/gpu/drm/i915/i915_gem_pages_debug';
import golden from './06-pin-before-alloc.golden';
import { model_describe_value } from '../kernel/model_value';
import { LATE_UPTIMES_SECS } from '../scenarios/uptime';
import { arb_machine, LARGEST_MACHINE } from '../scenarios/machine_ranges';
import { model_reserve_pages_taken } from '../kernel/mm/page_alloc';
import { current } from '../kernel/sched/core';

/**
 * Your relocation, with its page pins under watch (kernel/drivers/gpu/drm/i915/
 * i915_gem_pages_debug.ts): once it drops its last pin on the batch's pages,
 * reaching them again is i915_gem_object_get_sg()'s GEM_BUG_ON, as in a
 * CONFIG_DRM_I915_DEBUG_GEM kernel. In v4.11 nothing takes the pages in that
 * window while the caller holds struct_mutex and allocates no more; since
 * 2020 the shrinker needs no struct_mutex, and another CPU's reclaim can.
 */
const fn_of = (impl: exercise_impl): relocate_fn => {
  const relocate = impl.i915_gem_execbuffer_relocate as relocate_fn;
  return (i915, obj) => model_watch_page_pins(() => relocate(i915, obj));
};

/**
 * What a reviewer says of a relocation stopped at the step limit: with
 * struct_mutex held, a loop that retries an allocation which cannot reclaim
 * waits for kswapd, and kswapd's i915 shrinker cannot take the lock.
 */
const NEVER_FINISHED = 'the relocation never finished: it was still running with struct_mutex held long after the reference had returned. ' +
  'A loop that retries an allocation which cannot reclaim (GFP_NOWAIT, GFP_ATOMIC) until it succeeds waits for kswapd, and kswapd cannot help: ' +
  'its i915 shrinker finds struct_mutex held by this ioctl (mutex_trylock_recursive: FAILED) and leaves the buffer cache alone, while every ' +
  'other GEM client blocks on the lock. Allocate with GFP_KERNEL, so that reclaim runs in this task, with the batch pinned';

/** ENOMEM, negated: what the relocation returns when an allocation fails. */
const ENOMEM = 12;

/** One execbuffer ioctl under pressure, under the kernel's own scheduling. */
async function one_ioctl(relocate: relocate_fn): Promise<{ result: run_result; out: execbuffer_outcome }> {
  const out = new_execbuffer_outcome();
  const w = { world: null as world | null };
  const { result } = await run_once(RELOC_PARAMS, () => execbuffer_ioctl(w.world!, relocate, out), () => {
    w.world = gem_world({ release: '4.12' });
  });
  return { result, out };
}

const BAD_KINDS = ['kasan', 'deadlock', 'lockdep', 'bug', 'warn', 'oom', 'hung_task', 'forgotten_await', 'step_limit'] as const;

/**
 * first_bad_report - the first report that fails a generated relocation, as
 * "kind: title". The OOM killer picking the workload's memory hog is the
 * kernel making room, not a failure; any other OOM kill (above all of the
 * ioctl task itself) is.
 */
function first_bad_report(result: run_result, wl: relocation_workload): string | null {
  const x = result.reports.find((rep) => (BAD_KINDS as readonly string[]).includes(rep.kind) && !(wl.hog_pages && rep.kind === 'oom' && rep.title.endsWith(`(${HOG_COMM})`)));
  return x ? `${x.kind}: ${x.title}` : null;
}

/** What a reviewer adds when the workload changed the machine between the relocation's look and its kmalloc. */
function snapshot_note(wl: relocation_workload): string {
  const moved = [
    wl.racing_allocator ? 'another CPU allocated below the min watermark' : '',
    wl.user_unpins_in_kmalloc && wl.target.state === 'pinned-by-user' ? 'the batch\'s other user dropped its pin' : '',
  ].filter(Boolean);
  return moved.length ? `. Between the relocation's look and kmalloc's watermark check ${moved.join(' and ')}: free memory and others' pins are ` +
    'snapshots other CPUs change at any time, and only a pin the relocation takes itself, before the allocation, keeps the pages' : '';
}

/**
 * What the reference's outcome is compared on (what a reviewer reads off a
 * run): whether the injected fault hit, not how many tries it failed (a
 * fallback after a failed try meets it again).
 */
function reviewed(o: relocation_outcome): Omit<relocation_outcome, 'locks' | 'books' | 'same_pages' | 'unpinned_alloc'> {
  const { locks: _l, books: _b, same_pages: _s, unpinned_alloc: _u, ...rest } = o;
  return { ...rest, faults_hit: Math.min(rest.faults_hit, 1) };
}

/**
 * judge_relocation - everything a reviewer checks after one generated
 * relocation, in kernel terms, or null if it holds. A fault the injection
 * hit must end in -ENOMEM with nothing left behind; otherwise the
 * relocation must succeed wherever the reference does, write the batch
 * through the pages it kept, and leave pins, buffers, locks and the page
 * allocator's books as it found them.
 */
function judge_relocation(ctx: check_context, wl: relocation_workload, run: once_result<relocation_outcome>, reserve_pages: number): string | null {
  const { result, value: o } = run;
  const bad = first_bad_report(result, wl);
  if (bad) {
    const why = bad.startsWith('step_limit') && wl.hog_pages ? ': the relocation never finished. Here only the OOM killer can make room, and it does not run for an allocation ' +
      'without __GFP_FS (GFP_NOFS, GFP_NOIO; out_of_memory: "The OOM killer does not compensate for IO-less reclaim"): the allocator then retries forever, ' +
      'with struct_mutex held. An ioctl is not filesystem code; it allocates with GFP_KERNEL' :
      bad.startsWith('step_limit') ? `: ${NEVER_FINISHED}` :
      bad.includes('out-of-bounds') ? ': relocate_entry() reads every relocation entry from the buffer it is given, and this one is smaller than the entries (kmalloc room for all of them)' :
      bad.startsWith('kasan') ? ': the batch\'s pages were released inside the allocation (the shrinker ran in this task) and the relocation kept using them' + snapshot_note(wl) :
      bad.startsWith('oom') ? ': the relocation drove the machine into the OOM killer' : '';
    return `${bad}${why}${dmesg_tail(result, 12)}`;
  }
  if (!o) return `the relocation never returned: ${result.stop}${dmesg_tail(result)}`;
  if (o.locks) return `${o.locks} The relocation is called with struct_mutex held and must return with it held by the ioctl.`;
  if (o.books) return o.books;
  if (o.unpinned_alloc) {
    return `the relocation called ${o.unpinned_alloc} while the batch had pages and nothing pinned them. Pin the pages before any allocation ` +
      'that can reclaim, because under struct_mutex that allocation may run the i915 shrinker in this very task (mutex_trylock_recursive ' +
      'answers RECURSIVE: it is our lock), and the shrinker unbinds and puts every object not pinned beyond its bindings, the batch this ' +
      'ioctl is working on included. Allocating before looking the pages up does not keep them: the batch is swapped out and read back in, ' +
      'under the lock, at the moment memory is short; and every access to the pages needs a pin anyway (i915_gem_object_get_sg: ' +
      'GEM_BUG_ON(!i915_gem_object_has_pinned_pages(obj))). v4.11 allocates before pinning only in i915_gem_execbuffer_relocate_slow, after ' +
      'unreserving every object and dropping struct_mutex, and then looks up and pins them all again; a function called with struct_mutex ' +
      'held cannot do that. Whether reclaim runs depends on what the rest of the machine does meanwhile (kswapd, interrupts, other tasks), ' +
      'not on how much memory is free when the relocation looks.' +
      (wl.target.state === 'pinned-by-user' ? ' The pin the batch had was another user\'s (a CPU mmap): pages_pin_count is dropped without struct_mutex, ' +
        'whenever that user is done, so only a pin the relocation takes itself protects it.' : '');
  }
  if (reserve_pages > 0) {
    return `the relocation took ${reserve_pages} page(s) from below the min watermark (it returned ${model_describe_value(o.ret)}): those are the reserves ` +
      'that GFP_ATOMIC (__GFP_HIGH, ALLOC_HARDER) and PF_MEMALLOC (ALLOC_NO_WATERMARKS) open, kept for interrupt handlers and for reclaim itself. ' +
      'An ioctl allocates with GFP_KERNEL and lets reclaim make room; with the batch pinned, that reclaim cannot take its pages.';
  }
  if (o.pin_delta !== 0) {
    return `the batch's pages_pin_count changed by ${o.pin_delta > 0 ? '+' : ''}${o.pin_delta} across the relocation (it returned ${model_describe_value(o.ret)}). ` +
      (o.pin_delta > 0 ? 'A pin that is never dropped, on any way out, keeps the pages from the shrinker for good.' :
        'The batch lost a pin it had: an unpin without a pin, or the shrinker unbound the batch under the ioctl (a binding pins the pages once).');
  }
  if (o.reloc_buffers_leaked !== 0) return `${o.reloc_buffers_leaked} relocation buffer(s) were left allocated in kmalloc-1024 after the relocation returned ${model_describe_value(o.ret)}: every way out must kfree what it kmalloc'd.`;
  if (o.faults_hit > 0) {
    if (o.ret !== -ENOMEM) return `an allocation the relocation needed failed (fault injection), yet it returned ${model_describe_value(o.ret)}: a failed allocation must end the relocation with -ENOMEM.`;
    if (o.written !== 0) return 'an allocation failed, yet relocations were written into the batch: return -ENOMEM before touching it.';
  } else if (o.ret === 0) {
    if (o.written !== 1) {
      return `the relocation returned 0, but ${o.written} relocation(s) reached the page the batch holds afterwards (1 expected): ` +
        (o.written === 0 ? 'the GPU would run the batch with stale addresses. Write the entries through the pages you looked up (relocate_entry), after the allocation.' : 'write each entry once.');
    }
    if (!o.dirty) return 'the relocation wrote into the batch but did not mark it dirty (obj->mm.dirty): when the shrinker later puts its pages, they are dropped instead of written back, and the relocations are lost.';
    if (!o.same_pages && wl.target.state !== 'no-pages') {
      return 'the relocation succeeded, but the batch lost its pages during it and had them read in again: the shrinker undid the object under the ioctl ' +
        '(a swap-out and swap-in of a buffer in use, with struct_mutex held, while memory is short), and anything derived from a look at the pages ' +
        'before the allocation is stale. Pin the pages before any allocation that can reclaim, because under struct_mutex it runs the i915 shrinker in this task (RECURSIVE), which takes every object not pinned beyond its bindings: looking the pages up after the allocation does not keep them, it reads them back in (v4.11 allocates first only in i915_gem_execbuffer_relocate_slow, with struct_mutex dropped and every object unreserved, and pins them all again after).';
    }
  } else if (o.ret !== -ENOMEM) {
    return `the relocation returned ${model_describe_value(o.ret)}: it returns 0 or -ENOMEM.`;
  }
  return like_reference(ctx, wl, reviewed(o), (ref, got) => {
    // The injected fault hit an allocation this relocation makes and the reference does not (or the other way round:
    // a try without reclaim first moves the n'th allocation): each was judged by the rules above, not by the other's run.
    if (ref.faults_hit !== got.faults_hit) return null;
    if (ref.ret === 0 && got.ret !== 0) {
      return `the relocation returned ${model_describe_value(got.ret)} where the reference relocates the batch: a GFP_KERNEL allocation may reclaim, and ` +
        'reclaim can free the buffer cache here: an ioctl must not fail with -ENOMEM where the kernel can make room.';
    }
    if (got.stalled_jiffies > ref.stalled_jiffies || got.slept > ref.slept) {
      return `the relocation slept ${got.slept} time(s) over ${got.stalled_jiffies} jiffies; the reference sleeps ${ref.slept} time(s) over ${ref.stalled_jiffies}: ` +
        'an ioctl holding struct_mutex must not wait longer than its allocations make it.';
    }
    // Free memory afterwards is not compared: reserves are judged by the model's record above, and what is free
    // depends on who else ran meanwhile (a GFP_NOWAIT try that fails wakes kswapd, which reclaims towards the high
    // watermark while the ioctl goes on; one that succeeds never reaches the racing CPU's allocation): red team 13's
    // nowait_first_then_reclaim, a correct answer, left more free in one workload and less in another.
    const a = JSON.stringify({ ...ref, free_after: 0 });
    const b = JSON.stringify({ ...got, free_after: 0 });
    return a === b ? null : `the reference's relocation ends with ${JSON.stringify(ref)}, this one with ${JSON.stringify(got)}.`;
  });
}

/**
 * Machines for holds-on-any-machine: the generator's, plus (drawn apart) a
 * batch of up to 4096 pages on a machine big enough for it (big_batch), the
 * machine's CPUs, first pid and uptime from the whole range of each
 * (scenarios/machine_ranges.ts), and its memory, 1 to 64 GiB (red team 12's
 * pin_only_on_small_machines: a pin kept only on machines of 1 GiB or less
 * passed every check, every machine being a few thousand pages): a rule that
 * changes anywhere in a range meets a workload on the other side. The model
 * boots and fills a 64 GiB machine in well under a second (2ca669d).
 */
const arb_any_machine_relocation: fc.Arbitrary<relocation_workload> = fc
  .tuple(
    arb_relocation_workload(false),
    fc.option(fc.integer({ min: 13, max: 4096 }), { nil: null, freq: 4 }),
    fc.option(arb_machine, { nil: null }),
    fc.option(fc.integer({ min: 18, max: 24 }), { nil: null, freq: 3 }),
  )
  .map(([wl, big, m, ram_log2]) => {
    const sized = big === null || wl.target.state === 'no-pages' ? wl : big_batch(wl, big);
    return {
      ...sized,
      ...(m ? { nr_cpus: m.nr_cpus, first_pid: m.first_pid, uptime_secs: m.uptime_secs } : {}),
      // A big machine's atomic reserve lies thousands of pages below min, more than the workload's cache gives back:
      // there the generated relocation meets memory at min instead (the OOM killer is another exercise's story).
      ...(ram_log2 !== null
        ? { totalram_pages: Math.max(sized.totalram_pages ?? 0, 2 ** ram_log2), ...(sized.level.mark === 'atomic-floor' ? { level: { mark: 'min' as const, delta: 0 } } : {}) }
        : {}),
    };
  });

/** 2, 16 and 64 GiB of 4 KiB pages: a desktop, a workstation, a big server. */
const BIG_MACHINE_PAGES = [2 ** 19, 2 ** 22, 2 ** 24] as const;

function relocation_property(impl: exercise_impl, ctx: check_context, opts: { faults: boolean; racy?: boolean; arbitrary?: fc.Arbitrary<relocation_workload>; seed: number; generated: number; examples: relocation_workload[] }): Promise<check_outcome> {
  return for_each_workload(
    { arbitrary: opts.arbitrary ?? (opts.racy ? arb_racy_relocation_workload : arb_relocation_workload(opts.faults)), seed: opts.seed, generated: opts.generated, examples: opts.examples, describe: describe_relocation_workload },
    async (wl) => {
      // What the ioctl task takes from the reserves during the call (kernel/mm/page_alloc.ts's record, outside its own reclaim).
      const reserve = { pages: 0 };
      const relocate = fn_of(impl);
      const watched: relocate_fn = async (i915, obj) => {
        const ioctl = current;
        const before = model_reserve_pages_taken(ioctl);
        try {
          return await relocate(i915, obj);
        } finally {
          reserve.pages = model_reserve_pages_taken(ioctl) - before;
        }
      };
      const problem = judge_relocation(ctx, wl, await run_relocation(wl, watched, undefined, RELOC_WORKLOAD_MAX_STEPS), reserve.pages);
      return problem ? fail(problem) : pass();
    },
  );
}

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('06-pin-before-alloc', [
  {
    id: 'ex06-relocate-under-pressure',
    title: 'execbuffer relocates a batch while memory is short: its allocation may reclaim the very pages it is using',
    build: (impl) => ({ scenario: relocate_under_pressure('ex06-relocate-under-pressure', fn_of(impl)) }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '06-pin-before-alloc',
  golden,
  exports: { i915_gem_execbuffer_relocate: 'async function i915_gem_execbuffer_relocate(i915, obj): Promise<number>' },
  checks: [
    {
      id: 'no-use-after-free-under-reclaim',
      name: 'never touches freed pages when the shrinker runs inside its allocation, in any schedule',
      run: (impl) => explore_declared(scenarios, 'ex06-relocate-under-pressure', impl),
    },
    {
      id: 'succeeds-under-pressure',
      name: 'still succeeds under memory pressure, writing to the pages it looked up',
      async run(impl) {
        const { result, out } = await one_ioctl(fn_of(impl));
        const bad = first_report(result, [...BAD_KINDS]);
        if (bad) return fail(`the kernel complained: ${bad}${result.stop === 'step_limit' ? `: ${NEVER_FINISHED}` : ''}${dmesg_tail(result)}`);
        if (out.ret === null) return fail(`the relocation never returned: ${result.stop}${dmesg_tail(result)}`);
        if (out.ret !== 0) {
          return fail(`the relocation returned ${out.ret} with memory at the min watermark. A GFP_KERNEL allocation may reclaim, ` +
            'and reclaim could have freed the buffer cache: an ioctl must not fail with -ENOMEM where the kernel can make room.' + dmesg_tail(result, 6));
        }
        if (out.pages_after !== out.pages_before) {
          return fail('the relocation succeeded, but the object lost its pages during it and had them read in again: the shrinker undid ' +
            'the object under the ioctl (on a real machine, a swap-out and swap-in of a buffer in use, with struct_mutex held), and anything ' +
            'derived from a look at the pages before the allocation is stale. Pin the pages before any allocation that can reclaim, because under struct_mutex it runs the i915 shrinker in this task (RECURSIVE), which takes every object not pinned beyond its bindings: looking the pages up after the allocation does not keep them, it reads them back in (v4.11 allocates first only in i915_gem_execbuffer_relocate_slow, with struct_mutex dropped and every object unreserved, and pins them all again after).');
        }
        return pass('returned 0, on the same pages');
      },
    },
    {
      id: 'shrinkable-afterwards',
      name: 'leaves the object as shrinkable as it found it (every pin released)',
      async run(impl) {
        const { result, out } = await one_ioctl(fn_of(impl));
        if (out.ret === null) return fail(`the relocation never returned: ${result.stop}${result.stop === 'step_limit' ? `: ${NEVER_FINISHED}` : ''}${dmesg_tail(result)}`);
        if (out.pin_after !== out.pin_before) {
          return fail(`the object's pages_pin_count was ${out.pin_before} before the relocation and ${out.pin_after} after it. ` +
            (out.pin_after > out.pin_before
              ? 'A pin that is never dropped keeps the pages from the shrinker for good: can_release_pages() refuses the object from now on.'
              : 'An unpin without a pin lets the shrinker take pages someone else still uses.'));
        }
        return pass(`pages_pin_count back to ${out.pin_before}`);
      },
    },
    {
      id: 'relocates-the-batch',
      name: 'really relocates the batch: the entries land in the pages it keeps, the batch is marked dirty, the buffer is freed (lockdep on and off)',
      run: (impl, ctx) => relocation_property(impl, ctx, {
        faults: false,
        seed: 0x06a0,
        generated: 0, // the two examples only
        examples: [DECISIVE_RELOCATION, { ...DECISIVE_RELOCATION, lockdep: false, comm: 'kswapd0' }],
      }),
    },
    {
      id: 'holds-on-any-machine',
      name: 'on any machine (batch state, other objects, swap, memory at each watermark, lockdep, task name) relocates like the reference and leaves nothing behind',
      run: (impl, ctx) => relocation_property(impl, ctx, {
        faults: false,
        arbitrary: arb_any_machine_relocation,
        seed: 0x06b0,
        generated: 13, // after the examples
        examples: [
          // room for the batch's one page and its sg_table, and not one page more: the kmalloc after them reclaims
          { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 1 }, level: { mark: 'min', delta: 2 }, cache_objects: 2, comm: 'kswapd0' },
          { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 10 }, level: { mark: 'min', delta: 1 }, cache_objects: 4, lockdep: false, comm: 'Xorg' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4 }, level: { mark: 'atomic-floor', delta: 0 }, cache_objects: 7 },
          // the GPU still uses the cache: reclaim fails, and the OOM notifier (i915_gem_shrink_all, busy objects too) runs inside the kmalloc
          { ...DECISIVE_RELOCATION, cache_objects: 3, cache_busy_jiffies: 20, lockdep: false, comm: 'glxgears' },
          // nothing reclaim can take, no swap: only the OOM killer (picking the memory hog) makes room, and only for a __GFP_FS allocation
          { ...DECISIVE_RELOCATION, cache_objects: 0, swap: false, hog_pages: 24, level: { mark: 'atomic-floor', delta: 0 }, comm: 'Xorg' },
          // big batches (the generator draws 1 to 12 pages): past 64 and past SHRINK_BATCH (128) pages, idle in the GTT or unbound
          // (red team 10: pin-only-small-batches); a real batch buffer is up to megabytes, and its size changes nothing
          { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 80 }, comm: 'glxgears' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 130 }, lockdep: false },
          // a batch userspace marked DONTNEED while it still has pages: scan's first pass purges exactly these
          // (red team 11: no-pin-for-purgeable); it is the ioctl's batch all the same
          { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 4, purgeable: true }, comm: 'Xorg' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 6, purgeable: true }, lockdep: false },
          // a machine up past ten minutes and past 2^32 jiffies (red team 10: pin-only-in-first-ten-minutes passed every
          // check, which all booted fresh): the batch's pages are reclaimable under the ioctl whatever the uptime
          { ...DECISIVE_RELOCATION, uptime_secs: LATE_UPTIMES_SECS[0] },
          { ...DECISIVE_RELOCATION, lockdep: false, comm: 'Xorg', uptime_secs: LATE_UPTIMES_SECS[1] },
          // The largest batch, 64 MiB, unbound and bound, on the largest machine (red team 11: pin-only-up-to-256-pages,
          // each size close passed by a threshold one past it): judged by the rule that holds at every size, every
          // allocation that can reclaim made with the batch pinned. The generated machines draw sizes up to 4096 pages.
          big_batch({ ...DECISIVE_RELOCATION, comm: 'glxgears', nr_cpus: LARGEST_MACHINE.nr_cpus, first_pid: LARGEST_MACHINE.first_pid, uptime_secs: LARGEST_MACHINE.uptime_secs }, LARGEST_BATCH_PAGES),
          big_batch({ ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 0 }, lockdep: false }, 2_100),
          // The thread's case on machines of 2, 16 and 64 GiB (red team 12: pin_only_on_small_machines pinned only up to 1 GiB,
          // every machine here being a few thousand pages). Whether kmalloc(GFP_KERNEL) reclaims depends on free memory against
          // the watermarks, not on the size of the machine: Andrea's machine was a desktop. Judged by the same rules.
          ...BIG_MACHINE_PAGES.map((totalram_pages, i): relocation_workload => ({ ...DECISIVE_RELOCATION, totalram_pages, lockdep: i !== 1, comm: ['glxgears', 'Xorg', 'kswapd0'][i]! })),
          // A batch bound twice, in the global GTT and a context's ppgtt (red team 14's no_pin_when_multi_bound: 'each binding
          // pins the pages' passed every check, every batch being bound once): can_release_pages() discounts every binding's
          // pin (pages_pin_count > bind_count), and the shrinker unbinds every VMA of an idle batch.
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4, bound_twice: true }, comm: 'Xorg' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 8, bound_twice: true }, level: { mark: 'min', delta: 1 }, cache_objects: 3, lockdep: false },
          // A batch another client holds too (flink'd, or shared with PRIME), on top of execbuffer's own lookup reference
          // (a relocation that pinned only a batch it alone held, 'another reference keeps the object, so its pages stay', passed every check): a reference
          // keeps the struct, not its pages; the shrinker never reads the refcount.
          { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 4, shared: true }, comm: 'glxgears' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 6, shared: true }, lockdep: false },
          // A batch an earlier execbuffer relocated (dirty), and one whose previous request the GPU has completed but nobody
          // has retired yet (active_count set): the second execbuffer of a batch, the common case (red team 15's
          // skip-pin-when-dirty, 'dirty pages must be written back first', and a pin skipped for an active batch, 'the
          // shrinker skips active objects', passed every check: every batch was clean and idle). v4.11's put_pages releases
          // dirty pages too (they go to swap or the page cache), and i915_gem_shrink() retires requests before its walk.
          { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 8, dirty: true }, comm: 'Xorg' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4, dirty: true }, lockdep: false },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 6, gpu_completed: true }, comm: 'glxgears' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4, gpu_completed: true, bound_twice: true }, lockdep: false, level: { mark: 'min', delta: 1 }, cache_objects: 3 },
        ],
      }),
    },
    {
      id: 'pins-whatever-it-saw',
      name: 'pins the batch whatever free memory and other users\' pins were when it looked: another CPU allocates and the other user unpins during its kmalloc',
      run: (impl, ctx) => relocation_property(impl, ctx, {
        faults: false,
        racy: true,
        seed: 0x06d0,
        generated: 7, // after the 7 examples
        examples: [
          // plenty free one page above high when it looks: another CPU takes it below min before kmalloc's watermark check
          { ...DECISIVE_RELOCATION, level: { mark: 'high', delta: 1 }, racing_allocator: true },
          { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 12 }, level: { mark: 'high', delta: 1 }, cache_objects: 4, racing_allocator: true, lockdep: false, comm: 'Xorg' },
          { ...DECISIVE_RELOCATION, target: { state: 'bound', pages: 4 }, level: { mark: 'low', delta: 1 }, racing_allocator: true, comm: 'kswapd0' },
          // someone else's pin when it looks, dropped while the relocation sleeps in kmalloc
          { ...DECISIVE_RELOCATION, target: { state: 'pinned-by-user', pages: 8 }, user_unpins_in_kmalloc: true, racing_allocator: true },
          { ...DECISIVE_RELOCATION, target: { state: 'pinned-by-user', pages: 3 }, level: { mark: 'high', delta: 8 }, user_unpins_in_kmalloc: true, lockdep: false },
          { ...DECISIVE_RELOCATION, target: { state: 'unpinned', pages: 2 }, level: { mark: 'high', delta: 16 }, swap: false, cache_objects: 2, comm: 'i915_ioctl' },
          // nothing taken at all: however much is free when it looks, another CPU can take it before kmalloc
          { ...DECISIVE_RELOCATION, level: { mark: 'high', delta: NOTHING_TAKEN }, racing_allocator: true, lockdep: false },
        ],
      }),
    },
    {
      id: 'fails-cleanly-when-allocations-fail',
      name: 'when an allocation it needs fails (fault injection), returns -ENOMEM and leaves no pin, buffer or write behind',
      run: (impl, ctx) => relocation_property(impl, ctx, {
        faults: true,
        seed: 0x06c0,
        generated: 8, // after the 3 examples
        examples: [
          { ...DECISIVE_RELOCATION, fail_nth_kmalloc: 1 },
          { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 3 }, cache_objects: 2, fail_nth_kmalloc: 2, lockdep: false },
          { ...DECISIVE_RELOCATION, target: { state: 'no-pages', pages: 3 }, cache_objects: 2, fail_nth_kmalloc: 1, comm: 'i915_ioctl' },
        ],
      }),
    },
  ],
}));
