// The graded checks of exercise 02 (scan must say STOP).
// Each check runs your i915_gem_shrinker_scan on the kernel model, on
// generated machines (fixed seeds: the same workloads every run): task
// names, object mixes, swap, lockdep on and off, the owner word with waiters
// and a handoff pending, several nr_to_scan in a row, and every path by
// which reclaim calls scan. Every call is judged as it happens.
import { define_checks, fail, pass, type check_context, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, once_scenario, run_once, run_parts } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { EXPLORED_RUN_MAX_STEPS, explain_step_limit, OOM_PATH_RUN_MAX_STEPS, with_run_step_limit } from '../course/step_limit';
import type { scenario } from '../explorer/scenario';
import { I915_MADV_DONTNEED, type drm_i915_private, type i915_release } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_is_active, obj_nr_pages, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { can_release_pages, i915_gem_releasable_pages, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { format_gfp, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_NOWAIT, GFP_TRANSHUGE, __GFP_NORETRY, __GFP_NOWARN, type gfp_t } from '../kernel/mm/gfp';
import { shrink_slab, shrinker_nr_deferred, SHRINK_STOP, type shrink_control } from '../kernel/mm/vmscan';
import { current, msleep, sched_steps } from '../kernel/sched/core';
import { PF_KSWAPD, PF_MEMALLOC } from '../kernel/sched/task';
import { jiffies } from '../kernel/time/timekeeping';
import { allocate_pages, cache_pages_resident, gem_world, populate, WORLD_PARAMS } from '../scenarios/i915_world';
import { holder_allocates_under_pressure, lockfree_count } from '../scenarios/thread';
import { arb_comm, arb_gem_objects, describe_objects, GEM_OBJECT_KINDS, make_gem_objects, MORE_GEM_OBJECT_KINDS, releasable_pages, type gem_object_spec } from '../scenarios/gem_workloads';
import { HOLDER_STATES, hold_struct_mutex, queue_struct_mutex_waiters, spawn_struct_mutex_waiter, type holder_state } from '../scenarios/lock_holder';
import { DESKTOP_FIRST_PIDS, describe_first_pid } from '../scenarios/desktop_pids';
import { arb_convoy, arb_machine, CONVOY_MAX, LARGEST_MACHINE } from '../scenarios/machine_ranges';
import { arb_any_reclaim_gfp, arb_caller_life, arb_reclaim_caller, as_caller_life, describe_caller_life, describe_reclaim_caller, dying_note, NOFAIL_AND_ZONE_GFP_MASKS, enter_reclaim_context, reclaim_gfp_for, run_as, type caller_life, type reclaim_caller } from '../scenarios/reclaim_context';
import { arb_reclaim_path_workload, decisive_path_workloads, describe_reclaim_path_workload, run_reclaim_path } from '../scenarios/reclaim_paths';
import { fc, for_each_workload, like_reference } from '../course/workload';
import { MID_SCAN_RACE_AT_OPS, scan_with_lock_taken_at } from '../scenarios/mid_scan_race';
import { objects_on_free_list, sleeping_lock_in_reclaim } from '../scenarios/inline_free_work';
import { watch_reclaim_progress } from '../scenarios/reclaim_progress';
import { with_madvise_watch } from '../scenarios/userspace_madvise';
import { lock_owners, locks_balanced, measure_call, page_accounting } from '../course/invariants';
import golden from './02-scan-must-say-stop.golden';
import { model_describe_value } from '../kernel/model_value';

type scan_fn = i915_shrinker_ops['scan'];
/**
 * The learner's scan, under the buffer watch (scenarios/userspace_madvise.ts): it may release a needed buffer's pages
 * to swap, never mark it DONTNEED or clear the GPU's dirty record (red team 13's hand_back_clean: obj->mm.dirty cleared
 * on every releasable buffer, 'do not make reclaim write them to swap', so the GPU's writes were dropped unseen).
 */
const scan_of = (impl: exercise_impl): scan_fn => {
  const scan = impl.i915_gem_shrinker_scan as scan_fn;
  return (i915, sc) => with_madvise_watch(i915, 'i915_gem_shrinker_scan', () => scan(i915, sc));
};
/** Reports no scan may leave behind (an OOM kill of any task included: reclaim exists to prevent it). */
const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'kasan', 'hung_task', 'forgotten_await', 'step_limit', 'oom'] as const;
const show = (ret: unknown): string => (ret === SHRINK_STOP ? 'SHRINK_STOP' : model_describe_value(ret));

// ---------------------------------------------------------------------------
// One scan call, judged: what could be released before it, what it released.

/** Would i915_gem_shrink() release this object now (without I915_SHRINK_ACTIVE)? */
function releasable_now(obj: drm_i915_gem_object, now: number): boolean {
  return can_release_pages(obj) && !i915_gem_object_is_active(obj, now) && obj.framebuffer_references === 0;
}

/** What a reviewer reads off one scan call. */
interface scan_call {
  /** "scan(nr_to_scan=N) called by comm (GFP) with struct_mutex ...", for messages; by: the part after "called by". */
  who: string;
  by: string;
  /** Another task held struct_mutex. */
  busy: boolean;
  nr_to_scan: number;
  ret: number;
  slept: number;
  /** Jiffies the call took: a spin on the lock shows here, not in slept. */
  stalled_jiffies: number;
  /** Times the call gave up the CPU (scheduler steps during it): a cond_resched() poll shows here, not in slept or jiffies. */
  yielded: number;
  /** Releasable pages before the call, the purgeable (DONTNEED) part, and the largest releasable object. */
  releasable: number;
  largest: number;
  /** Pages released by the call: of purgeable objects, of objects userspace still needs, and of objects that could not be released. */
  released_purgeable: number;
  released_needed: number;
  released_unreleasable: number;
  /** The part of released_unreleasable that only the GPU's use kept (active or a scanout buffer, not pinned): what I915_SHRINK_ACTIVE takes. */
  released_active: number;
  /** The call came from kswapd (PF_KSWAPD). */
  kswapd: boolean;
  /** Releasable pages left after the call, and the purgeable part. */
  releasable_left: number;
  purgeable_left: number;
  /** locks_balanced() around the call (null: balanced). */
  locks: string | null;
  /** struct_mutex, if the calling task asked for it with a sleeping lock call (mutex_lock() and kin) during the call, whether or not it slept. */
  sleeping_locks: string[];
  /** What the call put in current->reclaim_state beyond the slab allocator's own count (scenarios/reclaim_progress.ts), or null. */
  progress: string | null;
}
const released_of = (c: scan_call): number => c.released_purgeable + c.released_needed + c.released_unreleasable;

/** Every GEM object of @i915 that has pages, with what the shrinker may do with it now. */
function gem_snapshot(i915: drm_i915_private): Array<{ obj: drm_i915_gem_object; pages: number; releasable: boolean; only_busy: boolean; purgeable: boolean }> {
  const now = jiffies();
  return [...i915.mm.unbound_list, ...i915.mm.bound_list]
    .filter((obj) => obj.mm.pages !== null)
    .map((obj) => ({
      obj,
      pages: obj_nr_pages(obj),
      releasable: releasable_now(obj, now),
      only_busy: !releasable_now(obj, now) && can_release_pages(obj),
      purgeable: obj.mm.madv === I915_MADV_DONTNEED,
    }));
}

