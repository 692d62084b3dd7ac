// The whole i915 shrinker (count_objects, scan_objects and the OOM
// notifier), judged call by call, and the workload on which exercise 13
// measures the thread's two trade-offs.
//
// Judge. Each of the learner's three callbacks is wrapped where the model
// calls it (model_i915_shrinker_ops: mm/vmscan.c do_shrink_slab calls count and
// scan, mm/oom_kill.c out_of_memory calls the notifier), and every call is
// recorded with what a reviewer asks of it: who called, in which reclaim
// context, who held struct_mutex (the owner word, never lockdep's records:
// the same with lockdep off), what was releasable, what it returned, what
// it really released, whether it slept (nvcsw) and for how long (jiffies),
// and whether it left the lock and the task's PF_MEMALLOC as it found them.
// The rules are the kernel's:
//   count  never SHRINK_STOP, never negative (do_shrink_slab reads it as
//          unsigned long); exactly the releasable pages when it may look
//          (lock free, or held by its own task), the completed requests
//          retired first as v4.11's count does; never sleeps
//          (include/linux/shrinker.h: "should not do deadlock checks")
//   scan   SHRINK_STOP, releasing nothing, when another task holds the lock;
//          else what it released, about nr_to_scan, purgeable objects
//          first; never sleeps
//   notifier  may wait for the lock (bounded) when another task holds it,
//          never otherwise; adds exactly what it released to *freed
//   all    leave struct_mutex's owner and the task's PF_MEMALLOC as found
//
// Trade-offs. tradeoff_workload() is Chris's case (a GEM ioctl allocating
// under struct_mutex while the GPU scans out) with a bystander the OOM
// killer can pick, on a machine where i915's buffer cache is bigger than one
// SHRINK_BATCH: one run per policy reports OOM kills, how long the ioctl
// stalled, what it got, what i915 released, how often reclaim called scan,
// and the work i915 left deferred.
//
// Pure: no Node APIs (the study site runs checks too).
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { I915_MADV_DONTNEED, I915_MADV_WILLNEED, model_i915_objects } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { PageDirty, PageSwapCache, PageWriteback } from '../kernel/mm/mm_types';
import { i915_gem_is_busy } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { i915_gem_object_is_active, model_i915_object_freed, model_pages_put_while_active, i915_gem_object_mark_active, i915_gem_object_request_completed, obj_nr_pages, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_releasable_pages, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import { model_watch_list_walks } from '../kernel/drivers/gpu/drm/i915/i915_gem_list_debug';
import { arb_holder_context, describe_holder_context, spawn_struct_mutex_holder, type holder_context } from './lock_holder';
import { arb_caller_task, arb_reclaim_gfp, describe_caller_task, run_as, type caller_task } from './reclaim_context';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { format_gfp, GFP_KERNEL, __GFP_NOWARN, type gfp_t } from '../kernel/mm/gfp';
import { alloc_page, __free_page, nr_free_pages, zone_info, type page } from '../kernel/mm/page_alloc';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { SHRINK_STOP, shrinker_nr_deferred, type shrink_control } from '../kernel/mm/vmscan';
import { NOTIFY_DONE, NOTIFY_OK } from '../kernel/mm/oom_kill';
import { current, model_task_sched, msleep, sched_steps, schedule_timeout_uninterruptible } from '../kernel/sched/core';
import { PF_KSWAPD, PF_KTHREAD, PF_MEMALLOC, PF_MEMALLOC_NOIO, PF_WQ_WORKER, type task_struct } from '../kernel/sched/task';
import { get_jiffies_64, jiffies } from '../kernel/time/timekeeping';
import { run_once, type once_result } from '../course/check_helpers';
import { watch_sleeping_locks } from '../course/invariants';
import { sleeping_lock_in_reclaim } from './inline_free_work';
import { with_madvise_watch } from './userspace_madvise';
import { fc } from '../course/workload';
import { arb_comm, arb_gem_objects, describe_objects, GEM_OBJECT_KINDS, make_gem_objects, type gem_object_kind, type gem_object_spec } from './gem_workloads';
import { allocate_pages, gem_world, populate, warm_up_workqueues, WORLD_PARAMS, type gem_world as world } from './i915_world';

/** The three callbacks exercise 13 asks for. */
export interface whole_shrinker {
  count: i915_shrinker_ops['count'];
  scan: i915_shrinker_ops['scan'];
  oom: NonNullable<i915_shrinker_ops['oom']>;
}

/** Who held struct_mutex when a callback was called. */
export type lock_state = 'free' | 'mine' | 'other';

/** One call of a callback, as a reviewer reads it. */
export interface shrinker_call {
  fn: 'count' | 'scan' | 'oom';
  /** "comm:pid (kswapd)", "(in direct reclaim)", or nothing for a plain process. */
  by: string;
  /** The reclaim's gfp_mask, for count and scan. */
  gfp: string;
  lock: lock_state;
  nr_to_scan: number;
  /** The model's own count of releasable pages just before the call. */
  releasable: number;
  /**
   * What v4.11's count reports: the releasable pages once the requests the
   * GPU has completed are retired (i915_gem_shrinker_count calls
   * i915_gem_retire_requests() before its walk). More than releasable when
   * bound buffers wait for the retire worker.
   */
  releasable_once_retired: number;
  /**
   * What scan may release: pages v4.11's i915_gem_shrink() without
   * I915_SHRINK_ACTIVE would take once it has retired completed requests
   * (it skips an object the GPU is still using or scanning out, bound or
   * unbound, before can_release_pages). Less than releasable when a busy
   * buffer sits on the unbound list, which count does not check for activity.
   */
  scannable: number;
  /** Of those, pages of purgeable (DONTNEED) objects scan's first pass may take. */
  purgeable: number;
  /** The largest object with pages (scan may overshoot its target by less than this). */
  largest: number;
  /** The GPU was busy (the notifier may wait for it). */
  busy: boolean;
  ret: number;
  /** Pages of objects that lost them during the call, and how many of those were not purgeable. */
  released: number;
  released_needed: number;
  /** What the notifier added to *freed. */
  freed_added: number;
  /** Pages released while the GPU was still using them, judged when each object lost its pages (not when the call returned). */
  released_busy: number;
  /** Pages of buffers the GPU wrote (obj->mm.dirty) and userspace still needs that went back to shmem clean during the call (red team 13's hand_back_clean). */
  released_clean: number;
  slept: number;
  /** Scheduler steps during the call: cond_resched(), a yield or a sleep all give up the CPU (a poll that never sleeps shows here, not in nvcsw). */
  yielded: number;
  stalled_jiffies: number;
  /** struct_mutex asked for with a sleeping lock call (mutex_lock() or kin) by the caller during the call, how many times (course/invariants.ts watch_sleeping_locks). */
  waited_for_struct_mutex: number;
  /** The owner of struct_mutex after the call, relative to the caller. */
  lock_after: lock_state;
  flags_before: number;
  flags_after: number;
}

/** The task flags a callback must leave as it found them (include/linux/sched.h). */
const OWNED_FLAGS = PF_MEMALLOC | PF_MEMALLOC_NOIO | PF_KSWAPD;

function lock_state_of(i915: drm_i915_private, me: task_struct): lock_state {
  const owner = __mutex_owner(i915.struct_mutex);
  return owner === null ? 'free' : owner === me ? 'mine' : 'other';
}

function caller_text(t: task_struct): string {
  const kind = t.flags & PF_KSWAPD ? '' : t.flags & PF_WQ_WORKER ? ' (a kworker)' : t.flags & PF_KTHREAD ? ' (a kernel thread)' : '';
  const where = t.flags & PF_KSWAPD ? ' (kswapd)' : t.flags & PF_MEMALLOC ? ' (in direct reclaim)' : '';
  return `${t.comm}:${t.pid}${kind}${where}`;
}

/**
 * releasable_once_retired - i915_gem_releasable_pages() as it reads right
 * after i915_gem_retire_requests(): a bound buffer whose last request the
 * GPU has completed counts, retired or not. Reads only; retires nothing.
 */
function releasable_once_retired(i915: drm_i915_private): number {
  const now = jiffies();
  const still_running = (o: drm_i915_gem_object) => o.active_count > 0 && !i915_gem_object_request_completed(o, now);
  let count = 0;
  for (const obj of i915.mm.unbound_list) if (can_release_pages(obj)) count += obj_nr_pages(obj);
  for (const obj of i915.mm.bound_list) if (!still_running(obj) && can_release_pages(obj)) count += obj_nr_pages(obj);
  return count;
}

/**
 * Objects with pages now, what scan may take (scannable: i915_gem_shrink without ACTIVE, after its retire) and
 * what its first pass (PURGEABLE, not ACTIVE) may take.
 */
function snapshot(i915: drm_i915_private): { with_pages: drm_i915_gem_object[]; dontneed: Set<drm_i915_gem_object>; scannable: number; purgeable: number; largest: number } {
  const now = jiffies();
  const with_pages = model_i915_objects(i915).filter((o) => !model_i915_object_freed(o) && o.mm.pages !== null);
  const on_lists = new Set([...i915.mm.unbound_list, ...i915.mm.bound_list]);
  let scannable = 0;
  let purgeable = 0;
  for (const o of with_pages) {
    // i915_gem_shrink (v4.11): i915_gem_retire_requests() first, then skip is_active || framebuffer_references unless ACTIVE.
    const idle_once_retired = !(o.active_count > 0 && !i915_gem_object_request_completed(o, now)) && o.framebuffer_references === 0;
    if (on_lists.has(o) && idle_once_retired && can_release_pages(o)) scannable += obj_nr_pages(o);
    const idle = !i915_gem_object_is_active(o, now) && o.framebuffer_references === 0;
    if (o.mm.madv === I915_MADV_DONTNEED && idle && can_release_pages(o)) purgeable += obj_nr_pages(o);
  }
  const dontneed = new Set(with_pages.filter((o) => o.mm.madv === I915_MADV_DONTNEED));
  return { with_pages, dontneed, scannable, purgeable, largest: with_pages.reduce((m, o) => Math.max(m, obj_nr_pages(o)), 0) };
}

/**
 * watch_releases - the pages of @objs the GEM core puts while the GPU is
 * still using them, from now until the returned stop(): judged at the moment
 * each object's pages went (kernel model_pages_put_while_active, recorded by
 * __i915_gem_object_put_pages), so a purge-then-wait-for-idle is as wrong as
 * no wait: the pages are back with the allocator under a running batch.
 * Calls overlap (the OOM notifier sleeps waiting for the GPU while kswapd's
 * scan runs), and each counts what was put during it. (This was a setter on
 * obj->mm.pages; since e35c1d6 only the GEM core may define that field.)
 */
function watch_releases(objs: readonly drm_i915_gem_object[]): () => number {
  const before = new Map(objs.map((o) => [o, model_pages_put_while_active(o)] as const));
  return () => {
    let busy = 0;
    for (const [o, n] of before) busy += model_pages_put_while_active(o) - n;
    return busy;
  };
}

/** The kernel's names of the three callbacks, for reports. */
const FN_NAMES: Record<shrinker_call['fn'], string> = { count: 'i915_gem_shrinker_count', scan: 'i915_gem_shrinker_scan', oom: 'i915_gem_shrinker_oom' };

/**
 * judged_shrinker - @s wrapped so that every call is recorded in calls.
 * Hand ops to gem_world (or a scenario) as the shrinker's callbacks.
 */
export function judged_shrinker(s: whole_shrinker): { ops: Partial<i915_shrinker_ops>; calls: shrinker_call[] } {
  const calls: shrinker_call[] = [];
  async function judged(fn: shrinker_call['fn'], i915: drm_i915_private, sc: shrink_control | null, freed: { value: number } | null, call: () => Promise<number>): Promise<number> {
    const me = current;
    const before = snapshot(i915);
    const rec: shrinker_call = {
      fn,
      by: caller_text(me),
      gfp: sc ? format_gfp(sc.gfp_mask) : '',
      lock: lock_state_of(i915, me),
      nr_to_scan: sc?.nr_to_scan ?? 0,
      releasable: i915_gem_releasable_pages(i915),
      releasable_once_retired: releasable_once_retired(i915),
      scannable: before.scannable,
      purgeable: before.purgeable,
      largest: before.largest,
      busy: i915_gem_is_busy(i915),
      ret: 0,
      released: 0,
      released_needed: 0,
      freed_added: 0,
      released_busy: 0,
      released_clean: 0,
      slept: 0,
      yielded: 0,
      stalled_jiffies: 0,
      waited_for_struct_mutex: 0,
      lock_after: 'free',
      flags_before: me.flags & OWNED_FLAGS,
      flags_after: 0,
    };
    const freed_before = freed?.value ?? 0;
    const nvcsw = model_task_sched(me).nvcsw; // the scheduler's count: the task's field is writable by the code judged
    const steps = sched_steps();
    const t0 = get_jiffies_64(); // the checker's clock: jiffies wraps on a 32-bit kernel, jiffies_64 never does
    const unwatch = watch_releases(before.with_pages);
    // Buffers the GPU wrote that userspace still needs: their pages, to see whether they go back dirty.
    const written = before.with_pages.flatMap((o) => (o.mm.dirty && o.mm.madv === I915_MADV_WILLNEED && o.mm.pages ? [[o, [...o.mm.pages.pages]] as const] : []));
    const asked = watch_sleeping_locks(me);
    try {
      // Every walk of i915's lists checked against struct_mutex's owner (a WARNING without it, lockdep on or off).
      // ...and every buffer's madvise left userspace's (red team 13's purge_instead_of_swap: a WARN when a callback marked one DONTNEED).
      rec.ret = await with_madvise_watch(i915, FN_NAMES[fn], () => model_watch_list_walks(i915, call));
    } finally {
      rec.released_busy = unwatch();
      rec.released_clean = written.reduce((n, [o, pages]) => (o.mm.pages === null ? n + pages.filter((p) => !PageDirty(p) && !PageWriteback(p) && !PageSwapCache(p)).length : n), 0);
      rec.waited_for_struct_mutex = asked.stop().filter((name) => name === i915.struct_mutex.name).length;
      rec.yielded = sched_steps() - steps;
      rec.slept = model_task_sched(me).nvcsw - nvcsw;
      rec.stalled_jiffies = get_jiffies_64() - t0;
      const gone = before.with_pages.filter((o) => o.mm.pages === null);
      rec.released = gone.reduce((n, o) => n + obj_nr_pages(o), 0);
      // madv as it was before the call: a purged object's reads __I915_MADV_PURGED now.
      rec.released_needed = gone.filter((o) => !before.dontneed.has(o)).reduce((n, o) => n + obj_nr_pages(o), 0);
      rec.freed_added = (freed?.value ?? 0) - freed_before;
      rec.lock_after = lock_state_of(i915, me);
      rec.flags_after = me.flags & OWNED_FLAGS;
      calls.push(rec);
    }
    return rec.ret;
  }
  return {
    calls,
    ops: {
      count: (i915, sc) => judged('count', i915, sc, null, () => s.count(i915, sc)),
      scan: (i915, sc) => judged('scan', i915, sc, null, () => s.scan(i915, sc)),
      oom: (i915, freed) => judged('oom', i915, null, freed, () => s.oom(i915, freed)),
    },
  };
}

const flag_text = (f: number): string =>
  [f & PF_MEMALLOC ? 'PF_MEMALLOC' : '', f & PF_MEMALLOC_NOIO ? 'PF_MEMALLOC_NOIO' : '', f & PF_KSWAPD ? 'PF_KSWAPD' : ''].filter(Boolean).join('|') || 'none of PF_MEMALLOC*';

const LOCK_TEXT: Record<lock_state, string> = { free: 'nobody held struct_mutex', mine: 'the caller itself held struct_mutex (an outer frame)', other: 'another task held struct_mutex' };

/** What is wrong with one call, in a reviewer's words, or null. Rules common to the three callbacks. */
function common_violation(c: shrinker_call): string | null {
  if (c.waited_for_struct_mutex > 0) {
    // Before the sleep rules: a sleeping lock that found the lock free did not sleep, and is as wrong.
    return c.fn === 'oom'
      ? `the OOM notifier, called by ${c.by}, asked for struct_mutex with a sleeping lock call (mutex_lock() or kin): its holder may itself be ` +
        'waiting for oom_lock, which the notifier\'s caller holds (an OOM deadlock), however free the lock was this time. ' +
        'Wait for it only by polling with mutex_trylock(), bounded and killable; and never run the free worker\'s function here: ' +
        '__i915_gem_free_objects() takes struct_mutex with mutex_lock(), and a work item\'s function belongs in its worker.'
      : sleeping_lock_in_reclaim(c.fn, c.by, ['struct_mutex']);
  }
  if (c.released_clean > 0) {
    return `${c.fn} called by ${c.by} let ${c.released_clean} page(s) of buffers the GPU had written (obj->mm.dirty) and userspace still needs (WILLNEED) ` +
      'go back to shmem clean: reclaim drops a clean shmem page without writing it to swap, so the next use of the texture or window reads zeroes. ' +
      'The GEM core\'s put marks a dirty object\'s pages dirty (v4.11 i915_gem_object_put_pages_gtt: set_page_dirty()); only a purged buffer\'s dirty state may be dropped. Leave obj->mm.dirty alone.';
  }
  if (c.flags_after !== c.flags_before) {
    return `${c.fn} called by ${c.by} changed the task's flags from ${flag_text(c.flags_before)} to ${flag_text(c.flags_after)}: ` +
      'PF_MEMALLOC belongs to the caller (direct reclaim and kswapd set it, drop_caches and the OOM path do not). ' +
      'Cleared, the reclaiming task recurses into reclaim; left set, it dips into the reserves for ever. Save and restore (memalloc_noreclaim_save/restore), never set or clear.';
  }
  if (c.lock === 'mine' && c.lock_after !== 'mine') {
    return `${c.fn} called by ${c.by} while ${LOCK_TEXT.mine} returned with the lock no longer the caller's: it released the outer frame's struct_mutex (unlock only what you locked).`;
  }
  if (c.lock !== 'mine' && c.lock_after === 'mine') {
    return `${c.fn} called by ${c.by} (${LOCK_TEXT[c.lock]}) returned still holding struct_mutex: a lock taken must be released before returning.`;
  }
  return null;
}

/** What a reviewer says of a callback that gave up the CPU while another task held the lock. */
const YIELDED = (c: shrinker_call): string =>
  `gave up the CPU ${c.yielded} time(s) (cond_resched(), a yield or a sleep) before it answered: that is a poll for the lock, ` +
  'however short (it can only help if the holder runs in between, and the holder may be waiting for this very reclaim). When the trylock fails, answer at once.';

/** count_objects' rules (include/linux/shrinker.h, mm/vmscan.c do_shrink_slab). */
export function count_violation(c: shrinker_call): string | null {
  const common = common_violation(c);
  if (common) return common;
  if (c.ret === SHRINK_STOP || !Number.isInteger(c.ret) || c.ret < 0) {
    return `count returned ${c.ret === SHRINK_STOP ? 'SHRINK_STOP' : c.ret} to ${c.by}: do_shrink_slab() reads count_objects' answer as an unsigned long ` +
      'number of objects; SHRINK_STOP (~0UL) or a negative number reads as an enormous cache and asks scan for all of it.';
  }
  if (c.slept > 0) {
    return `count slept ${c.slept} time(s) (${c.stalled_jiffies} jiffies) when called by ${c.by} (${LOCK_TEXT[c.lock]}): count_objects must never wait ` +
      '(the task asking may be the one holding what it waits for, and every allocation behind it stalls).';
  }
  if (c.lock === 'other' && c.yielded > 0) return `count called by ${c.by} while another task held struct_mutex ${YIELDED(c)}`;
  if (c.lock !== 'other' && c.ret === c.releasable && c.releasable < c.releasable_once_retired) {
    return `count told ${c.by} ${c.ret} pages, but ${c.releasable_once_retired} were releasable (${LOCK_TEXT[c.lock]}, ${c.gfp}): ` +
      `${c.releasable_once_retired - c.releasable} pages are bound buffers whose batch the GPU has completed, still marked active because nobody retired the request yet ` +
      '(the retire worker runs once a second). With the lock, v4.11\'s count retires first (i915_gem_retire_requests), as scan will: ' +
      'counting them as busy hides memory scan can release now, and do_shrink_slab() asks for less than there is.';
  }
  if (c.lock !== 'other' && c.ret !== c.releasable_once_retired) {
    return `count told ${c.by} ${c.ret} pages, but ${c.releasable_once_retired} were releasable (${LOCK_TEXT[c.lock]}, ${c.gfp}): ` +
      (c.ret < c.releasable_once_retired
        ? "do_shrink_slab() scales its request to the count and skips scan on 0: memory hidden from reclaim is memory the OOM killer takes from a bystander instead (Chris: \"If we just report 0 objects, the shrinker_scan callback will be skipped\")."
        : 'reclaim asks scan for pages that cannot be released, and counts pressure on i915 that is not there.');
  }
  if (c.lock === 'other' && c.ret !== 0 && c.ret !== c.releasable) {
    return `count told ${c.by} ${c.ret} pages while another task held struct_mutex; the releasable pages were ${c.releasable}: report them, or 0 if you cannot look.`;
  }
  return null;
}

/** scan_objects' rules (include/linux/shrinker.h; i915_gem_shrinker_scan, v4.12). */
export function scan_violation(c: shrinker_call): string | null {
  const common = common_violation(c);
  if (common) return common;
  if (c.slept > 0) {
    return `scan slept ${c.slept} time(s) (${c.stalled_jiffies} jiffies) when called by ${c.by} (${LOCK_TEXT[c.lock]}): scan runs inside reclaim, ` +
      'where a wait for the lock, a grace period or a work item may never end (the holder or the worker may be waiting for this very reclaim). Never wait: say SHRINK_STOP.';
  }
  if (c.lock === 'other') {
    if (c.yielded > 0) return `scan called by ${c.by} while another task held struct_mutex ${YIELDED(c)}`;
    if (c.released > 0) return `scan released ${c.released} pages while another task held struct_mutex: without the lock the object lists change under the walk.`;
    if (c.ret !== SHRINK_STOP) {
      return `scan returned ${c.ret} to ${c.by} while another task held struct_mutex: it cannot make progress now, so it must say SHRINK_STOP ` +
        '(0 makes do_shrink_slab() call again batch after batch and drops the work; SHRINK_STOP keeps it in nr_deferred for a caller that can).';
    }
    return null;
  }
  if (c.ret === SHRINK_STOP) {
    return `scan returned SHRINK_STOP to ${c.by} although ${LOCK_TEXT[c.lock]} and it could work (it released ${c.released} pages): ` +
      'SHRINK_STOP means "no progress possible without risking a deadlock"; the pages released are what reclaim asked for (v4.12 reports them).';
  }
  if (c.released_busy > 0) {
    return `scan called by ${c.by} released ${c.released_busy} pages of buffers the GPU was still using, at the moment they were released: ` +
      'i915_gem_shrink() skips an active object (or one being scanned out) unless I915_SHRINK_ACTIVE, which scan never passes (i915_gem_shrink_all() does, for the OOM notifier, after waiting for the GPU to idle); ' +
      'reclaim must not take pages out from under a running batch.';
  }
  if (c.ret !== c.released) {
    return `scan returned ${c.ret} to ${c.by}, but the objects that lost their pages during the call hold ${c.released} pages: ` +
      'report what was released, no more and no less (do_shrink_slab adds it to what it believes it freed).';
  }
  // What scan may take, not what count reports: a buffer the GPU still uses is skipped without I915_SHRINK_ACTIVE, on either list.
  const want = Math.min(c.nr_to_scan, c.scannable);
  if (want > 0 && c.released === 0) {
    return `scan was asked for ${c.nr_to_scan} pages by ${c.by} with ${c.scannable} pages of idle buffers releasable (${LOCK_TEXT[c.lock]}) and released nothing.`;
  }
  if (c.largest > 0 && c.released > c.nr_to_scan + c.largest - 1) {
    return `scan was asked for ${c.nr_to_scan} pages and released ${c.released}: more than one object past its target. ` +
      'Reclaim asks in batches (SHRINK_BATCH) in proportion to the pressure; taking everything evicts buffers nobody asked for.';
  }
  if (c.purgeable >= c.nr_to_scan && c.released_needed > 0) {
    return `scan was asked for ${c.nr_to_scan} pages with ${c.purgeable} pages of purgeable buffers idle, yet released ${c.released_needed} pages of buffers userspace still needs: ` +
      'purge first (I915_SHRINK_PURGEABLE: those pages go straight back), and write needed buffers to swap only for the rest.';
  }
  return null;
}

/** The OOM notifier's rules (i915_gem_shrinker_oom, mm/oom_kill.c out_of_memory). */
export function oom_violation(c: shrinker_call): string | null {
  const common = common_violation(c);
  if (common) return common;
  if (c.ret !== NOTIFY_DONE && c.ret !== NOTIFY_OK) {
    return `the OOM notifier returned ${c.ret} (0x${c.ret.toString(16)}) to ${c.by}: an OOM notifier adds what it released to *freed and returns NOTIFY_DONE or NOTIFY_OK; ` +
      'any value with NOTIFY_STOP_MASK (0x8000) set ends blocking_notifier_call_chain(), and the notifiers after i915 (a balloon driver deflating on OOM) never run.';
  }
  if (c.released_busy > 0) {
    return `the OOM notifier called by ${c.by} released ${c.released_busy} pages of buffers the GPU was still using, at the moment they were released: ` +
      'those pages go back to the allocator under a running batch (another task gets them while the GPU still reads and writes them). Wait (bounded) for the GPU to idle first.';
  }
  if (c.freed_added !== c.released) {
    return `the OOM notifier released ${c.released} pages but added ${c.freed_added} to *freed: out_of_memory() kills a victim when the chain reports 0, ` +
      'and stands down on any progress; report exactly what you released.';
  }
  if (c.lock !== 'other' && !c.busy && c.slept > 0) {
    return `the OOM notifier slept ${c.slept} time(s) (${c.stalled_jiffies} jiffies) although ${LOCK_TEXT[c.lock]} and the GPU was idle: ` +
      'it may wait only for what it cannot have yet (the lock, the GPU), and never with struct_mutex held: a grace period or a flush under it is the thread\'s hang.';
  }
  if (c.lock !== 'other' && !c.busy && c.releasable > 0 && c.released === 0) {
    return `the OOM notifier released nothing though ${c.releasable} pages were releasable (${LOCK_TEXT[c.lock]}): it is the last chance before the OOM killer picks a victim.`;
  }
  return null;
}

const RULES: Record<shrinker_call['fn'], (c: shrinker_call) => string | null> = { count: count_violation, scan: scan_violation, oom: oom_violation };

/** first_violation - the first call of one of @fns that broke a rule, in a reviewer's words, or null. */
export function first_violation(calls: readonly shrinker_call[], fns: readonly shrinker_call['fn'][] = ['count', 'scan', 'oom']): string | null {
  for (const c of calls) {
    if (!fns.includes(c.fn)) continue;
    const v = RULES[c.fn](c);
    if (v) return v;
  }
  return null;
}

// ---------------------------------------------------------------------------
// Count and scan called directly, as do_shrink_slab() calls them, in every
// lock state: reclaim's arithmetic decides whether scan is called at all
// (count 0 skips it), so the window the kernel has between count and scan
// (another task takes struct_mutex in between) is made here on purpose.

export interface direct_call_workload {
  /** The GEM objects, in creation order (list order: unbound ones are walked first). */
  objects: gem_object_spec[];
  /** Who holds struct_mutex during the calls. */
  lock: lock_state;
  /** The caller is in direct reclaim (PF_MEMALLOC set), or a plain process (drop_caches). */
  in_reclaim: boolean;
  /** With in_reclaim: the caller is kswapd (PF_MEMALLOC | PF_KSWAPD, as kswapd() sets them), not a direct reclaimer. */
  kswapd?: boolean;
  nr_to_scan: number;
  swap: boolean;
  lockdep: boolean;
  comm: string;
  holder_comm: string;
  /**
   * lock 'other': what the holder is doing (scenarios/lock_holder.ts): an
   * ioctl, the ioctl in direct reclaim, kswapd in i915's scan, i915's free
   * worker. Absent: an ioctl. Whatever it is, its lists are its own.
   */
  holder_context?: holder_context;
  /**
   * What kind of task calls (scenarios/reclaim_context.ts run_as): a user
   * task (absent), a kernel thread (kswapd is one), or a kworker running a
   * work item on system_wq (writeback, another driver, i915's own workers,
   * which may hold struct_mutex). The rules do not change with the kind.
   */
  task?: caller_task;
  /**
   * sc->gfp_mask of both calls in direct reclaim (scenarios/reclaim_context.ts RECLAIM_GFP_MASKS): GFP_NOIO, NOFS,
   * __GFP_NORETRY... Absent: GFP_KERNEL, as kswapd and drop_caches pass. v4.11's count and scan never read it.
   */
  gfp?: gfp_t;
}

export const arb_direct_call_workload: fc.Arbitrary<direct_call_workload> = arb_direct_calls();

/**
 * arb_direct_calls - direct-call workloads with objects of @kinds (by
 * default the common kinds, as arb_direct_call_workload draws them; add
 * MORE_GEM_OBJECT_KINDS for bound buffers still needed, which only a scan
 * pass over the bound list without PURGEABLE releases).
 */
export function arb_direct_calls(kinds: readonly gem_object_kind[] = GEM_OBJECT_KINDS): fc.Arbitrary<direct_call_workload> {
  return fc.record({
    objects: arb_gem_objects(1, 10, 6, kinds),
    lock: fc.constantFrom<lock_state>('free', 'mine', 'other'),
    in_reclaim: fc.boolean(),
    nr_to_scan: fc.integer({ min: 1, max: 32 }),
    swap: fc.boolean(),
    lockdep: fc.boolean(),
    comm: arb_comm,
    holder_comm: arb_comm,
    holder_context: arb_holder_context,
    kswapd: fc.boolean(),
    task: arb_caller_task,
    gfp: arb_reclaim_gfp,
  }).map(({ task, gfp, ...wl }): direct_call_workload =>
    // The caller's context, drawn for every call: a plain process (drop_caches), a direct reclaimer, or kswapd
    // (in reclaim, never under an outer frame's struct_mutex: kswapd holds no GEM lock when it shrinks; a kernel
    // thread). The caller's kind too: a direct reclaimer is a user task, a kernel thread or a kworker.
    // The mask is the allocation's own in direct reclaim only (kswapd and drop_caches pass GFP_KERNEL).
    wl.kswapd && wl.in_reclaim && wl.lock !== 'mine'
      ? { ...wl, comm: 'kswapd0', task: 'kthread' }
      : { ...wl, kswapd: false, ...(task === 'user' ? {} : { task }), ...(wl.in_reclaim && gfp !== GFP_KERNEL ? { gfp } : {}) });
}

export function describe_direct_call_workload(wl: direct_call_workload): string {
  const held = wl.lock === 'free' ? 'nobody holds struct_mutex' : wl.lock === 'mine' ? `"${wl.comm}" itself holds struct_mutex` : `"${wl.holder_comm}" (another task: ${describe_holder_context(wl.holder_context ?? 'ioctl')}) holds struct_mutex`;
  return `${describe_objects(wl.objects)}; ${held}; "${wl.comm}"${describe_caller_task(wl.task ?? 'user')} ${wl.in_reclaim ? (wl.kswapd ? '(kswapd: PF_MEMALLOC | PF_KSWAPD)' : '(in direct reclaim, PF_MEMALLOC)') : '(a plain process, as drop_caches)'} ` +
    `calls count, then scan with nr_to_scan ${wl.nr_to_scan} (sc->gfp_mask ${format_gfp(wl.gfp ?? GFP_KERNEL)}); swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}`;
}

/**
 * run_direct_calls - boot the small i915 machine, build the objects, put
 * struct_mutex in the workload's state, and call @s's count and then its
 * scan (whatever count said), judged; returns the calls.
 */
export async function run_direct_calls(wl: direct_call_workload, s: whole_shrinker): Promise<once_result<shrinker_call[]>> {
  let w: world | null = null;
  const judged = judged_shrinker(s);
  const ready = init_completion('objects made');
  const held = init_completion('struct_mutex held');
  const done = init_completion('calls done');
  return run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0 },
    async () => {
      const i915 = w!.i915;
      await make_gem_objects(i915, wl.objects);
      complete(ready);
      if (wl.lock === 'other') await wait_for_completion(held);
      // The caller: this user task, a kernel thread or a kworker (run_as waits for it); it takes its own lock.
      await run_as(wl.task ?? 'user', wl.comm, async () => {
        if (wl.lock === 'mine') await mutex_lock(i915.struct_mutex);
        const noreclaim = wl.in_reclaim ? memalloc_noreclaim_save() : null;
        // mm/vmscan.c kswapd(): tsk->flags |= PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD, for the thread's life.
        const was_kswapd = (current.flags & PF_KSWAPD) !== 0;
        if (wl.in_reclaim && wl.kswapd) current.flags |= PF_KSWAPD;
        const sc: shrink_control = { gfp_mask: wl.gfp ?? GFP_KERNEL, nr_to_scan: 0, nid: 0, memcg: null };
        await judged.ops.count!(i915, sc);
        await judged.ops.scan!(i915, { ...sc, nr_to_scan: wl.nr_to_scan });
        if (!was_kswapd) current.flags &= ~PF_KSWAPD;
        if (noreclaim !== null) memalloc_noreclaim_restore(noreclaim);
        if (wl.lock === 'mine' && __mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
      });
      complete(done);
      return judged.calls;
    },
    () => {
      // The learner's own callbacks in every slot: the device handed to them must not carry the model's answer.
      w = gem_world({ release: '4.12', shrinker_ops: { count: s.count, scan: s.scan, oom: s.oom } });
      if (wl.lock === 'other') {
        spawn_struct_mutex_holder(wl.holder_context ?? 'ioctl', wl.holder_comm, async (in_context) => {
          await wait_for_completion(ready);
          await mutex_lock(w!.i915.struct_mutex);
          await in_context(async () => {
            complete(held);
            await wait_for_completion(done);
          });
          await msleep(1);
          mutex_unlock(w!.i915.struct_mutex);
        });
      }
    },
    wl.comm,
  );
}

