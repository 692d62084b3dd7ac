// The graded checks of exercise 11 (the VM side: deferred work wind-up).
// Each check runs your do_shrink_slab inside the model's shrink_slab, on a
// filesystem's dentry/inode cache (scenarios/fs_cache.ts: SHRINK_STOP
// without __GFP_FS, as super_cache_scan does), after generated storms of
// GFP_NOFS reclaims, with generated cache sizes, seeks, batches and pressure.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_once } from '../course/check_helpers';
import { fc, for_each_workload, like_reference } from '../course/workload';
import { user_task } from '../kernel/fork';
import { atomic_long_set } from '../kernel/lib/atomic';
import { cond_resched, current } from '../kernel/sched/core';
import { GFP_KERNEL, GFP_NOFS } from '../kernel/mm/gfp';
import { SWAP_CLUSTER_MAX } from '../kernel/mm/internal';
import { model_set_do_shrink_slab, SHRINK_BATCH, shrink_slab, shrinker_nr_deferred, type do_shrink_slab } from '../kernel/mm/vmscan';
import { arb_comm } from '../scenarios/gem_workloads';
import { register_fs_cache, type fs_cache } from '../scenarios/fs_cache';
import golden from './11-deferred-work-windup.golden';

type do_shrink_slab_fn = typeof do_shrink_slab;
const impl_of = (impl: exercise_impl): do_shrink_slab_fn => impl.do_shrink_slab as do_shrink_slab_fn;

/** A generated reclaim history: the cache, a storm of GFP_NOFS reclaims, then GFP_KERNEL ones. */
interface windup_workload {
  objects: number;
  seeks: number;
  /** 0: SHRINK_BATCH. */
  batch: number;
  /** GFP_NOFS shrink_slab calls first (each: the shrinker says SHRINK_STOP). */
  storm: number;
  /** The LRU pressure of every call: nr_scanned of nr_eligible pages (0 becomes SWAP_CLUSTER_MAX, as in shrink_slab). */
  nr_scanned: number;
  nr_eligible: number;
  /** GFP_KERNEL shrink_slab calls after the storm. */
  kernel_calls: number;
  comm: string;
}
const arb_windup: fc.Arbitrary<windup_workload> = fc.record({
  objects: fc.integer({ min: 20, max: 3000 }),
  seeks: fc.constantFrom(1, 2, 4),
  batch: fc.constantFrom(0, 16, 64, 512),
  storm: fc.integer({ min: 0, max: 60 }),
  nr_scanned: fc.integer({ min: 0, max: 512 }),
  nr_eligible: fc.integer({ min: 16, max: 8192 }),
  kernel_calls: fc.integer({ min: 1, max: 3 }),
  comm: arb_comm,
});
/** The lesson's case: a writeback-heavy machine, 40 GFP_NOFS reclaims, then an ordinary allocation. */
const STORM: windup_workload = { objects: 1000, seeks: 2, batch: 0, storm: 40, nr_scanned: 32, nr_eligible: 1024, kernel_calls: 2, comm: 'kswapd0' };

function describe_windup(wl: windup_workload): string {
  return `a cache of ${wl.objects} objects (seeks ${wl.seeks}, batch ${wl.batch || SHRINK_BATCH}); ${wl.storm} GFP_NOFS reclaims, then ` +
    `${wl.kernel_calls} GFP_KERNEL, each after scanning ${wl.nr_scanned} of ${wl.nr_eligible} LRU pages; called by "${wl.comm}"`;
}

/** The fresh pressure of one call on a cache of @freeable objects, as v4.11 computes it (integer arithmetic). */
function fresh_delta(wl: windup_workload, freeable: number): number {
  const nr_scanned = wl.nr_scanned || SWAP_CLUSTER_MAX;
  return Math.floor((Math.floor((4 * nr_scanned) / wl.seeks) * freeable) / (wl.nr_eligible + 1));
}

interface windup_outcome {
  /** nr_deferred after the storm. */
  deferred_after_storm: number;
  /** Objects evicted by each GFP_KERNEL call, and the cache size before it. */
  evicted: number[];
  before: number[];
  /** nr_deferred after each GFP_KERNEL call. */
  deferred: number[];
  /** Every scan_objects request, in order. */
  requests: number[];
  /** What each GFP_KERNEL shrink_slab call returned (the sum of do_shrink_slab's results). */
  returned: number[];
  /** Turns a runnable neighbour on the same CPU got during the GFP_KERNEL calls (only with a neighbour). */
  neighbour_turns: number;
}

