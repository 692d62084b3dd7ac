// The graded checks of exercise 02 (scan must say STOP).
// Each check runs your i915_gem_shrinker_scan on the kernel model.
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { dmesg_tail, first_report, no_failures, run_once, run_in_gem_world } from '../course/check_helpers';
import type { scenario } from '../explorer/scenario';
import { I915_MADV_DONTNEED, type drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_create,
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_set_madv,
  i915_gem_object_unpin_pages,
  PAGE_SIZE,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOWAIT, __GFP_NOWARN } from '../kernel/mm/gfp';
import { shrink_slab, shrinker_nr_deferred, SHRINK_STOP, type shrink_control } from '../kernel/mm/vmscan';
import { current, msleep, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { jiffies } from '../kernel/time/timekeeping';
import { allocate_pages, cache_pages_resident, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';
import { lockfree_count } from '../scenarios/thread';

type scan_fn = i915_shrinker_ops['scan'];
const scan_of = (impl: exercise_impl): scan_fn => impl.i915_gem_shrinker_scan as scan_fn;
const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'kasan', 'forgotten_await', 'step_limit'] as const;
const show = (ret: number | undefined): string => (ret === SHRINK_STOP ? 'SHRINK_STOP' : String(ret));

/** A control for a direct call, as do_shrink_slab() would fill it in. */
const sc_for = (nr_to_scan: number): shrink_control => ({ gfp_mask: GFP_KERNEL, nr_to_scan, nid: 0, memcg: null });

/** Pages still held by @objs. */
const resident = (objs: drm_i915_gem_object[]): number => objs.reduce((s, o) => s + (o.mm.pages ? o.mm.pages.pages.length : 0), 0);

/** An object of @pages pages that has its pages and is not pinned (the shrinker may release it). */
async function idle_object(i915: drm_i915_private, pages: number, madv?: number): Promise<drm_i915_gem_object> {
  const obj = await i915_gem_object_create(i915, pages * PAGE_SIZE);
  if (!obj || (await i915_gem_object_pin_pages(obj))) throw new Error('check setup: out of memory');
  i915_gem_object_unpin_pages(obj);
  if (madv !== undefined) i915_gem_object_set_madv(obj, madv);
  return obj;
}

/**
 * Check (a). Reclaim's pressure numbers are chosen so the arithmetic is easy
 * to follow (lesson 02 works it through): shrink_node() scanned 32 of 63 LRU
 * pages and the count reports the 48 pages of the buffer cache, so
 * delta = (4 * 32 / DEFAULT_SEEKS) * 48 / (63 + 1) = 48 = total_scan: one
 * scan call with nr_to_scan = 48.
 */
const PASS_SCANNED = 32;
const PASS_ELIGIBLE = 63;
const PASS_WORK = 48;

interface deferral_run {
  /** scan's answers while the GPU task held struct_mutex. */
  busy_returns: number[];
  /** nr_deferred after that reclaim pass, and the cache pages left. */
  deferred_after_busy: number;
  cache_after_busy: number;
  /** Scan calls after the GPU task unlocked: who made them, and what came back. */
  later: Array<{ comm: string; nr_to_scan: number; ret: number }>;
  cache_at_end: number;
}

async function run_deferral(scan: scan_fn): Promise<{ result: run_result; value: deferral_run | undefined }> {
  const w = { world: null as ReturnType<typeof gem_world> | null, populated: false, gpu_released: false };
  const seen: deferral_run = { busy_returns: [], deferred_after_busy: -1, cache_after_busy: -1, later: [], cache_at_end: -1 };
  const recording: scan_fn = async (i915, sc) => {
    const owner = __mutex_owner(i915.struct_mutex);
    const busy = owner !== null && owner !== current;
    const nr_to_scan = sc.nr_to_scan;
    const ret = await scan(i915, sc);
    if (busy) seen.busy_returns.push(ret);
    else if (w.gpu_released) seen.later.push({ comm: current.comm, nr_to_scan, ret });
    return ret;
  };
  const { result, value } = await run_once(WORLD_PARAMS, async () => {
    const world = w.world!;
    await populate(world); // 140 pinned pages + a 4 x 12-page purgeable buffer cache
    w.populated = true;
    while (!mutex_is_locked(world.i915.struct_mutex)) await msleep(1);
    // One reclaim pass, as shrink_node() makes after its LRU scan, while the GPU task holds the lock.
    await shrink_slab(GFP_KERNEL, 0, null, PASS_SCANNED, PASS_ELIGIBLE);
    seen.deferred_after_busy = shrinker_nr_deferred(world.i915.mm.shrinker);
    seen.cache_after_busy = cache_pages_resident(world);
    while (!w.gpu_released) await msleep(1);
    // Allocate below the low watermark without reclaiming ourselves: kswapd wakes and does the work.
    await allocate_pages(30, GFP_NOWAIT | __GFP_NOWARN);
    await msleep(10);
    seen.cache_at_end = cache_pages_resident(world);
    return seen;
  }, () => {
    // A count that needs no lock (modern i915's, exercise 01's alternative), so that
    // scan is called while another task holds struct_mutex. In v4.11 the same
    // happens when the lock is taken between count and scan.
    w.world = gem_world({ release: '4.12', shrinker_ops: { count: lockfree_count, scan: recording } });
    user_task(async () => {
      while (!w.populated) await msleep(1);
      await mutex_lock(w.world!.i915.struct_mutex);
      await msleep(20); // waiting for the GPU with the lock held
      w.gpu_released = true;
      mutex_unlock(w.world!.i915.struct_mutex);
    }, 'gpu_wait');
  });
  return { result, value };
}

/**
 * Checks (b) and (c): four 12-page buffers userspace still needs (created
 * first, so they head the unbound list) and four purgeable 12-page buffers,
 * on a machine with swap, so both kinds can be released. Two scans: 24
 * pages, then 36.
 */
interface partial_run {
  first: { ret: number; purgeable: number; needed: number };
  second: { ret: number; purgeable: number; needed: number };
}

async function run_partial(scan: scan_fn): Promise<{ result: run_result; value: partial_run | undefined }> {
  const w = { i915: null as drm_i915_private | null };
  return run_once({ ...WORLD_PARAMS, swap_pages: 128 }, async () => {
    const i915 = w.i915!;
    const needed: drm_i915_gem_object[] = [];
    const purgeable: drm_i915_gem_object[] = [];
    for (let i = 0; i < 4; i++) needed.push(await idle_object(i915, 12));
    for (let i = 0; i < 4; i++) purgeable.push(await idle_object(i915, 12, I915_MADV_DONTNEED));
    const step = async (nr_to_scan: number, before: { p: number; n: number }) => {
      const ret = await scan(i915, sc_for(nr_to_scan));
      return { ret, purgeable: before.p - resident(purgeable), needed: before.n - resident(needed) };
    };
    const first = await step(24, { p: 48, n: 48 });
    const second = await step(36, { p: resident(purgeable), n: resident(needed) });
    return { first, second };
  }, () => {
    w.i915 = gem_world({ release: '4.12' }).i915;
  });
}

/**
 * Check (d): the GEM ioctl holds struct_mutex and allocates while the GPU is
 * busy scanning out, so the OOM notifier cannot get the GPU idle within its
 * five seconds. Only the shrinker, called recursively from the ioctl's own
 * reclaim, can give the buffer cache back before the OOM killer picks a
 * bystander ("firefox").
 */
function holder_allocates(scan: scan_fn): scenario {
  return {
    id: 'ex02-holder-allocates',
    params: { ...WORLD_PARAMS },
    setup() {
      const w = gem_world({ release: '4.12', shrinker_ops: { scan } });
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 15 });
      user_task(async () => {
        await populate(w, { pinned_pages: 125, cache_objects: 4, cache_object_pages: 12 });
        if (w.scanout) i915_gem_object_mark_active(w.scanout, jiffies() + 30_000);
        await mutex_lock(w.i915.struct_mutex);
        await allocate_pages(40);
        mutex_unlock(w.i915.struct_mutex);
      }, 'i915_ioctl');
    },
  };
}