// ---------------------------------------------------------------------------
// The trade-offs

/** The two policies the thread weighs (exercise 13's shrinker_policy). */
export interface shrinker_policy {
  lock: 'trylock_recursive' | 'trylock';
  nested_scan_returns: 'freed' | 'SHRINK_STOP';
}

/** The kernel's choice (v4.12): recursion, and report what was released. */
export const KERNEL_POLICY: shrinker_policy = { lock: 'trylock_recursive', nested_scan_returns: 'freed' };

/** Every combination, the kernel's first. */
export const POLICIES: readonly shrinker_policy[] = [
  KERNEL_POLICY,
  { lock: 'trylock_recursive', nested_scan_returns: 'SHRINK_STOP' },
  { lock: 'trylock', nested_scan_returns: 'freed' },
  { lock: 'trylock', nested_scan_returns: 'SHRINK_STOP' },
];

export const policy_text = (p: shrinker_policy): string => `${p.lock === 'trylock' ? 'plain trylock' : 'trylock_recursive'}, nested scan returns ${p.nested_scan_returns === 'freed' ? '"freed"' : 'SHRINK_STOP'}`;

/** What one run of the trade-off workload measured. */
export interface tradeoff_measure {
  /** Processes the OOM killer killed. */
  oom_kills: number;
  /** How long the ioctl's allocations under struct_mutex took, in jiffies (HZ = 1000). */
  stall_jiffies: number;
  /** Pages the ioctl asked for and got. */
  pages_got: number;
  /** Pages i915 released (to the free lists or the LRU). */
  i915_pages_released: number;
  /** i915's nr_deferred at the end: work left for a later caller. */
  i915_nr_deferred: number;
  /** How often reclaim called i915's scan_objects. */
  i915_scan_calls: number;
}