/** judged_scan - call @scan as reclaim would, and record what it did (scan_call). */
async function judged_scan(scan: scan_fn, i915: drm_i915_private, sc: shrink_control): Promise<scan_call> {
  const owner = __mutex_owner(i915.struct_mutex);
  const busy = owner !== null && owner !== current;
  const nr_to_scan = sc.nr_to_scan;
  const before = gem_snapshot(i915);
  const locks = lock_owners([i915.struct_mutex]);
  const where = current.flags & PF_KSWAPD ? 'kswapd, ' : current.flags & PF_MEMALLOC ? 'in direct reclaim, ' : '';
  const by = `${current.comm} (${where}${format_gfp(sc.gfp_mask)}) with struct_mutex ` +
    (owner === null ? 'free' : busy ? `held by ${owner.comm}` : 'held by the caller itself');
  const steps = sched_steps();
  const progress = watch_reclaim_progress();
  const m = await measure_call(() => scan(i915, sc));
  const progress_lie = progress.stop(`scan(nr_to_scan=${nr_to_scan}), called by ${by},`);
  const yielded = sched_steps() - steps;
  const gone = before.filter((o) => o.obj.mm.pages === null);
  const sum = (xs: typeof before): number => xs.reduce((n, o) => n + o.pages, 0);
  const after = gem_snapshot(i915);
  return {
    who: `scan(nr_to_scan=${nr_to_scan}) called by ${by}`,
    by,
    busy,
    nr_to_scan,
    ret: m.value,
    slept: m.slept,
    stalled_jiffies: m.stalled_jiffies,
    yielded,
    releasable: sum(before.filter((o) => o.releasable)),
    largest: Math.max(0, ...before.filter((o) => o.releasable).map((o) => o.pages)),
    released_purgeable: sum(gone.filter((o) => o.releasable && o.purgeable)),
    released_needed: sum(gone.filter((o) => o.releasable && !o.purgeable)),
    released_unreleasable: sum(gone.filter((o) => !o.releasable)),
    released_active: sum(gone.filter((o) => o.only_busy)),
    kswapd: (current.flags & PF_KSWAPD) !== 0,
    releasable_left: sum(after.filter((o) => o.releasable)),
    purgeable_left: sum(after.filter((o) => o.releasable && o.purgeable)),
    locks: locks_balanced(locks),
    // struct_mutex only: v4.11's own unlock waits for an expedited grace period (rcu's exp_mutex), and a purge takes obj->mm.lock.
    sleeping_locks: m.sleeping_locks.filter((name) => name === i915.struct_mutex.name),
    progress: progress_lie,
  };
}

/**
 * Reclaim calls scan: it never asks for a sleeping lock (scenarios/inline_free_work.ts). Judged on the call, not
 * on the schedule: whether this run found struct_mutex free when the mutex_lock() came, another CPU's GEM ioctl can
 * take it between any test and the lock (red team 12's run_free_worker_inline: the free worker's function run from
 * scan after its own unlock when the owner word read 0).
 */
function judge_no_sleeping_lock(c: scan_call): string | null {
  return c.sleeping_locks.length > 0 ? sleeping_lock_in_reclaim(`i915_gem_shrinker_scan(nr_to_scan=${c.nr_to_scan})`, c.by, c.sleeping_locks) : null;
}

/**
 * What reclaim hears of a scan is its return value alone (red team 13's report_via_reclaim_state: scan added its
 * released pages to current->reclaim_state->reclaimed_slab, which shrink_node() reads as pages freed).
 */
function judge_side_channels(c: scan_call): string | null {
  return judge_no_sleeping_lock(c) ?? c.progress;
}

/** While another task holds struct_mutex: SHRINK_STOP, nothing released, no sleep. */
function judge_busy(c: scan_call): string | null {
  if (!c.busy) return null;
  if (c.slept > 0 || c.stalled_jiffies > 0) {
    return `${c.who} ${c.slept > 0 ? `slept ${c.slept} time(s)` : 'spun'} and returned after ${c.stalled_jiffies} jiffies: a shrinker called ` +
      'from reclaim must not wait for a lock, not even briefly (the allocation it serves may be what the holder waits for). Say SHRINK_STOP at once.';
  }
  if (c.yielded > 0) {
    return `${c.who} gave up the CPU ${c.yielded} time(s) (cond_resched(), a yield) before it answered: a poll for the lock, however short, ` +
      'which can only help if the holder runs in between. When the trylock fails, say SHRINK_STOP at once.';
  }
  if (c.ret !== SHRINK_STOP) {
    return `${c.who} returned ${show(c.ret)}. do_shrink_slab() counts every answer but SHRINK_STOP as nr_to_scan objects scanned, ` +
      'so the pressure on i915 is dropped instead of deferred in nr_deferred to the next reclaimer. Return SHRINK_STOP when you cannot take the lock.';
  }
  if (released_of(c) > 0) return `${c.who} released ${released_of(c)} pages without the lock.`;
  return null;
}

/** With the lock free or held by the caller: the pages released, not SHRINK_STOP, not nr_to_scan. */
function judge_returns(c: scan_call): string | null {
  if (c.busy) return null;
  if (c.ret === SHRINK_STOP) {
    if (c.releasable === 0) {
      return `${c.who} looked, found nothing releasable, and returned SHRINK_STOP. SHRINK_STOP means "I could not look": ` +
        'do_shrink_slab() then keeps the unscanned work in nr_deferred, pass after pass, while nothing is releasable (the objects are busy ' +
        'or pinned), and the first reclaimer after they become releasable gets all that wound-up work at once. Looked and found nothing: return 0.';
    }
    return `${c.who} returned SHRINK_STOP although it could go on (${c.releasable} pages were releasable)` +
      (c.who.endsWith('itself') ? ': RECURSIVE means this task already holds the lock, and it is the one whose allocation needs the pages.' : '.');
  }
  if (c.ret !== released_of(c)) {
    return `${c.who} released ${released_of(c)} pages (whole objects) and returned ${show(c.ret)}. ` +
      'do_shrink_slab() adds up what scan returns as the objects freed: report what you released.';
  }
  return null;
}

/** About nr_to_scan: whole objects until the target is reached, never more, never less while something is left. */
function judge_about_nr(c: scan_call): string | null {
  if (c.busy) return null;
  const released = released_of(c);
  if (c.released_unreleasable > 0 && c.released_active === c.released_unreleasable) {
    return `${c.who} released ${c.released_active} pages of objects the GPU is still using (active, or a scanout buffer), a pass with I915_SHRINK_ACTIVE. ` +
      (c.kswapd
        ? 'A kswapd-only pass over active objects is a v4.14 policy (its i915_gem_shrinker_scan() adds one when current_is_kswapd(), and i915_vma_unbind() ' +
          'then waits for the GPU with struct_mutex held); this exercise grades v4.11\'s scan, which makes two passes for every caller, purgeable then the rest, and never takes active objects. '
        : 'v4.11\'s scan makes two passes, purgeable then the rest, and never takes active objects: unbinding one waits for the GPU with struct_mutex held (i915_vma_unbind). ') +
      'Only the OOM notifier takes them, with i915_gem_shrink_all() after waiting for the GPU to go idle.';
  }
  if (c.released_unreleasable > 0) {
    return `${c.who} released ${c.released_unreleasable} pages of objects that must stay (pinned: can_release_pages() refuses them).`;
  }
  if (released < c.nr_to_scan && c.releasable_left > 0) {
    return `${c.who} released ${released} pages and stopped with ${c.releasable_left} releasable pages left: reclaim asked for ${c.nr_to_scan}.`;
  }
  if (released >= c.nr_to_scan + Math.max(c.largest, 1)) {
    return `${c.who} released ${released} pages (of ${c.releasable} releasable, whole objects of at most ${c.largest} pages). ` +
      'Reclaim sizes nr_to_scan to the pressure: stop once it is reached. Releasing more throws away buffers userspace still uses (the working set).';
  }
  return null;
}