/** run_history - boot, register the cache, plug @fn into shrink_slab, and replay @wl's reclaim history. */
async function run_history(fn: do_shrink_slab_fn, wl: windup_workload, opts: { count_says_zero?: boolean; preset_deferred?: number; neighbour?: boolean } = {}) {
  let cache: fs_cache | null = null;
  // A runnable task on the same CPU: it runs only when the reclaiming task reaches a schedule point.
  const neighbour = { turns: 0, counting: false, done: false };
  const once = await run_once(
    // A correct do_shrink_slab needs a few hundred steps here; a wound-up one loops for millions.
    { totalram_pages: 256, nr_cpus: 1, max_steps: 40_000 },
    async (): Promise<windup_outcome> => {
      const c = cache!;
      const call = (gfp: number) => shrink_slab(gfp, 0, null, wl.nr_scanned, wl.nr_eligible);
      for (let i = 0; i < wl.storm; i++) await call(GFP_NOFS);
      const out: windup_outcome = { deferred_after_storm: shrinker_nr_deferred(c.shrinker), evicted: [], before: [], deferred: [], requests: [], returned: [], neighbour_turns: 0 };
      neighbour.counting = true;
      for (let i = 0; i < wl.kernel_calls; i++) {
        const before = c.objects;
        out.returned.push(await call(GFP_KERNEL));
        out.before.push(before);
        out.evicted.push(before - c.objects);
        out.deferred.push(shrinker_nr_deferred(c.shrinker));
      }
      neighbour.counting = false;
      neighbour.done = true;
      out.neighbour_turns = neighbour.turns;
      out.requests = [...c.scan_requests];
      return out;
    },
    () => {
      cache = register_fs_cache({ objects: wl.objects, seeks: wl.seeks, batch: wl.batch, count_says_zero: opts.count_says_zero });
      if (opts.preset_deferred) atomic_long_set(cache.shrinker.nr_deferred![0]!, opts.preset_deferred);
      model_set_do_shrink_slab(fn);
      if (opts.neighbour) {
        user_task(async () => {
          while (!neighbour.done) {
            if (neighbour.counting) neighbour.turns++;
            await cond_resched();
          }
        }, 'neighbour');
      }
    },
    wl.comm,
  );
  return { ...once, cache: cache as fs_cache | null };
}

/**
 * Two reclaimers on one shrinker at once (one CPU, so they take turns at
 * every schedule point): kswapd's GFP_KERNEL shrink_slab scans a large cache
 * in small batches, and a writer's GFP_NOFS reclaims (the shrinker says
 * SHRINK_STOP) defer their work between kswapd's batches.
 */
interface concurrent_workload {
  objects: number;
  batch: number;
  /** The writer's GFP_NOFS shrink_slab calls, each after scanning nofs_scanned of CONCURRENT_ELIGIBLE LRU pages. */
  nofs_calls: number;
  nofs_scanned: number;
  kswapd_comm: string;
  writer_comm: string;
}
/**
 * kswapd's LRU pressure (512 of 1024 pages): fresh work worth the whole
 * cache, scanned in batches of 16: a hundred batches and more, so the writer
 * gets its turns (at kswapd's schedule points) before kswapd is done.
 */
const CONCURRENT_KSWAPD_SCANNED = 512;
const CONCURRENT_ELIGIBLE = 1023;
const arb_concurrent: fc.Arbitrary<concurrent_workload> = fc.record({
  objects: fc.integer({ min: 1500, max: 3000 }),
  batch: fc.constant(16),
  nofs_calls: fc.integer({ min: 8, max: 20 }),
  nofs_scanned: fc.integer({ min: 8, max: 16 }),
  kswapd_comm: arb_comm,
  writer_comm: arb_comm,
});
const describe_concurrent = (wl: concurrent_workload): string =>
  `a cache of ${wl.objects} objects (batch ${wl.batch}); "${wl.kswapd_comm}" runs one GFP_KERNEL reclaim (${CONCURRENT_KSWAPD_SCANNED} of ` +
  `${CONCURRENT_ELIGIBLE + 1} LRU pages scanned) while "${wl.writer_comm}" runs ${wl.nofs_calls} GFP_NOFS reclaims (${wl.nofs_scanned} pages each) between its batches`;