/** The trade-off machine: 1024 pages (4 MiB), so that i915's cache is bigger than one SHRINK_BATCH. */
export const TRADEOFF_PARAMS = { nr_cpus: 2, totalram_pages: 1024, swap_pages: 0 } as const;
export const TRADEOFF_LAYOUT = { pinned_pages: 560, cache_objects: 16, cache_object_pages: 16 };
/** Pages the ioctl allocates under struct_mutex, in rounds (each round may enter reclaim). */
export const TRADEOFF_ROUNDS = [96, 96];

/**
 * tradeoff_workload - one run of Chris's case with @s as the shrinker: a
 * GEM ioctl ("i915_ioctl") holds struct_mutex while the GPU scans out and
 * allocates TRADEOFF_ROUNDS pages; a bystander ("firefox", 15 pages of
 * anonymous memory) is what the OOM killer would pick. No swap: only
 * purging i915's buffer cache gives pages back.
 */
export async function tradeoff_workload(s: whole_shrinker): Promise<tradeoff_measure | string> {
  let w: world | null = null;
  let scan_calls = 0;
  const scan: whole_shrinker['scan'] = (i915, sc) => {
    scan_calls++;
    return s.scan(i915, sc);
  };
  const { result, value } = await run_once(
    { ...TRADEOFF_PARAMS },
    async () => {
      const i915 = w!.i915;
      await populate(w!, TRADEOFF_LAYOUT);
      const resident = (): number => model_i915_objects(i915).reduce((n, o) => n + (o.mm.pages && !model_i915_object_freed(o) ? o.mm.pages.pages.length : 0), 0);
      const before = resident();
      await mutex_lock(i915.struct_mutex);
      const t0 = jiffies();
      let got = 0;
      for (const n of TRADEOFF_ROUNDS) got += await allocate_pages(n, GFP_KERNEL);
      const stall = jiffies() - t0;
      mutex_unlock(i915.struct_mutex);
      return {
        oom_kills: 0,
        stall_jiffies: stall,
        pages_got: got,
        i915_pages_released: before - resident(),
        i915_nr_deferred: i915.mm.shrinker ? shrinker_nr_deferred(i915.mm.shrinker) : 0,
        i915_scan_calls: scan_calls,
      };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops: { count: s.count, scan, oom: s.oom } });
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 15 });
    },
    'i915_ioctl',
  );
  const bad = result.reports.find((r) => r.kind !== 'oom' || !r.title.startsWith('Killed process'));
  if (bad) return `${bad.kind}: ${bad.title}`;
  if (!value) return `the workload did not finish: ${result.stop}`;
  return { ...value, oom_kills: result.reports.filter((r) => r.kind === 'oom').length };
}