/** Purgeable (DONTNEED) buffers first; needed ones only for what purging could not give. */
function judge_purge_first(c: scan_call): string | null {
  if (c.busy || c.released_needed === 0) return null;
  if (c.purgeable_left > 0 || c.released_purgeable >= c.nr_to_scan) {
    return `${c.who} released ${c.released_needed} pages of buffers userspace still needs, and ${c.released_purgeable} purgeable pages ` +
      `(${c.purgeable_left} purgeable pages left). Purging a DONTNEED buffer frees its pages at no cost; a needed buffer's pages must be ` +
      'written to swap and read back in when userspace uses it again: purge first, then release needed buffers only for the remainder.';
  }
  return null;
}

// ---------------------------------------------------------------------------
// Direct calls: scan on a generated machine, nr_to_scan after nr_to_scan.

interface scan_workload {
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  comm: string;
  /**
   * Who calls scan (scenarios/reclaim_context.ts): a user process (drop_caches, or in direct reclaim), a kernel
   * thread or a kworker in direct reclaim, or kswapd. The rules of scan are the same for every caller.
   */
  caller: reclaim_caller;
  /** Who holds struct_mutex during the calls: nobody, or the caller itself (with waiters, a handoff pending). */
  holder: 'none' | holder_state;
  waiter: string;
  /** nr_to_scan of each call, in order. */
  calls: number[];
  /** The shrinker flavour: v4.11 waits for an expedited grace period after a real unlock (an await to keep), v4.12 does not. */
  release: i915_release;
  /**
   * Holder 'none' only: scan calls made first while another task ("gpu_wait") holds struct_mutex (each must say
   * SHRINK_STOP), before the lock is released and the calls above run. do_shrink_slab() keeps that work in
   * nr_deferred: a scan that also keeps a debt of its own pays it twice, beyond nr_to_scan.
   */
  busy_first: number;
  /** sc->gfp_mask of every call: drawn in direct reclaim (scenarios/reclaim_context.ts), GFP_KERNEL from kswapd and drop_caches. */
  gfp: gfp_t;
  /** Holder 'caller' only: this many GEM clients queued on struct_mutex behind the caller (a convoy). Opt-in: unset, none. */
  convoy?: number;
  /** Boot param first_pid (scenarios/desktop_pids.ts): the tasks' pids start there. Opt-in: unset, from 1. */
  first_pid?: number;
  /** Boot params nr_cpus and uptime_secs (scenarios/machine_ranges.ts). Opt-in: unset, 2 CPUs and a fresh boot. */
  nr_cpus?: number;
  uptime_secs?: number;
  /**
   * This many one-page buffers userspace has just closed, on mm.free_list with free_work queued behind another
   * driver's long item (scenarios/inline_free_work.ts): the free worker has not run when scan is called. Opt-in: unset, none.
   */
  free_list?: number;
  /** Pages of RAM (absent: WORLD_PARAMS', 256): the workstation examples' 16 and 64 GiB. */
  totalram_pages?: number;
  /**
   * A user task that is dying when it scans (scenarios/reclaim_context.ts caller_life): SIGKILL pending, an OOM victim,
   * or in do_exit(). Absent: alive. v4.11's scan never looks: a dying task's reclaim releases what anyone's does.
   */
  dying?: caller_life;
}
const arb_scan_workload: fc.Arbitrary<scan_workload> = fc.tuple(fc.record({
  objects: arb_gem_objects(1, 10, 12, [...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS]),
  swap: fc.boolean(),
  lockdep: fc.boolean(),
  comm: arb_comm,
  caller: arb_reclaim_caller,
  holder: fc.constantFrom('none' as const, ...HOLDER_STATES),
  waiter: arb_comm,
  calls: fc.array(fc.integer({ min: 1, max: 128 }), { minLength: 1, maxLength: 3 }), // up to SHRINK_BATCH, what do_shrink_slab asks at most
  release: fc.constantFrom<i915_release>('4.11', '4.12'),
  busy_first: fc.constantFrom(0, 0, 3),
  gfp: arb_any_reclaim_gfp,
}), fc.option(arb_machine, { nil: null }), arb_convoy, fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 3 }), arb_caller_life).map(([wl, m, convoy, free_list, dying]) => ({
  ...wl,
  busy_first: wl.holder === 'none' ? wl.busy_first : 0,
  gfp: reclaim_gfp_for(wl.caller.context, wl.gfp),
  // The machine and the convoy behind the caller's lock, from the whole range of each (scenarios/machine_ranges.ts):
  // each close of a key (2+ waiters, pids past 300) was passed by a key one past its largest point.
  ...(m ? { first_pid: m.first_pid, nr_cpus: m.nr_cpus, uptime_secs: m.uptime_secs } : {}),
  ...(wl.holder === 'caller' && convoy > 0 ? { convoy } : {}),
  // Buffers on their way to the free worker (red team 12's run_free_worker_inline: no workload had any, so the free
  // worker's job done inline from scan never even ran).
  ...(free_list !== null ? { free_list } : {}),
  // A dying caller (a user task: kswapd and kworkers get no signals).
  ...(dying && wl.caller.task === 'user' ? { dying } : {}),
}));
const USER: reclaim_caller = { task: 'user', context: 'process' };
const DIRECT: reclaim_caller = { task: 'user', context: 'direct-reclaim' };
const KSWAPD: reclaim_caller = { task: 'kthread', context: 'kswapd' };
const twelve = (kind: gem_object_spec['kind']): gem_object_spec => ({ kind, pages: 12 });
/**
 * The hand-picked workloads: four 12-page buffers userspace still needs
 * (created first, so they head the unbound list) and four purgeable ones,
 * with swap, scanned for 24 then 36 pages; a pinned, a needed (no swap) and
 * two purgeable buffers of 12 and 18 pages scanned for 20; the first again
 * from a caller that holds struct_mutex with a handoff pending; nothing
 * releasable at all (pinned, busy on the GPU, needed with no swap); and
 * purgeable and needed buffers on both the unbound and the bound list.
 */