export default define_checks({
  exercise: '02-scan-must-say-stop',
  exports: { i915_gem_shrinker_scan: 'async function i915_gem_shrinker_scan(i915, sc): Promise<number>' },
  checks: [
    {
      id: 'defers-work-when-lock-is-busy',
      name: 'says SHRINK_STOP when another task holds struct_mutex, so the work waits in nr_deferred until kswapd can do it',
      async run(impl) {
        const { result, value } = await run_deferral(scan_of(impl));
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value || value.cache_at_end < 0) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
        if (value.busy_returns.length === 0) return fail('scan was never called while the GPU task held struct_mutex (did it take the lock some other way?)');
        const answered = value.busy_returns.map(show).join(', ');
        if (value.busy_returns.some((r) => r !== SHRINK_STOP)) {
          return fail(`while another task ("gpu_wait") held struct_mutex, scan returned ${answered} when asked for ${PASS_WORK} pages.\n` +
            `  do_shrink_slab() counts every call that does not say SHRINK_STOP as ${PASS_WORK} objects scanned, so it left ` +
            `${value.deferred_after_busy} in the shrinker's nr_deferred instead of ${PASS_WORK}: the pressure on i915 was dropped, ` +
            'not deferred to the next reclaimer. Return SHRINK_STOP when you cannot take the lock.');
        }
        if (value.deferred_after_busy !== PASS_WORK) {
          return fail(`scan said SHRINK_STOP, but nr_deferred holds ${value.deferred_after_busy} after the pass, not the ${PASS_WORK} pages of work it could not do.`);
        }
        if (value.cache_after_busy !== 48) return fail(`${48 - value.cache_after_busy} cache pages were released without struct_mutex.`);
        const by_kswapd = value.later.filter((c) => c.comm === 'kswapd0' && c.ret !== SHRINK_STOP && c.ret > 0);
        if (value.cache_at_end !== 0 || by_kswapd.length === 0) {
          return fail(`after the GPU task released struct_mutex and kswapd was woken, the buffer cache still holds ${value.cache_at_end} of its 48 pages ` +
            `(scan calls since: ${value.later.map((c) => `${c.comm} asked ${c.nr_to_scan} -> ${show(c.ret)}`).join('; ') || 'none'}).`);
        }
        return pass(`SHRINK_STOP under contention left ${PASS_WORK} in nr_deferred; kswapd released the 48 cache pages once the lock was free`);
      },
    },
    {
      id: 'releases-about-nr-to-scan',
      name: 'releases about nr_to_scan pages per call, not everything it could',
      async run(impl) {
        const { result, value } = await run_partial(scan_of(impl));
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
        const a = value.first.purgeable + value.first.needed;
        const b = value.second.purgeable + value.second.needed;
        if (a !== 24) {
          return fail(`asked for nr_to_scan = 24 pages (of 96 releasable, in 12-page objects), scan released ${a}.` +
            (a > 24 ? ' Reclaim sizes nr_to_scan to the pressure: releasing more throws away buffers userspace still uses (the working set).' : ' Two 12-page objects make 24.'));
        }
        if (b !== 36) return fail(`the second call asked for 36 pages and scan released ${b} (24 purgeable pages were left, and with swap the needed buffers can go too).`);
        return pass('released 24, then 36 pages, as asked');
      },
    },
    {
      id: 'purges-before-evicting-needed',
      name: 'purges buffers userspace marked DONTNEED before releasing ones it still needs',
      async run(impl) {
        const { result, value } = await run_partial(scan_of(impl));
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
        if (value.first.needed > 0) {
          return fail(`asked for 24 pages with 48 purgeable pages available, scan released ${value.first.needed} pages of buffers userspace still needs ` +
            `(and ${value.first.purgeable} purgeable ones). Purging a DONTNEED buffer frees its pages at no cost; a needed buffer's pages only go ` +
            'back to the page cache, must be written to swap, and read back in when userspace uses the buffer again.');
        }
        if (value.first.purgeable < 24) return fail(`asked for 24 pages, scan purged only ${value.first.purgeable}.`);
        if (value.second.purgeable + value.first.purgeable !== 48 || value.second.needed !== 12) {
          return fail(`asked next for 36 pages with 24 purgeable pages left, scan purged ${value.second.purgeable} and released ${value.second.needed} pages of needed buffers; ` +
            'expected the 24 purgeable pages first, then one 12-page needed buffer for the remainder.');
        }
        return pass('purgeable buffers first, needed buffers only for the remainder');
      },
    },
    {
      id: 'returns-pages-released',
      name: 'returns the number of pages it released (not nr_to_scan, not 0)',
      async run(impl) {
        const scan = scan_of(impl);
        const { result, value } = await run_in_gem_world({ release: '4.12' }, async (w) => {
          const i915 = w.i915;
          const pinned = await i915_gem_object_create(i915, 3 * PAGE_SIZE);
          if (!pinned || (await i915_gem_object_pin_pages(pinned))) throw new Error('check setup: out of memory');
          const needed = await idle_object(i915, 7); // no swap: cannot be released
          const small = await idle_object(i915, 12, I915_MADV_DONTNEED);
          const large = await idle_object(i915, 18, I915_MADV_DONTNEED);
          const all = [pinned, needed, small, large];
          const before = resident(all);
          const ret = await scan(i915, sc_for(20));
          return { ret, released: before - resident(all) };
        });
        const bad = first_report(result, BAD_KINDS);
        if (bad) return fail(`${bad}${dmesg_tail(result)}`);
        if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
        if (value.ret !== value.released) {
          return fail(`asked for nr_to_scan = 20, scan released ${value.released} pages (whole objects of 12 and 18 pages) and returned ${show(value.ret)}. ` +
            'do_shrink_slab() adds up what scan returns as the objects freed: report what you released.');
        }
        if (value.released === 0) return fail('scan released nothing although 30 pages of purgeable buffers were there.');
        return pass(`returned ${value.ret}, the pages it released`);
      },
    },
    {
      id: 'releases-under-recursion',
      name: 'still releases pages, and leaves the lock held, when reclaim recurses from the struct_mutex holder',
      run: (impl) => no_failures(holder_allocates(scan_of(impl))),
    },
  ],
});