// ---------------------------------------------------------------------------
// The OOM notifier while another task holds struct_mutex AND allocates

/** What the holder-allocates OOM run shows. */
export interface oom_holder_allocates_run {
  /** Pages the struct_mutex holder ("Xorg") got of the 8 it asked for, and the OOM-path task got. */
  holder_got: number;
  got: number;
}

/**
 * oom_when_holder_allocates - "Xorg" takes struct_mutex and allocates under
 * it (as any GEM ioctl may); meanwhile "@comm", holding nothing, exhausts
 * memory first and runs out_of_memory(), i915's notifier included, under
 * oom_lock (mm/oom_kill.c). Xorg's own allocation then reaches
 * __alloc_pages_may_oom(), fails mutex_trylock(&oom_lock) and retries: it
 * cannot release struct_mutex until the notifier is done. A notifier that
 * sleeps on struct_mutex (mutex_lock_killable included) waits for a task
 * that waits for it: the OOM path deadlocks. The bounded poll times out.
 */
export async function oom_when_holder_allocates(
  s: whole_shrinker,
  comm: string,
  lockdep: boolean,
): Promise<once_result<oom_holder_allocates_run> & { calls: shrinker_call[] }> {
  let w: world | null = null;
  const judged = judged_shrinker({ count: null as never, scan: null as never, oom: s.oom });
  const st = { holder_got: 0, holds: false };
  const res = await run_once(
    { nr_cpus: 2, totalram_pages: 256, swap_pages: 0, lockdep, max_steps: 200_000 },
    async () => {
      const i915 = w!.i915;
      await warm_up_workqueues();
      await make_gem_objects(i915, [{ kind: 'pinned', pages: 8 }]); // nothing count or scan could release
      user_task(async () => {
        await mutex_lock(i915.struct_mutex);
        st.holds = true;
        await msleep(5);
        for (let i = 0; i < 8; i++) if (await alloc_page(GFP_KERNEL | __GFP_NOWARN)) st.holder_got++;
        mutex_unlock(i915.struct_mutex);
      }, 'Xorg');
      while (!st.holds) await msleep(1);
      const want = Math.max(0, nr_free_pages() - zone_info().min) + 4;
      const keep: page[] = [];
      for (let i = 0; i < want; i++) {
        const p = await alloc_page(GFP_KERNEL | __GFP_NOWARN);
        if (!p) break;
        keep.push(p);
      }
      for (const p of keep) __free_page(p);
      while (st.holds && __mutex_owner(i915.struct_mutex) !== null) await msleep(10);
      return { holder_got: st.holder_got, got: keep.length };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops: { count: s.count, scan: s.scan, oom: judged.ops.oom! } }); // the learner's callbacks, never the model's, on a device they are handed
      user_task(async () => {
        await schedule_timeout_uninterruptible(60_000);
      }, 'firefox', { rss_pages: 12 });
    },
    comm,
  );
  return { ...res, calls: judged.calls };
}