const PARTIAL: gem_object_spec[] = [...Array<gem_object_spec['kind']>(4).fill('needed'), ...Array<gem_object_spec['kind']>(4).fill('purgeable')].map(twelve);
const SCAN_EXAMPLES: scan_workload[] = [
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'check', caller: USER, holder: 'none', waiter: 'Xorg', calls: [24, 36], release: '4.12', busy_first: 0, gfp: GFP_KERNEL },
  {
    objects: [{ kind: 'pinned', pages: 3 }, { kind: 'needed', pages: 7 }, { kind: 'purgeable', pages: 12 }, { kind: 'purgeable', pages: 18 }],
    swap: false,
    lockdep: false,
    comm: 'i915_ioctl',
    caller: USER,
    holder: 'caller',
    waiter: 'Xorg',
    calls: [20],
    release: '4.12',
    busy_first: 0,
    gfp: GFP_KERNEL,
  },
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'Xorg', caller: USER, holder: 'caller-handoff', waiter: 'Xorg', calls: [24, 36], release: '4.12', busy_first: 0, gfp: GFP_KERNEL },
  {
    objects: [{ kind: 'pinned', pages: 4 }, { kind: 'bound-active', pages: 6 }, { kind: 'needed', pages: 5 }, { kind: 'scanout', pages: 3 }],
    swap: false,
    lockdep: true,
    comm: 'kswapd0',
    caller: KSWAPD,
    holder: 'none',
    waiter: 'Xorg',
    calls: [8, 8],
    release: '4.11',
    busy_first: 0,
    gfp: GFP_KERNEL,
  },
  // Purgeable buffers on both lists: a needed unbound buffer, a purgeable bound one; then a needed bound one behind a small purgeable one.
  { objects: [twelve('needed'), twelve('bound-idle')], swap: true, lockdep: true, comm: 'glxgears', caller: USER, holder: 'none', waiter: 'Xorg', calls: [12], release: '4.12', busy_first: 0, gfp: GFP_KERNEL },
  { objects: [twelve('bound-needed'), { kind: 'purgeable', pages: 6 }], swap: true, lockdep: false, comm: 'Xorg', caller: USER, holder: 'caller', waiter: 'Xorg', calls: [18], release: '4.11', busy_first: 0, gfp: GFP_KERNEL },
  // Tens of small objects of every kind, scanned in three bites.
  {
    objects: Array.from({ length: 36 }, (_, i): gem_object_spec => {
      const kinds = [...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS];
      return { kind: kinds[(i * 5) % kinds.length]!, pages: 1 + (i % 3) };
    }),
    swap: true,
    lockdep: true,
    comm: 'kworker/0:1',
    caller: USER,
    holder: 'caller-waiters',
    waiter: 'i915_ioctl',
    calls: [5, 17, 40],
    release: '4.12',
    busy_first: 0,
    gfp: GFP_KERNEL,
  },
  // Three calls while another task holds struct_mutex (SHRINK_STOP: the work waits in nr_deferred), then the lock is free:
  // each later call releases about its own nr_to_scan, no more (a debt kept by the driver would pay the deferred work twice).
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'kswapd0', caller: KSWAPD, holder: 'none', waiter: 'Xorg', calls: [12, 12], release: '4.12', busy_first: 3, gfp: GFP_KERNEL },
  // The same rules from inside reclaim: kswapd and a direct reclaimer (a user page fault) each ask for a share of a cache bigger than it, and get that share.
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'kswapd0', caller: KSWAPD, holder: 'none', waiter: 'Xorg', calls: [12, 30], release: '4.12', busy_first: 0, gfp: GFP_KERNEL },
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'glxgears', caller: DIRECT, holder: 'none', waiter: 'Xorg', calls: [6, 20], release: '4.11', busy_first: 0, gfp: GFP_HIGHUSER_MOVABLE },
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'i915_ioctl', caller: DIRECT, holder: 'caller', waiter: 'Xorg', calls: [18], release: '4.12', busy_first: 0, gfp: GFP_TRANSHUGE },
  // GFP_NOIO (a block driver's memalloc_noio scope): purging is not enough, and the needed buffers' pages go to the page
  // cache without any I/O from i915 (the LRU scanner honours __GFP_IO itself), so the second pass is owed to it too.
  { objects: [twelve('needed'), twelve('needed'), { kind: 'purgeable', pages: 6 }], swap: true, lockdep: false, comm: 'kworker/u4:1', caller: DIRECT, holder: 'none', waiter: 'Xorg', calls: [20], release: '4.12', busy_first: 0, gfp: GFP_NOIO },
  // A kworker and a kernel thread in direct reclaim, for a kvmalloc() (__GFP_NORETRY: its one round) and a filesystem's NORETRY try (writeback, another driver's work): scan owes them what it owes anyone.
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'kworker/u4:2', caller: { task: 'kworker', context: 'direct-reclaim' }, holder: 'none', waiter: 'Xorg', calls: [12, 24], release: '4.12', busy_first: 0, gfp: GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN },
  { objects: PARTIAL, swap: false, lockdep: false, comm: 'jbd2/sda1-8', caller: { task: 'kthread', context: 'direct-reclaim' }, holder: 'none', waiter: 'Xorg', calls: [30], release: '4.11', busy_first: 0, gfp: GFP_NOFS | __GFP_NORETRY },
  // A full SHRINK_BATCH, twice (red team 9: full-batch-shrink-all evicted everything when asked for 128, which the generator
  // rarely draws): drop_caches and kswapd's larger passes ask exactly 128 per call. A 132-page purgeable cache and 36 pages
  // userspace still needs: the whole cache the first time (whole objects: 132), the needed buffers (to swap) the second.
  {
    objects: [...Array<gem_object_spec['kind']>(3).fill('needed'), ...Array<gem_object_spec['kind']>(11).fill('purgeable')].map(twelve),
    swap: true,
    lockdep: false,
    comm: 'kswapd0',
    caller: KSWAPD,
    holder: 'none',
    waiter: 'Xorg',
    calls: [128, 128],
    release: '4.12',
    busy_first: 0,
    gfp: GFP_KERNEL,
  },
  // A convoy behind the caller's own lock, tasks numbered as on a desktop and a big server (red team 11: SHRINK_STOP
  // when nested with two or more tasks queued passed every check; every workload queued at most one waiter, and the
  // model numbered tasks from 1). The lists are the caller's under the lock it holds, however many wait: the owner's
  // reclaim is the only one that can shrink i915 while it holds the lock.
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'Xorg', caller: DIRECT, holder: 'caller', convoy: 3, waiter: 'Xorg', calls: [24, 36], release: '4.12', busy_first: 0, gfp: GFP_KERNEL, first_pid: DESKTOP_FIRST_PIDS[0] },
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'i915_ioctl', caller: USER, holder: 'caller', convoy: 2, waiter: 'Xorg', calls: [18], release: '4.11', busy_first: 0, gfp: GFP_KERNEL, first_pid: DESKTOP_FIRST_PIDS[1] },
  // A long convoy (a loaded desktop's every GL client): a stop keyed to a larger count fails here too.
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'Xorg', caller: DIRECT, holder: 'caller', convoy: 64, waiter: 'Xorg', calls: [24], release: '4.12', busy_first: 0, gfp: GFP_KERNEL },
  // The top of every range at once (scenarios/machine_ranges.ts): the longest convoy drawn on 512 CPUs, the top pids, 104 days up.
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'i915_ioctl', caller: USER, holder: 'caller', convoy: CONVOY_MAX, waiter: 'Xorg', calls: [24], release: '4.11', busy_first: 0, gfp: GFP_KERNEL, ...LARGEST_MACHINE },
  // Buffers userspace has just closed wait on mm.free_list for the free worker, which has not run yet (red team 12's
  // run_free_worker_inline: after its unlock, scan ran free_work.func itself when the owner word read 0; the worker's
  // __i915_gem_free_objects() takes struct_mutex with mutex_lock(), from reclaim). Lock free, kswapd and direct reclaim,
  // both releases, lockdep on and off: the free road is the worker's.
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'kswapd0', caller: KSWAPD, holder: 'none', waiter: 'Xorg', calls: [12, 24], release: '4.12', busy_first: 0, gfp: GFP_KERNEL, free_list: 4 },
  { objects: [twelve('needed'), { kind: 'purgeable', pages: 6 }], swap: true, lockdep: false, comm: 'glxgears', caller: DIRECT, holder: 'none', waiter: 'Xorg', calls: [18], release: '4.11', busy_first: 0, gfp: GFP_HIGHUSER_MOVABLE, free_list: 2 },
  // Gigabytes of buffers (red team 13's huge_purge_early_return: 'a multi-GiB purge is more than any batch asks: return
  // at once', before i915_gem_shrinker_unlock(), passed every check, 02's buffers being at most 12 pages): Mesa's BO cache
  // holds a purgeable 8 GiB texture (2^21 pages: past 2^20 pages and 2^32 bytes) on a 64 GiB machine. kswapd takes the
  // free lock and must give it back; the purge of a whole object is more than nr_to_scan, as with any object, and the
  // second call goes on to the needed buffers. Then a 4 GiB purge by a caller that holds the lock itself.
  { objects: [{ kind: 'pinned', pages: 4 }, twelve('needed'), { kind: 'purgeable', pages: 2 ** 21 }, { kind: 'bound-idle', pages: 2 ** 19 }], swap: true, lockdep: true, comm: 'kswapd0', caller: KSWAPD, holder: 'none', waiter: 'Xorg', calls: [128, 128], release: '4.12', busy_first: 0, gfp: GFP_KERNEL, totalram_pages: 2 ** 24 },
  { objects: [{ kind: 'purgeable', pages: 2 ** 20 }, twelve('needed'), { kind: 'purgeable', pages: 6 }], swap: true, lockdep: false, comm: 'Xorg', caller: DIRECT, holder: 'caller', waiter: 'Xorg', calls: [32, 24], release: '4.11', busy_first: 0, gfp: GFP_KERNEL, totalram_pages: 2 ** 22 },
  // Direct reclaim for jbd2's GFP_NOFS | __GFP_NOFAIL, a 32-bit DMA device's and an ISA device's zone (red team 14's
  // dma32_purge_only: a scan that skipped the second pass for __GFP_DMA32, 'swapping needed buffers does not help a
  // zone-restricted allocation', passed every check). Shrinkers are not zone-aware; scan never reads the mask.
  ...NOFAIL_AND_ZONE_GFP_MASKS.map((gfp, i): scan_workload => ({ objects: PARTIAL, swap: true, lockdep: i !== 1, comm: ['jbd2/sda1-8', 'Xorg', 'kworker/u4:1'][i]!, caller: DIRECT, holder: i === 2 ? 'caller' : 'none', waiter: 'Xorg', calls: [24, 36], release: i === 1 ? '4.11' : '4.12', busy_first: 0, gfp })),
  // Dying callers (fixer P, session 14: 'it is exiting anyway: SHRINK_STOP', for SIGKILL pending, an OOM victim or
  // PF_EXITING, passed every check; no caller was ever dying): the OOM killer's victim in direct reclaim, a GEM client
  // killed while it held struct_mutex and allocated, a task in do_exit() writing drop_caches' way. Same scan for them.
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'glxgears', caller: DIRECT, holder: 'none', waiter: 'Xorg', calls: [24], release: '4.11', busy_first: 0, gfp: GFP_KERNEL, dying: 'oom-victim' },
  { objects: PARTIAL, swap: true, lockdep: true, comm: 'i915_ioctl', caller: DIRECT, holder: 'caller-waiters', waiter: 'Xorg', calls: [18], release: '4.12', busy_first: 0, gfp: GFP_KERNEL, dying: 'sigkill' },
  { objects: PARTIAL, swap: true, lockdep: false, comm: 'Xorg', caller: USER, holder: 'none', waiter: 'Xorg', calls: [24], release: '4.12', busy_first: 0, gfp: GFP_KERNEL, dying: 'exiting' },
];
function describe_scan_workload(wl: scan_workload): string {
  const who = {
    none: `"${wl.comm}" calls scan with struct_mutex free`,
    caller: `"${wl.comm}" holds struct_mutex and calls scan`,
    'caller-waiters': `"${wl.comm}" holds struct_mutex (owner word: WAITERS, "${wl.waiter}" queued) and calls scan`,
    'caller-handoff': `"${wl.comm}" holds struct_mutex (owner word: WAITERS|HANDOFF, "${wl.waiter}" queued first) and calls scan`,
  }[wl.holder] + (wl.convoy ? ` with ${wl.convoy} GEM clients queued on the lock (a convoy: MUTEX_FLAG_WAITERS)` : '');
  const busy = wl.busy_first ? `first ${wl.busy_first} call(s) of nr_to_scan ${wl.calls[0]} while "gpu_wait" holds struct_mutex, then it lets go and ` : '';
  return `${wl.totalram_pages ? `a ${wl.totalram_pages}-page machine (${wl.totalram_pages / 256} MiB); ` : ''}${busy}${who}${describe_reclaim_caller(wl.caller)}${describe_caller_life(wl.dying)} (${format_gfp(wl.gfp)}) with nr_to_scan ${wl.calls.join(', then ')}; ${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; ` +
    `lockdep ${wl.lockdep ? 'on' : 'off'}; the v${wl.release} shrinker${describe_first_pid(wl.first_pid)}` +
    `${wl.nr_cpus && wl.nr_cpus !== 2 ? `; ${wl.nr_cpus} CPUs` : ''}${wl.uptime_secs ? `; the machine up for ${wl.uptime_secs} s` : ''}` +
    `${wl.free_list ? `; ${wl.free_list} closed buffer(s) wait on mm.free_list for the free worker, which has not run yet` : ''}`;
}