/**
 * run_concurrent - the writer starts once kswapd has claimed nr_deferred and
 * asked for its first batch; both run to the end; then nr_deferred is read.
 * What the writer's calls were owed is computed from the cache size each of
 * them counted (v4.11's integer arithmetic).
 */
async function run_concurrent(fn: do_shrink_slab_fn, wl: concurrent_workload) {
  let cache: fs_cache | null = null;
  const writer = { done: false, task: null as ReturnType<typeof user_task> | null, counted: [] as number[] };
  const once = await run_once(
    { totalram_pages: 256, nr_cpus: 1, max_steps: 40_000 },
    async () => {
      const c = cache!;
      await shrink_slab(GFP_KERNEL, 0, null, CONCURRENT_KSWAPD_SCANNED, CONCURRENT_ELIGIBLE);
      while (!writer.done) await cond_resched();
      return { deferred: shrinker_nr_deferred(c.shrinker), writer_counted: [...writer.counted] };
    },
    () => {
      const c = register_fs_cache({ objects: wl.objects, batch: wl.batch });
      cache = c;
      const count = c.shrinker.count_objects;
      // What each of the writer's calls counted (the last count in the call, should it count twice).
      c.shrinker.count_objects = async (sh, sc) => {
        const by_writer = current === writer.task;
        const n = await count(sh, sc);
        if (by_writer && writer.counted.length) writer.counted[writer.counted.length - 1] = n;
        return n;
      };
      model_set_do_shrink_slab(fn);
      writer.task = user_task(async () => {
        while (c.scan_requests.length === 0) await cond_resched();
        for (let i = 0; i < wl.nofs_calls; i++) {
          writer.counted.push(0);
          await shrink_slab(GFP_NOFS, 0, null, wl.nofs_scanned, CONCURRENT_ELIGIBLE);
        }
        writer.done = true;
      }, wl.writer_comm);
    },
    wl.kswapd_comm,
  );
  return once;
}

const bad_report = (r: Parameters<typeof first_report>[0]): string | null =>
  first_report(r, ['deadlock', 'hung_task', 'lockdep', 'bug', 'warn', 'kasan', 'forgotten_await', 'step_limit', 'oom']);