// ---------------------------------------------------------------------------
// Two reclaimers interleaved on one machine: state kept between calls shows

/** What reclaimer A's scan did after B's count in between. */
export interface interleaved_run {
  a_count: number;
  b_count: number;
  a_scan: number;
  a_scan_released: number;
}

/**
 * interleaved_reclaimers - reclaimer A ("@comm") counts with i915's buffers
 * idle; a batch then uses them for 3 ms and reclaimer B (kswapd0, or a task
 * of the same name) counts meanwhile (nothing idle: 0) or, with
 * @lock_held_for_b, counts while "gpu_wait" holds struct_mutex; then A's
 * scan runs with the batch done and the lock free. do_shrink_slab() calls
 * count and scan of one reclaimer in turn, but many reclaimers run at once:
 * an answer remembered from one call belongs to nobody in the next.
 */
export async function interleaved_reclaimers(s: whole_shrinker, comm: string, b_comm: string, lock_held_for_b: boolean): Promise<once_result<interleaved_run>> {
  let w: world | null = null;
  const sc = (n: number): shrink_control => ({ gfp_mask: GFP_KERNEL, nr_to_scan: n, nid: 0, memcg: null });
  return run_once(
    { ...WORLD_PARAMS, swap_pages: 64 },
    async () => {
      const i915 = w!.i915;
      const objs = await make_gem_objects(i915, [{ kind: 'bound-idle', pages: 6 }, { kind: 'bound-idle', pages: 4 }]);
      const a_count = await s.count(i915, sc(0));
      const gate = { held: false, release: false, b: -1 };
      if (lock_held_for_b) {
        user_task(async () => {
          await mutex_lock(i915.struct_mutex);
          gate.held = true;
          while (!gate.release) await msleep(1);
          mutex_unlock(i915.struct_mutex);
        }, 'gpu_wait');
        while (!gate.held) await msleep(1);
      } else {
        for (const o of objs) i915_gem_object_mark_active(o, jiffies() + 3);
      }
      user_task(async () => {
        gate.b = await s.count(i915, sc(0));
      }, b_comm);
      while (gate.b < 0) await msleep(1);
      gate.release = true;
      await msleep(5);
      const before = model_i915_objects(i915).filter((o) => o.mm.pages !== null);
      const a_scan = await s.scan(i915, sc(8));
      const a_scan_released = before.filter((o) => o.mm.pages === null).reduce((n, o) => n + obj_nr_pages(o), 0);
      return { a_count, b_count: gate.b, a_scan, a_scan_released };
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops: { count: s.count, scan: s.scan, oom: s.oom } }); // the learner's callbacks, never the model's
    },
    comm,
  );
}