async function run_scan_calls(scan: scan_fn, wl: scan_workload): Promise<{ result: run_result; value: { calls: scan_call[]; books: string | null } | undefined }> {
  const w = { i915: null as drm_i915_private | null, go: false, held: false, release: false };
  return run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 128 : 0, ...(wl.first_pid ? { first_pid: wl.first_pid } : {}),
      ...(wl.nr_cpus ? { nr_cpus: wl.nr_cpus } : {}), ...(wl.uptime_secs ? { uptime_secs: wl.uptime_secs } : {}),
      ...(wl.totalram_pages ? { totalram_pages: wl.totalram_pages } : {}) },
    async () => {
      const i915 = w.i915!;
      await make_gem_objects(i915, wl.objects);
      if (wl.free_list) await objects_on_free_list(i915, wl.free_list);
      // The calls, from the workload's caller: a kernel thread or a kworker runs them for us, and we wait.
      const calls = await run_as(wl.caller.task, wl.comm, async () => {
        if (wl.holder !== 'none') await hold_struct_mutex(i915, wl.holder); // a GEM ioctl whose allocation recursed into reclaim
        if (wl.holder === 'caller' && wl.convoy) await queue_struct_mutex_waiters(i915, wl.convoy); // Xorg and the GL clients wait for it
        const leave_reclaim = enter_reclaim_context(wl.caller.context); // then the allocation enters reclaim
        // Direct reclaim (__perform_reclaim) and kswapd collect slab progress in current->reclaim_state while shrinkers run.
        const reclaim_state_before = current.reclaim_state;
        if (wl.caller.context !== 'process') current.reclaim_state ??= { reclaimed_slab: 0 };
        const calls: scan_call[] = [];
        if (wl.busy_first > 0) {
          w.go = true;
          while (!w.held) await msleep(1);
          for (let i = 0; i < wl.busy_first; i++) calls.push(await as_caller_life(wl.dying, () => judged_scan(scan, i915, { gfp_mask: wl.gfp, nr_to_scan: wl.calls[0]!, nid: 0, memcg: null })));
          w.release = true;
          while (w.held) await msleep(1);
        }
        for (const nr of wl.calls) calls.push(await as_caller_life(wl.dying, () => judged_scan(scan, i915, { gfp_mask: wl.gfp, nr_to_scan: nr, nid: 0, memcg: null })));
        current.reclaim_state = reclaim_state_before;
        leave_reclaim();
        if (__mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
        return calls;
      });
      return { calls, books: page_accounting() };
    },
    () => {
      w.i915 = gem_world({ release: wl.release, shrinker_ops: { scan } }).i915; // the learner's scan: the device must not carry the model's
      if (wl.holder !== 'none' && wl.holder !== 'caller') spawn_struct_mutex_waiter(() => w.i915!, wl.waiter);
      if (wl.busy_first > 0) {
        user_task(async () => {
          while (!w.go) await msleep(1);
          await mutex_lock(w.i915!.struct_mutex); // waiting for the GPU with the lock held
          w.held = true;
          while (!w.release) await msleep(1);
          mutex_unlock(w.i915!.struct_mutex);
          w.held = false;
        }, 'gpu_wait');
      }
    },
    wl.comm,
  );
}