export default define_checks(refuse_kernel_object_state({
  exercise: '11-deferred-work-windup',
  exports: { do_shrink_slab: 'async function do_shrink_slab(shrinkctl, s, nr_scanned, nr_eligible): Promise<number>' },
  golden,
  checks: [
    {
      id: 'bounded-after-nofs-storm',
      name: 'after any storm of GFP_NOFS reclaims, one GFP_KERNEL reclaim with little fresh pressure evicts at most half the cache',
      run: (impl) =>
        for_each_workload(
          { arbitrary: arb_windup, seed: 0x1001, runs: 14, examples: [STORM, { ...STORM, batch: 16, objects: 60, comm: 'Xorg' }], describe: describe_windup },
          async (wl) => {
            const { result, value } = await run_history(impl_of(impl), wl);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the reclaim history did not finish: ${result.stop}${dmesg_tail(result)}`);
            for (let i = 0; i < value.evicted.length; i++) {
              const freeable = value.before[i]!;
              const delta = fresh_delta(wl, freeable);
              const bound = delta < Math.floor(freeable / 4) ? Math.floor(freeable / 2) : 2 * freeable;
              if (value.evicted[i]! > bound) {
                return fail(`GFP_KERNEL reclaim #${i + 1} evicted ${value.evicted[i]} of ${freeable} cached objects, on fresh pressure worth ${delta} ` +
                  `and ${i === 0 ? value.deferred_after_storm : value.deferred[i - 1]} deferred: deferred work wound up by GFP_NOFS callers must not ` +
                  `empty the cache at once (with fresh pressure under a quarter of the cache, at most half of it, ${bound}, in one call).`);
              }
            }
            return pass();
          },
        ),
    },
    {
      id: 'keeps-deferred-work',
      name: 'keeps the work GFP_NOFS callers could not do in nr_deferred, instead of dropping it, even while another reclaimer scans the same cache',
      run: (impl) =>
        for_each_workload(
          { arbitrary: arb_windup.filter((wl) => wl.storm > 0), seed: 0x1002, runs: 10, examples: [STORM], describe: describe_windup },
          async (wl) => {
            const { result, value } = await run_history(impl_of(impl), { ...wl, kernel_calls: 0 });
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the reclaim history did not finish: ${result.stop}${dmesg_tail(result)}`);
            // Later kernels (v5.13) cap what is deferred at twice the cache: a legitimate bound, so the spec allows it.
            const owed = Math.min(wl.storm * fresh_delta(wl, wl.objects), 2 * wl.objects);
            if (value.deferred_after_storm < owed) {
              return fail(`after ${wl.storm} GFP_NOFS reclaims, each worth ${fresh_delta(wl, wl.objects)} objects of pressure that the shrinker could not act on ` +
                `(SHRINK_STOP), nr_deferred is ${value.deferred_after_storm}, less than ${owed}: work a shrinker cannot do now is kept for a caller that can ` +
                '(up to twice the cache, if you bound it as v5.13 does), ' +
                'or a NOFS-heavy machine never shrinks its caches at all.');
            }
            return pass();
          },
        ).then((alone) =>
          !alone.ok
            ? alone
            : // Reclaimers run concurrently: what one defers while another scans must still be there afterwards.
              for_each_workload(
                {
                  arbitrary: arb_concurrent,
                  seed: 0x1012,
                  runs: 4,
                  // 2010 is not a multiple of the batch: kswapd has work left to give back when it is done.
                  examples: [{ objects: 2010, batch: 16, nofs_calls: 12, nofs_scanned: 12, kswapd_comm: 'kswapd0', writer_comm: 'kworker/u4:2' }],
                  describe: describe_concurrent,
                },
                async (wl) => {
                  const { result, value } = await run_concurrent(impl_of(impl), wl);
                  const bad = bad_report(result);
                  if (bad) return fail(`${bad}${dmesg_tail(result)}`);
                  if (!value) return fail(`the two reclaimers did not finish: ${result.stop}${dmesg_tail(result)}`);
                  const nofs = wl.nofs_scanned;
                  const owed_each = value.writer_counted.map((freeable) => fresh_delta({ ...STORM, nr_scanned: nofs, nr_eligible: CONCURRENT_ELIGIBLE }, freeable));
                  const last = value.writer_counted[value.writer_counted.length - 1] ?? wl.objects;
                  const owed = Math.min(owed_each.reduce((a, b) => a + b, 0), 2 * last);
                  if (value.deferred < owed) {
                    return fail(`"${wl.writer_comm}"'s ${wl.nofs_calls} GFP_NOFS reclaims deferred ${owed} objects of work while "${wl.kswapd_comm}" was scanning ` +
                      `the same cache, but afterwards nr_deferred is ${value.deferred}: another reclaimer's deferred work was overwritten. ` +
                      'nr_deferred is shared by every reclaimer at once: claim it with one atomic exchange, and give back what is left by adding to it, ' +
                      'never by storing over what others added meanwhile.');
                  }
                  return pass();
                },
              ),
        ),
    },
    {
      id: 'same-work-as-v4-11',
      name: 'asks each shrinker for exactly the work v4.11 asks for, call by call, and defers exactly the rest',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_windup,
            seed: 0x1003,
            runs: 14,
            examples: [
              STORM,
              { ...STORM, storm: 0, nr_scanned: 512, nr_eligible: 64 },
              // The edges of the arithmetic: fresh pressure exactly a quarter of the cache, and a total of exactly one batch.
              { ...STORM, storm: 10, nr_scanned: 125, nr_eligible: 999, kernel_calls: 1 },
              // The same edge on a cache not divisible by 4: delta is 250 = 1002 / 4 in integers (250.5 in floating point).
              { ...STORM, objects: 1002, storm: 10, nr_scanned: 125, nr_eligible: 1001, kernel_calls: 1 },
              { ...STORM, storm: 0, nr_scanned: 64, nr_eligible: 999, kernel_calls: 1 },
              // A cache smaller than one batch, asked for exactly all of it (4 * 16 / 1 * 100 / 64 = 100): it is scanned ("total_scan >= freeable").
              { ...STORM, objects: 100, seeks: 1, storm: 0, nr_scanned: 16, nr_eligible: 63, kernel_calls: 1 },
            ],
            describe: describe_windup,
          },
          async (wl) => {
            const { result, value } = await run_history(impl_of(impl), wl);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the reclaim history did not finish: ${result.stop}${dmesg_tail(result)}`);
            const lied = value.returned.findIndex((r, i) => r !== value.evicted[i]);
            if (lied >= 0) {
              return fail(`GFP_KERNEL reclaim #${lied + 1}: shrink_slab reported ${value.returned[lied]} objects freed, but the shrinker freed ${value.evicted[lied]}: ` +
                'do_shrink_slab returns the sum of what scan_objects returned (drop_caches loops on it).');
            }
            const differs = like_reference(ctx, wl, { ...value, neighbour_turns: 0 }, (ref, got) => {
              if (ref.deferred_after_storm !== got.deferred_after_storm) return `nr_deferred after the storm is ${got.deferred_after_storm}; v4.11 leaves ${ref.deferred_after_storm}`;
              for (let i = 0; i < ref.evicted.length; i++) {
                if (ref.evicted[i] !== got.evicted[i] || ref.deferred[i] !== got.deferred[i]) {
                  return `GFP_KERNEL reclaim #${i + 1} evicted ${got.evicted[i]} and left nr_deferred at ${got.deferred[i]}; v4.11 evicts ${ref.evicted[i]} and leaves ${ref.deferred[i]}`;
                }
              }
              if (JSON.stringify(ref.requests) !== JSON.stringify(got.requests)) {
                return `the scan_objects requests were [${got.requests.slice(0, 12).join(', ')}${got.requests.length > 12 ? ', …' : ''}]; ` +
                  `v4.11 asks for [${ref.requests.slice(0, 12).join(', ')}${ref.requests.length > 12 ? ', …' : ''}]`;
              }
              return null;
            });
            return differs ? fail(`${differs}. The arithmetic is integer arithmetic, as in the kernel: (4 * nr_scanned / seeks) * freeable / (nr_eligible + 1).`) : pass();
          },
        ),
    },
    {
      id: 'respects-the-scan-contract',
      name: 'calls scan in batches of at most batch objects, never more than twice the cache per call, and leaves nr_deferred alone when count says 0',
      run: (impl) =>
        for_each_workload(
          { arbitrary: arb_windup, seed: 0x1004, runs: 10, examples: [{ ...STORM, storm: 0, nr_scanned: 512, nr_eligible: 16, batch: 64 }], describe: describe_windup },
          async (wl) => {
            const fn = impl_of(impl);
            const { result, value } = await run_history(fn, wl);
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the reclaim history did not finish: ${result.stop}${dmesg_tail(result)}`);
            const batch = wl.batch || SHRINK_BATCH;
            const wrong = value.requests.find((n) => !(n >= 1 && n <= batch));
            if (wrong !== undefined) return fail(`scan_objects was asked for ${wrong} objects; the shrinker's batch is ${batch}: a shrinker is called in batches, so that it can drop its locks between them.`);
            for (let i = 0; i < value.evicted.length; i++) {
              if (value.evicted[i]! > 2 * value.before[i]!) return fail(`one GFP_KERNEL call scanned more than twice the cache (${value.evicted[i]} of ${value.before[i]}).`);
            }
            // A long scan yields between batches (cond_resched): a runnable task on the same CPU gets its turns.
            const long = await run_history(fn, { ...wl, objects: 3000, batch: 16, storm: 0, nr_scanned: 512, nr_eligible: 16, kernel_calls: 1 }, { neighbour: true });
            const bad_long = bad_report(long.result);
            if (bad_long) return fail(`${bad_long}${dmesg_tail(long.result)}`);
            if (!long.value) return fail(`the reclaim history did not finish: ${long.result.stop}${dmesg_tail(long.result)}`);
            if (long.value.neighbour_turns === 0) {
              return fail(`one shrink_slab call asked for ${long.value.requests.length} batches without ever letting another runnable task on its CPU run: ` +
                'the batch loop must reschedule between batches (cond_resched), or a large cache stalls the CPU for the whole scan.');
            }
            // count_objects says 0: nothing to do, and the work others deferred stays deferred.
            const zero = await run_history(fn, { ...wl, storm: 0, kernel_calls: 1 }, { count_says_zero: true, preset_deferred: 500 });
            const bad0 = bad_report(zero.result);
            if (bad0) return fail(`${bad0}${dmesg_tail(zero.result)}`);
            if (!zero.value) return fail(`the reclaim history did not finish: ${zero.result.stop}${dmesg_tail(zero.result)}`);
            if (zero.value.requests.length > 0) return fail('scan_objects was called although count_objects said 0: "0" means "nothing to do, skip me".');
            if (zero.value.deferred[0] !== 500) return fail(`count_objects said 0, and nr_deferred went from 500 to ${zero.value.deferred[0]}: with nothing to scan, the deferred work must be left for a later caller.`);
            return pass();
          },
        ),
    },
  ],
}));