/**
 * scan_calls_check - run the generated direct-call workloads and judge each
 * call with @judge; compare @aspect of every call with the reference's.
 */
function scan_calls_check(
  seed: number,
  judge: (c: scan_call) => string | null,
  aspect: (c: scan_call) => unknown,
): (impl: exercise_impl, ctx: check_context) => Promise<check_outcome> {
  return (impl, ctx) =>
    for_each_workload({ arbitrary: arb_scan_workload, seed, generated: 6, examples: SCAN_EXAMPLES, describe: describe_scan_workload }, async (wl) => {
      const { result, value } = await run_scan_calls(scan_of(impl), wl);
      const bad = first_report(result, BAD_KINDS);
      if (bad) return fail(`${bad}${dmesg_tail(result)}`);
      if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
      for (const c of value.calls) {
        const wrong = judge_side_channels(c) ?? judge(c) ?? (c.locks ? `${c.who}: ${c.locks}` : null);
        if (wrong) return fail(`${wrong}${dying_note(wl.dying, 'scan')}`);
      }
      if (value.books) return fail(value.books);
      const differs = like_reference(ctx, wl, value.calls.map(aspect));
      if (differs) return fail(`scan differs from the reference solution, call by call: ${differs}${dying_note(wl.dying, 'scan')}`);
      return pass();
    });
}

// ---------------------------------------------------------------------------
// Deferral: one reclaim pass while another task holds struct_mutex, then kswapd.

/**
 * Reclaim's pressure numbers are chosen so the arithmetic is easy to follow
 * (lesson 02 works it through): shrink_node() scanned 32 of 63 LRU pages, so
 * delta = (4 * 32 / DEFAULT_SEEKS) * freeable / (63 + 1) = freeable, the
 * pages count reports (48 for the lesson's buffer cache): that is the work
 * SHRINK_STOP must leave in nr_deferred.
 */
const PASS_SCANNED = 32;
const PASS_ELIGIBLE = 63;

interface deferral_workload {
  lockdep: boolean;
  /** Who holds struct_mutex (waiting for the GPU), and who makes the reclaim pass: may be the same name. */
  holder: string;
  reclaimer: string;
  /** Objects besides the lesson's buffer cache (4 purgeable 12-page buffers). */
  extra: gem_object_spec[];
  swap: boolean;
}
const DEFERRAL_EXAMPLES: deferral_workload[] = [
  { lockdep: true, holder: 'gpu_wait', reclaimer: 'check', extra: [], swap: false },
  { lockdep: false, holder: 'i915_ioctl', reclaimer: 'i915_ioctl', extra: [{ kind: 'needed', pages: 4 }, { kind: 'bound-idle', pages: 3 }], swap: true },
];
function describe_deferral_workload(wl: deferral_workload): string {
  return `"${wl.holder}" holds struct_mutex for 20 ms; "${wl.reclaimer}" makes a reclaim pass (${PASS_SCANNED} of ${PASS_ELIGIBLE} LRU pages scanned), ` +
    `then allocates GFP_NOWAIT below the low watermark so kswapd0 reclaims; buffer cache 4×12p purgeable + ${describe_objects(wl.extra)}; ` +
    `swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}`;
}

interface deferral_run {
  /** Scan calls while the other task held struct_mutex. */
  busy: scan_call[];
  deferred_after_busy: number;
  /** Scan calls after it unlocked: who made them, and what came back. */
  later: Array<{ comm: string; nr_to_scan: number; ret: number }>;
  cache_at_end: number;
}

async function run_deferral(scan: scan_fn, wl: deferral_workload): Promise<{ result: run_result; value: deferral_run | undefined }> {
  const parts = deferral_parts(scan, wl, false);
  const { result } = await run_parts(parts);
  return { result, value: parts.value() };
}

/**
 * deferral_parts - what run_deferral runs, as data. With @race the
 * reclaimer makes its pass as soon as the buffers are there, without waiting
 * for the holder to take struct_mutex: whether scan meets a busy lock is then
 * the schedule's choice (the playground's ex02-busy-lock-race).
 */
function deferral_parts(scan: scan_fn, wl: deferral_workload, race: boolean) {
  const w = { world: null as ReturnType<typeof gem_world> | null, populated: false, gpu_released: false, done: false };
  const seen: deferral_run = { busy: [], deferred_after_busy: -1, later: [], cache_at_end: -1 };
  const recording: scan_fn = async (i915, sc) => {
    const nr_to_scan = sc.nr_to_scan;
    const call = await judged_scan(scan, i915, sc);
    if (call.busy) seen.busy.push(call);
    else if (w.gpu_released) seen.later.push({ comm: current.comm, nr_to_scan, ret: call.ret });
    return call.ret;
  };
  const extra_pages = wl.extra.reduce((n, o) => n + o.pages, 0);
  return {
    value: () => (w.done ? seen : undefined),
    params: { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0 },
    body: async () => {
    const world = w.world!;
    // The lesson's machine (140 pinned pages and a 4 x 12-page purgeable buffer cache), with the extra objects in place of some pinned pages.
    await populate(world, { pinned_pages: 140 - extra_pages - wl.extra.length, cache_objects: 4, cache_object_pages: 12 });
    await make_gem_objects(world.i915, wl.extra);
    w.populated = true;
    // Raced: a jiffy later, when the holder, woken by the same tick, may or may not have taken the lock.
    if (race) await msleep(1);
    else while (!mutex_is_locked(world.i915.struct_mutex)) await msleep(1);
    // One reclaim pass, as shrink_node() makes after its LRU scan, while the GPU task holds the lock.
    await shrink_slab(GFP_KERNEL, 0, null, PASS_SCANNED, PASS_ELIGIBLE);
    seen.deferred_after_busy = shrinker_nr_deferred(world.i915.mm.shrinker!);
    while (!w.gpu_released) await msleep(1);
    // Allocate below the low watermark without reclaiming ourselves: kswapd wakes and does the work.
    await allocate_pages(30, GFP_NOWAIT | __GFP_NOWARN);
    await msleep(10);
    seen.cache_at_end = cache_pages_resident(world);
    w.done = true;
  },
  setup: () => {
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
    }, wl.holder);
  },
  comm: wl.reclaimer,
  };
}

/**
 * judge_deferral - what a reviewer says of one run of deferral_parts, or
 * null: every scan call that met the lock held by another task said
 * SHRINK_STOP at once, and the pass left its work in nr_deferred. (Without
 * @race the lock is always busy, and a run where it never was is wrong.)
 */
function judge_deferral(wl: deferral_workload, race: boolean, result: run_result, value: deferral_run | undefined): string | null {
  const bad = first_report(result, BAD_KINDS);
  if (bad) return `${bad}${dmesg_tail(result)}`;
  if (!value) return `the check did not finish: ${result.stop}${dmesg_tail(result)}`;
  if (value.busy.length === 0) return race ? null : `scan was never called while "${wl.holder}" held struct_mutex (did it take the lock some other way?)`;
  for (const c of value.busy) {
    const wrong = judge_busy(c) ?? (c.locks ? `${c.who}: ${c.locks}` : null);
    if (wrong) return `${wrong}\n  nr_deferred after the pass: ${value.deferred_after_busy}.`;
  }
  const work = 48 + releasable_pages(wl.extra, wl.swap); // what count reported: delta = freeable with these numbers
  if (value.deferred_after_busy !== work) {
    return `scan said SHRINK_STOP, but nr_deferred holds ${value.deferred_after_busy} after the pass, not the ${work} pages of work it could not do.`;
  }
  return null;
}

// ---------------------------------------------------------------------------
// The lock taken by another CPU during the scan (red team 9: unlock-before-shrink; scenarios/mid_scan_race.ts).

/**
 * lock_taken_mid_scan - the scan called for 24 pages with struct_mutex free,
 * and Xorg, on another CPU, taking it just before the call's @nth atomic op on
 * the owner word. If the lock was taken under the scan and nothing was
 * released, the answer must be SHRINK_STOP.
 */
async function lock_taken_mid_scan(scan: scan_fn, nth: number): Promise<string | null> {
  const { result, value } = await scan_with_lock_taken_at(scan, nth, { shrinker_ops: { scan } }, (raced, i915, sc) => judged_scan(raced, i915, sc));
  const bad = first_report(result, BAD_KINDS);
  if (bad) return `with Xorg taking struct_mutex on another CPU just before the scan's atomic op #${nth} on the owner word: ${bad}${dmesg_tail(result)}`;
  if (!value) return `the check did not finish: ${result.stop}${dmesg_tail(result)}`;
  if (value.setup) return value.setup;
  const c = value.call!;
  const side = judge_side_channels(c);
  if (side) return `with Xorg taking struct_mutex on another CPU just before the scan's atomic op #${nth} on the owner word: ${side}`;
  if (c.locks && !value.took) return `${c.who}: ${c.locks}`; // (when Xorg took it, the word names Xorg after the call: not the scan's doing)
  if (value.took && c.ret !== SHRINK_STOP && released_of(c) === 0 && !value.held_before) {
    return `${c.who}: Xorg, on another CPU, took struct_mutex just before the scan's atomic op #${nth} on the owner word, before the scan got it, ` +
      `and scan returned ${show(c.ret)}. do_shrink_slab() counts every answer but SHRINK_STOP as nr_to_scan objects scanned, so the pressure on i915 ` +
      'is dropped instead of deferred in nr_deferred. Return SHRINK_STOP when you cannot take the lock.';
  }
  if (value.took && c.ret !== SHRINK_STOP && released_of(c) === 0) {
    return `${c.who}: struct_mutex was free when scan was called; the scan took it and let it go again, and Xorg, on another CPU, took it just before the scan's ` +
      `atomic op #${nth} on the owner word, in the middle of the scan, before its walk. It released nothing and returned ${show(c.ret)}: ` +
      'do_shrink_slab() counts that as nr_to_scan objects scanned, and the pressure on i915 is dropped, not deferred. Hold the lock from i915_gem_shrinker_lock() ' +
      'to i915_gem_shrinker_unlock() around both i915_gem_shrink() passes (they find it RECURSIVE, yours); if you cannot take it, say SHRINK_STOP.';
  }
  return null;
}

/** The same scenario with lockdep off (boot param lockdep=0): answers that ask lockdep must not pass. */
function without_lockdep(s: scenario): scenario {
  return { ...s, id: `${s.id}-nolockdep`, params: { ...s.params, lockdep: false } };
}

/**
 * What a reviewer says when the holder-allocates run never ends (its runs
 * stop at OOM_PATH_RUN_MAX_STEPS scheduler steps; the reference needs at
 * most 158; ex02-busy-lock-race's at EXPLORED_RUN_MAX_STEPS, the reference 22).
 */
const SCAN_NEVER_RETURNED = 'the GEM ioctl\'s allocation never ended: its reclaim called scan with struct_mutex held by the ioctl itself, and scan did not return. ' +
  'A scan that waits for the lock to come free (a sleep, a poll, a spin, a retry with cond_resched()) waits for ever when the task reclaiming is the one that holds it, ' +
  'the thread\'s case: the ioctl keeps struct_mutex, and every other GEM client blocks behind it. A scan that cannot have the lock says SHRINK_STOP at once.';

/**
 * The thread's case with the learner's scan judged at every call: when the
 * task reclaiming holds struct_mutex itself and i915 has releasable pages,
 * scan must release some. Without this judge an answer that gives the
 * holder's own reclaim nothing is rescued by the OOM notifier, which v4.11
 * lets wait for the GPU first (30 s in this workload, uninterruptibly,
 * under oom_lock): no OOM kill, only a stall that no report names.
 */
function scanned_under_pressure(id: string, scan: i915_shrinker_ops['scan']): scenario {
  const seen = { problem: null as string | null };
  const judged: i915_shrinker_ops['scan'] = async (i915, sc_) => {
    const mine = __mutex_owner(i915.struct_mutex) === current;
    const want = i915_gem_releasable_pages(i915);
    const ret = await scan(i915, sc_);
    if (!seen.problem && mine && want > 0 && (ret === SHRINK_STOP || ret === 0)) {
      seen.problem = `scan returned ${ret === SHRINK_STOP ? 'SHRINK_STOP' : '0'} to ${current.comm}'s reclaim while that task itself held struct_mutex, ` +
        `with ${want} releasable page(s) on i915's lists: the task that holds the lock is the only one whose reclaim can shrink i915 now, and its allocation ` +
        'is what needs the pages. Nothing comes back, and the allocation goes on to the OOM path, where the notifier first waits for the GPU (uninterruptibly, ' +
        'holding oom_lock) before it purges what scan should have released.';
    }
    return ret;
  };
  const base = holder_allocates_under_pressure(id, { scan: judged });
  return {
    ...base,
    setup() {
      seen.problem = null;
      base.setup();
    },
    check: (result) => seen.problem ?? base.check?.(result) ?? null,
  };
}

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('02-scan-must-say-stop', [
  {
    id: 'ex02-busy-lock-race',
    title: `defers-work-when-lock-is-busy's first workload, raced: ${describe_deferral_workload(DEFERRAL_EXAMPLES[0]!)}; the reclaim pass does not wait for "${DEFERRAL_EXAMPLES[0]!.holder}" to take the lock first`,
    build: (impl) => ({
      scenario: with_run_step_limit(
        once_scenario(
          'ex02-busy-lock-race',
          () => deferral_parts(scan_of(impl), DEFERRAL_EXAMPLES[0]!, true),
          (result, _value, parts) => judge_deferral(DEFERRAL_EXAMPLES[0]!, true, result, parts.value()),
        ),
        EXPLORED_RUN_MAX_STEPS,
      ),
    }),
  },
  {
    id: 'ex02-holder-allocates',
    title: 'the struct_mutex holder allocates under memory pressure, and reclaim calls your scan (lockdep on)',
    build: (impl) => ({ scenario: with_run_step_limit(scanned_under_pressure('ex02-holder-allocates', scan_of(impl)), OOM_PATH_RUN_MAX_STEPS) }),
  },
  {
    id: 'ex02-holder-allocates-nolockdep',
    title: 'the same with lockdep off (the kernel\'s default schedule)',
    // Lockdep off changes what lockdep-asking answers do, not the schedules: the kernel's default schedule suffices.
    build: (impl) => ({
      scenario: without_lockdep(with_run_step_limit(scanned_under_pressure('ex02-holder-allocates', scan_of(impl)), OOM_PATH_RUN_MAX_STEPS)),
      options: { preemption_bound: 0 },
    }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '02-scan-must-say-stop',
  golden,
  exports: { i915_gem_shrinker_scan: 'async function i915_gem_shrinker_scan(i915, sc): Promise<number>' },
  checks: [
    {
      id: 'defers-work-when-lock-is-busy',
      name: 'says SHRINK_STOP at once when another task holds struct_mutex, so the work waits in nr_deferred until kswapd can do it; also when another CPU takes it during the scan',
      run: async (impl, ctx) => {
        const deferred = await for_each_workload(
          {
            arbitrary: fc.record({
              lockdep: fc.boolean(),
              holder: arb_comm,
              reclaimer: arb_comm,
              extra: arb_gem_objects(0, 4, 4),
              swap: fc.boolean(),
            }),
            seed: 0x02a0,
            generated: 6,
            examples: DEFERRAL_EXAMPLES,
            describe: describe_deferral_workload,
          },
          async (wl) => {
            const { result, value } = await run_deferral(scan_of(impl), wl);
            const wrong = judge_deferral(wl, false, result, value);
            if (wrong || !value) return fail(wrong ?? 'the check did not finish');
            const by_kswapd = value.later.filter((c) => c.comm === 'kswapd0' && c.ret !== SHRINK_STOP && c.ret > 0);
            if (by_kswapd.length === 0) {
              return fail(`after "${wl.holder}" released struct_mutex and kswapd was woken, kswapd released nothing through scan ` +
                `(scan calls since: ${value.later.map((c) => `${c.comm} asked ${c.nr_to_scan} -> ${show(c.ret)}`).join('; ') || 'none'}).`);
            }
            const differs = like_reference(ctx, wl, { deferred_after_busy: value.deferred_after_busy, later: value.later, cache_at_end: value.cache_at_end });
            if (differs) return fail(`the deferred work was not done as with the reference solution: ${differs}`);
            return pass();
          },
        );
        if (!deferred.ok) return deferred;
        // Then the lock taken by another CPU in the middle of a scan (after the workloads: the lesson quotes their failure).
        for (const nth of MID_SCAN_RACE_AT_OPS) {
          const wrong = await lock_taken_mid_scan(scan_of(impl), nth);
          if (wrong) return fail(wrong);
        }
        return deferred;
      },
    },
    {
      id: 'releases-about-nr-to-scan',
      name: 'releases about nr_to_scan pages per call (whole objects, stopping once it is reached), not everything it could',
      run: scan_calls_check(0x02b0, judge_about_nr, (c) => released_of(c)),
    },
    {
      id: 'purges-before-evicting-needed',
      name: 'purges buffers userspace marked DONTNEED before releasing ones it still needs',
      run: scan_calls_check(0x02c0, judge_purge_first, (c) => [c.released_purgeable, c.released_needed]),
    },
    {
      id: 'returns-pages-released',
      name: 'returns the number of pages it released (not nr_to_scan, not 0, not SHRINK_STOP when it could go on)',
      run: scan_calls_check(0x02d0, judge_returns, (c) => show(c.ret)),
    },
    {
      id: 'releases-under-recursion',
      name: 'still releases pages, and leaves the lock held, when reclaim recurses from the struct_mutex holder (lockdep on and off)',
      run: async (impl) => {
        const on = explain_step_limit(await explore_declared(scenarios, 'ex02-holder-allocates', impl), SCAN_NEVER_RETURNED);
        if (!on.ok) return on;
        return explain_step_limit(await explore_declared(scenarios, 'ex02-holder-allocates-nolockdep', impl), SCAN_NEVER_RETURNED);
      },
    },
    {
      id: 'scans-on-every-reclaim-path',
      name: 'on every path into scan (direct reclaim under struct_mutex, GFP_NOFS, kswapd meeting a busy lock, drop_caches) answers as the reference does, nr_deferred included',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_reclaim_path_workload,
            seed: 0x02e0,
            generated: 7, // after the 8 examples
            examples: [
              ...decisive_path_workloads('i915_ioctl', true).slice(0, 2),
              ...decisive_path_workloads('kswapd0', false),
              // kswapd meets a free struct_mutex after an ioctl allocated under it: lockdep (on) sees a sleeping mutex_lock() from reclaim
              { ...decisive_path_workloads('Xorg', true)[0]!, path: 'kswapd-after-ioctl' },
            ],
            describe: describe_reclaim_path_workload,
          },
          async (wl) => {
            const scan = scan_of(impl);
            let wrong: string | null = null;
            const judged: scan_fn = async (i915, sc) => {
              const c = await judged_scan(scan, i915, sc);
              wrong ??= judge_side_channels(c) ?? judge_busy(c) ?? judge_returns(c) ?? judge_about_nr(c) ?? judge_purge_first(c) ?? (c.locks ? `${c.who}: ${c.locks}` : null);
              return c.ret;
            };
            // A count that takes no lock, so that scan meets a busy struct_mutex (kswapd while the ioctl holds it).
            const { result, value } = await run_reclaim_path(wl, { count: lockfree_count, scan: judged });
            if (wrong) return fail(wrong);
            const bad = first_report(result, BAD_KINDS);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.struct_mutex_owner) return fail(`struct_mutex is still held by ${value.struct_mutex_owner} when everything settled: a lock taken must be released.`);
            if (value.books) return fail(value.books);
            const differs = like_reference(ctx, wl, { gem_pages_released: value.gem_pages_released, nr_deferred: value.nr_deferred });
            if (differs) return fail(`reclaim ended differently than with the reference scan (pages of i915 released, the shrinker's nr_deferred): ${differs}`);
            return pass();
          },
        ),
    },
  ],
}));
