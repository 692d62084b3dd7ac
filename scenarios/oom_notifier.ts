// The OOM path, with i915's OOM notifier judged call by call.
//
// mm/oom_kill.c (v4.11) out_of_memory() calls the OOM notifiers before it
// picks a victim and kills nobody if they report memory freed (freed > 0).
// i915's notifier (drivers/gpu/drm/i915/i915_gem_shrinker.c,
// i915_gem_shrinker_oom) waits for the GPU to idle (uninterruptibly, no
// deadline of its own) and up to 5 s for struct_mutex, releases every buffer it can (i915_gem_shrink_all, active
// ones included) and adds the pages released to that counter.
//
// The workload: a machine whose reclaimable memory is i915's buffers, busy
// on the GPU while reclaim runs (so the shrinker's scan cannot release
// them), a bystander process ("firefox") the OOM killer can pick, and a task
// that allocates a few pages more than are free. Reclaim fails, the
// allocator goes to out_of_memory(), and what the notifier reports decides
// whether firefox dies. Around it, everything a reviewer varies: who
// allocates and what it holds (nothing, struct_mutex itself with waiters or
// a handoff pending, another task holding the lock briefly or past the
// notifier's 5 s), GFP_KERNEL or GFP_NOFS, swap or none, every kind of GEM
// object, lockdep on and off, v4.11 or v4.12, and another notifier (a
// balloon driver that deflates on OOM, as virtio_balloon does) called
// before or after i915's.
import { fc } from '../course/workload';
import { run_once } from '../course/check_helpers';
import { lock_owners, locks_balanced, page_accounting } from '../course/invariants';
import { I915_MADV_DONTNEED, model_i915_objects, type drm_i915_private, type i915_release } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import {
  i915_gem_object_mark_active,
  i915_gem_object_pin_pages,
  i915_gem_object_unpin_pages,
  model_pages_put_while_active,
  obj_nr_pages,
  type drm_i915_gem_object,
} from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { i915_gem_shrinker_lock, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { user_task } from '../kernel/fork';
import type { run_result } from '../kernel/init/main';
import { __mutex_owner, mutex_is_locked, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS, __GFP_NOWARN, type gfp_t } from '../kernel/mm/gfp';
import { __free_page, alloc_page, nr_free_pages, zone_info, type page } from '../kernel/mm/page_alloc';
import { NOTIFY_DONE, NOTIFY_STOP_MASK, register_oom_notifier, type notifier_block } from '../kernel/mm/oom_kill';
import { current, msleep, signal_wake_up } from '../kernel/sched/core';
import { complete, complete_all, completion_done, init_completion, wait_for_completion } from '../kernel/sched/completion';
import type { scenario } from '../explorer/scenario';
import { get_jiffies_64, jiffies, msecs_to_jiffies } from '../kernel/time/timekeeping';
import { arb_comm, describe_objects, GEM_OBJECT_KINDS, make_gem_objects, MORE_GEM_OBJECT_KINDS, type gem_object_spec } from './gem_workloads';
import { hold_struct_mutex, queue_struct_mutex_waiters, spawn_struct_mutex_waiter, type holder_state } from './lock_holder';
import { describe_machine, type many_cpu_machine } from './many_cpus';
import { describe_caller_task, run_as, type caller_task } from './reclaim_context';
import { PF_KTHREAD, PF_WQ_WORKER } from '../kernel/sched/task';
import { gem_world, warm_up_workqueues } from './i915_world';
import { describe_uptime } from './uptime';
import { model_task_set } from '../kernel/sched/task_fields';

export type oom_fn = NonNullable<i915_shrinker_ops['oom']>;

/**
 * Who holds struct_mutex while the allocation runs into the OOM path:
 * nobody; the allocating task itself (a GEM ioctl, the notifier's lock call
 * answers RECURSIVE: unlock = false), possibly with waiters or a handoff
 * pending; another task, for 30 ms or hold_ms (the notifier waits for it) or for 6 s
 * (past the notifier's 5 s: it gives up, "Unable to lock GPU to purge memory.").
 */
export type oom_holder = 'none' | holder_state | 'other-briefly' | 'other-long';
export const OOM_HOLDERS: readonly oom_holder[] = ['none', 'caller', 'caller-waiters', 'caller-handoff', 'other-briefly', 'other-long'];

/** A balloon driver's OOM notifier (virtio_balloon's deflate-on-OOM): gives back @pages it holds, called before or after i915's. */
export interface balloon_spec {
  pages: number;
  first: boolean;
}

export interface oom_workload {
  /** i915's buffers; every one with pages is busy on the GPU for busy_ms when the allocation starts. */
  objects: gem_object_spec[];
  busy_ms: number;
  swap: boolean;
  lockdep: boolean;
  /** The allocating task's name, and the other holder's (may be the same name). */
  comm: string;
  other: string;
  holder: oom_holder;
  gfp: 'GFP_KERNEL' | 'GFP_NOFS';
  /** Pages wanted beyond the free memory above the min watermark (and beyond the bystander's, which reclaim can swap out). */
  beyond: number;
  balloon: balloon_spec | null;
  release: i915_release;
  /**
   * SIGKILL for the allocating task this many ms after the notifier is
   * entered (another OOM kill chose it, or the user). v4.11 looks at
   * fatal_signal_pending() after each failed try (schedule_timeout_killable
   * between tries): a wait for struct_mutex ends at the next tick; the wait
   * for the GPU (i915_gem_wait_for_idle(dev_priv, 0), uninterruptible) does
   * not. Absent: no signal.
   */
  sigkill_ms?: number;
  /**
   * What kind of task allocates (scenarios/reclaim_context.ts run_as): a
   * user task (absent), a kernel thread, or a kworker running a work item on
   * system_wq (writeback, i915's own workers). out_of_memory() calls the
   * notifiers for any of them; the OOM killer never picks a kernel thread
   * (oom_badness), so the kill lands on a user task ("firefox") all the same.
   * Kernel threads ignore signals: no sigkill_ms with a kernel-thread caller.
   */
  caller?: caller_task;
  /** How long the machine has been up (boot param uptime_secs): a wait keyed to uptime is a wait all the same. Absent: a fresh boot. */
  uptime_secs?: number;
  /** CONFIG_HZ (boot param hz: 250 or 100): a deadline that adds milliseconds to jiffies is wrong by HZ/1000. Absent: 1000. */
  hz?: number;
  /**
   * A 32-bit kernel (boot param bits_per_long): jiffies is a u32 that starts at INITIAL_JIFFIES and wraps to 0 five
   * minutes after boot; with uptime_secs just under 300 the notifier's wait straddles the wrap, and only time_after()
   * compares its deadline right. Absent: 64 bits.
   */
  bits_per_long?: 32;
  /**
   * How long "other" holds struct_mutex with holder 'other-briefly' (ms; absent: 30). v4.11's notifier retries the
   * lock a tick apart for up to 5 s whatever the GPU did: a hold of hundreds of ms is worth waiting for too.
   */
  hold_ms?: number;
  /**
   * Holder 'caller' only: this many GEM clients queued on struct_mutex behind the allocating task (a convoy:
   * scenarios/lock_holder.ts queue_struct_mutex_waiters). The notifier owes the owner the same purge however many
   * wait. Absent: none.
   */
  convoy?: number;
  /** A machine of many CPUs (scenarios/many_cpus.ts): the notifier's rules do not change with the CPU it runs on. Absent: 2 CPUs. */
  machine?: many_cpu_machine;
}

/** Every kind of GEM object, the opt-in ones included. */
export const ALL_GEM_KINDS = [...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS] as const;

export function describe_oom_workload(wl: oom_workload): string {
  const who = {
    none: `"${wl.comm}" (holding nothing)`,
    caller: `"${wl.comm}", holding struct_mutex (a GEM ioctl),`,
    'caller-waiters': `"${wl.comm}", holding struct_mutex with "${wl.other}" queued on it (WAITERS),`,
    'caller-handoff': `"${wl.comm}", holding struct_mutex with "${wl.other}" queued first (WAITERS|HANDOFF),`,
    'other-briefly': `"${wl.comm}", while "${wl.other}" holds struct_mutex for ${wl.hold_ms ?? 30} ms,`,
    'other-long': `"${wl.comm}", while "${wl.other}" holds struct_mutex for 6 s,`,
  }[wl.holder] + (wl.convoy ? ` with ${wl.convoy} GEM clients queued on it (a convoy),` : '');
  const balloon = wl.balloon ? `; a balloon notifier holding ${wl.balloon.pages} pages runs ${wl.balloon.first ? 'before' : 'after'} i915's` : '';
  const kill = wl.sigkill_ms === undefined ? '' : `; "${wl.comm}" gets SIGKILL ${wl.sigkill_ms} ms after the notifier is entered`;
  return `${who}${describe_caller_task(wl.caller ?? 'user')} allocates ${wl.gfp} ${wl.beyond} pages beyond free memory; ${describe_objects(wl.objects)}, all busy on the GPU for ${wl.busy_ms} ms; ` +
    `swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}; the v${wl.release} shrinker; "firefox" (${BYSTANDER_RSS} pages) can be killed${balloon}${kill}${describe_uptime(wl.uptime_secs)}${describe_machine(wl.machine)}${wl.hz ? `; CONFIG_HZ=${wl.hz} (a jiffy is ${1000 / wl.hz} ms)` : ''}${wl.bits_per_long === 32 ? '; a 32-bit kernel (jiffies is a u32 from INITIAL_JIFFIES: it wraps to 0 300 s after boot)' : ''}`;
}

/** The bystander's resident pages (its OOM badness). */
export const BYSTANDER_RSS = 12;
const SWAP_PAGES = 96;

/** One call of the notifier, as a reviewer reads it. */
export interface notifier_call {
  /** "oom notifier called by comm with struct_mutex ...", for messages. */
  who: string;
  lock: 'free' | 'mine' | 'other';
  /** The counter before and after the call (other notifiers may have added to it first). */
  freed_before: number;
  freed_after: number;
  ret: number;
  /** Pages of objects that lost them during the call, and the purgeable part (straight to the free list). */
  released: number;
  released_purgeable: number;
  /** Pages on the free lists before and after. */
  free_before: number;
  free_after: number;
  /** Pages released of buffers the GPU was still using at the moment they were released (under a running batch). */
  released_busy: number;
  /** Jiffies the call took (waiting for the GPU and the lock is allowed, within 5 s). */
  stalled_jiffies: number;
  /** jiffies_64 when it returned (a killable wait returns in the jiffy the fatal signal came). */
  returned_at: number;
  /** locks_balanced() around the call (null: balanced). */
  locks: string | null;
}

/** Each object's pages (its sg_table) and their number: an object that got other pages during the call (a page user re-populated it after the purge) lost the first ones all the same. */
function pages_of(objs: readonly drm_i915_gem_object[]): Map<drm_i915_gem_object, { sg: NonNullable<drm_i915_gem_object['mm']['pages']>; n: number }> {
  return new Map(objs.flatMap((o) => (o.mm.pages !== null ? [[o, { sg: o.mm.pages, n: obj_nr_pages(o) }] as const] : [])));
}

/** judged_oom - call @oom as out_of_memory() would, and record what it did. */
export async function judged_oom(oom: oom_fn, i915: drm_i915_private, freed: { value: number }): Promise<{ call: notifier_call; ret: number }> {
  const owner = __mutex_owner(i915.struct_mutex);
  const lock: notifier_call['lock'] = owner === null ? 'free' : owner === current ? 'mine' : 'other';
  const before = pages_of(model_i915_objects(i915));
  const put_busy_before = new Map(model_i915_objects(i915).map((o) => [o, model_pages_put_while_active(o)]));
  const purgeable = new Set(model_i915_objects(i915).filter((o) => o.mm.madv === I915_MADV_DONTNEED));
  // Another task's lock may be released while the notifier waits for it: then
  // only "the caller does not keep it" can be judged.
  const locks = lock === 'other' ? null : lock_owners([i915.struct_mutex]);
  const freed_before = freed.value;
  const free_before = nr_free_pages();
  const start = get_jiffies_64(); // the checker's clock: jiffies wraps on a 32-bit kernel, jiffies_64 never does
  const ret = await oom(i915, freed);
  let released = 0;
  let released_purgeable = 0;
  let released_busy = 0;
  const now = get_jiffies_64();
  for (const [o, { sg, n }] of before) {
    if (o.mm.pages === sg) continue;
    released += n;
    if (purgeable.has(o)) released_purgeable += n;
  }
  // Judged at the moment each object's pages were put (__i915_gem_object_put_pages), not at return:
  // waiting for the GPU after the purge protects nothing.
  for (const [o, n] of put_busy_before) released_busy += model_pages_put_while_active(o) - n;
  const kind = current.flags & PF_WQ_WORKER ? ' (a kworker)' : current.flags & PF_KTHREAD ? ' (a kernel thread)' : '';
  const call: notifier_call = {
    who: `the OOM notifier, called by ${current.comm}${kind} with struct_mutex ${lock === 'free' ? 'free' : lock === 'mine' ? 'held by the caller itself (unlock = false)' : `held by ${owner!.comm}`}`,
    lock,
    freed_before,
    freed_after: freed.value,
    ret,
    released,
    released_purgeable,
    free_before,
    free_after: nr_free_pages(),
    released_busy,
    stalled_jiffies: now - start,
    returned_at: now,
    locks: locks
      ? locks_balanced(locks)
      : __mutex_owner(i915.struct_mutex) === current
        ? `&dev->struct_mutex was held by ${owner!.comm} when the notifier was called, and ${current.comm} still holds it after the call: a lock taken must be released.`
        : null,
  };
  return { call, ret };
}

/** What one run of the OOM workload shows. */
export interface oom_run {
  /** Notifier calls that started, and those that returned (judged). */
  entered: number;
  calls: notifier_call[];
  /** Balloon notifier calls (it was reached), and the chain's total as out_of_memory() saw it after each walk. */
  balloon_calls: number;
  chain_totals: number[];
  /** Tasks the OOM killer killed. */
  kills: string[];
  wanted: number;
  got: number;
  books: string | null;
  /** The caller's struct_mutex after the allocation: still its own? */
  kept_lock: boolean;
  /**
   * With sigkill_ms: jiffies_64 when SIGKILL was sent (null: the run ended first), and when the GPU's
   * batch completes (jiffies_64; the notifier's wait for the GPU is uninterruptible in v4.11).
   */
  killed_at: number | null;
  gpu_idle_at: number;
}

const GFP: Record<oom_workload['gfp'], gfp_t> = { GFP_KERNEL, GFP_NOFS };

/**
 * run_oom_workload - boot the machine of @wl with @oom as i915's OOM
 * notifier and run the allocation. The run ends when the allocating task
 * has its pages (or gave up), and every task is done. @partial is what was
 * seen even if the run stopped early (a step limit: the allocation never ended).
 * @others fills the device's other shrinker callbacks: an exercise that
 * also writes count and scan (13) passes its own, so the device the notifier
 * is handed never carries the model's answer.
 */
export async function run_oom_workload(
  oom: oom_fn,
  wl: oom_workload,
  max_steps = 150_000,
  others: Partial<Pick<i915_shrinker_ops, 'count' | 'scan'>> = {},
): Promise<{ result: run_result; value: oom_run | undefined; partial: oom_run }> {
  const seen: oom_run = { entered: 0, calls: [], balloon_calls: 0, chain_totals: [], kills: [], wanted: 0, got: 0, books: null, kept_lock: true, killed_at: null, gpu_idle_at: 0 };
  const w = { i915: null as drm_i915_private | null, ready: false, done: false };
  const balloon_pages: page[] = [];
  const recording: oom_fn = async (i915, freed) => {
    seen.entered++;
    const { call, ret } = await judged_oom(oom, i915, freed);
    seen.calls.push(call);
    return ret;
  };
  const { result, value } = await run_once(
    { nr_cpus: 2, totalram_pages: 256, swap_pages: wl.swap ? SWAP_PAGES : 0, lockdep: wl.lockdep, max_steps, uptime_secs: wl.uptime_secs ?? 0, ...(wl.machine ?? {}), ...(wl.hz ? { hz: wl.hz } : {}), ...(wl.bits_per_long ? { bits_per_long: wl.bits_per_long } : {}) },
    async () => {
      const i915 = w.i915!;
      // v4.11's shrinker waits for expedited grace periods, driven by system_wq: its kworkers exist before the pressure.
      await warm_up_workqueues();
      for (let i = 0; wl.balloon && i < wl.balloon.pages; i++) {
        const p = await alloc_page(GFP_KERNEL | __GFP_NOWARN);
        if (p) balloon_pages.push(p);
      }
      const objs = await make_gem_objects(i915, wl.objects);
      const until = jiffies() + msecs_to_jiffies(wl.busy_ms); // busy_ms at any HZ
      seen.gpu_idle_at = get_jiffies_64() + msecs_to_jiffies(wl.busy_ms);
      for (const o of objs) if (o.mm.pages) i915_gem_object_mark_active(o, until);
      const mine = wl.holder === 'caller' || wl.holder === 'caller-waiters' || wl.holder === 'caller-handoff';
      w.ready = true;
      // The allocating task: this user task, or a kernel thread / kworker named wl.comm, which takes the lock itself.
      await run_as(wl.caller ?? 'user', wl.comm, async () => {
        if (wl.sigkill_ms !== undefined) {
          // do_send_sig_info(SIGKILL), as oom_kill_process() sends it: a killable sleep ends at once.
          const victim = current;
          const after = wl.sigkill_ms;
          user_task(async () => {
            while (seen.entered === 0 && !w.done) await msleep(1);
            if (w.done) return;
            await msleep(after);
            model_task_set(victim, 'sigkill_pending', true);
            signal_wake_up(victim);
            seen.killed_at = get_jiffies_64();
          }, 'kill');
        }
        if (mine) await hold_struct_mutex(i915, wl.holder as holder_state);
        else if (wl.holder !== 'none') while (!mutex_is_locked(i915.struct_mutex)) await msleep(1);
        if (wl.holder === 'caller' && wl.convoy) await queue_struct_mutex_waiters(i915, wl.convoy); // Xorg and the GL clients wait for it
        // Just past what is free: the allocator dips to the min watermark, then needs
        // reclaim. With swap, reclaim can first write firefox's pages out: ask for those too.
        seen.wanted = Math.max(0, nr_free_pages() - zone_info().min) + wl.beyond + (wl.swap ? BYSTANDER_RSS : 0);
        const keep: page[] = [];
        for (let i = 0; i < seen.wanted; i++) {
          const p = await alloc_page(GFP[wl.gfp] | __GFP_NOWARN);
          if (!p) break;
          keep.push(p);
        }
        seen.got = keep.length;
        if (mine) {
          seen.kept_lock = __mutex_owner(i915.struct_mutex) === current;
          if (seen.kept_lock) mutex_unlock(i915.struct_mutex);
        }
        for (const p of keep) __free_page(p);
      });
      w.done = true;
      while (mutex_is_locked(i915.struct_mutex)) await msleep(10);
      seen.books = page_accounting();
      return seen;
    },
    () => {
      w.i915 = gem_world({ release: wl.release, shrinker_ops: { ...others, oom: recording } }).i915;
      user_task(async () => {
        while (!w.done) await msleep(100);
      }, 'firefox', { rss_pages: BYSTANDER_RSS });
      if (wl.holder === 'caller-waiters' || wl.holder === 'caller-handoff') spawn_struct_mutex_waiter(() => w.i915!, wl.other);
      if (wl.holder === 'other-briefly' || wl.holder === 'other-long') {
        user_task(async () => {
          while (!w.ready) await msleep(1);
          await mutex_lock(w.i915!.struct_mutex);
          await msleep(wl.holder === 'other-briefly' ? (wl.hold_ms ?? 30) : 6000); // e.g. waiting for the GPU with the lock held
          mutex_unlock(w.i915!.struct_mutex);
        }, wl.other);
      }
      if (wl.balloon) {
        const nb: notifier_block = {
          // drivers/virtio/virtio_balloon.c virtballoon_oom_notify: deflate, add what was given back.
          notifier_call: (_nb, _event, freed) => {
            seen.balloon_calls++;
            let n = 0;
            for (const p of balloon_pages.splice(0)) {
              __free_page(p);
              n++;
            }
            freed.value += n;
            return NOTIFY_DONE;
          },
          priority: wl.balloon.first ? 1 : -1,
        };
        register_oom_notifier(nb);
        // The last notifier of the chain: the total out_of_memory() decides on.
        register_oom_notifier({ notifier_call: (_nb, _e, freed) => (seen.chain_totals.push(freed.value), NOTIFY_DONE), priority: -1000 });
      } else {
        register_oom_notifier({ notifier_call: (_nb, _e, freed) => (seen.chain_totals.push(freed.value), NOTIFY_DONE), priority: -1000 });
      }
    },
    wl.comm,
  );
  seen.kills = result.reports.filter((r) => r.kind === 'oom').map((r) => r.title);
  return { result, value, partial: seen };
}

/** Does a notifier's return value stop the chain (NOTIFY_STOP_MASK)? */
export function stops_chain(ret: number): boolean {
  return (ret & NOTIFY_STOP_MASK) !== 0;
}

/** Generated OOM workloads: @objects generator, the other fields free. */
export function arb_oom_workload(objects: fc.Arbitrary<gem_object_spec[]>, holders: readonly oom_holder[] = OOM_HOLDERS): fc.Arbitrary<oom_workload> {
  return fc.record({
    objects,
    busy_ms: fc.integer({ min: 2, max: 60 }),
    swap: fc.boolean(),
    lockdep: fc.boolean(),
    comm: arb_comm,
    other: arb_comm,
    holder: fc.constantFrom(...holders),
    gfp: fc.constantFrom<oom_workload['gfp']>('GFP_KERNEL', 'GFP_NOFS'),
    beyond: fc.integer({ min: 1, max: 6 }),
    balloon: fc.option(fc.record({ pages: fc.integer({ min: 1, max: 6 }), first: fc.boolean() }), { nil: null }),
    release: fc.constantFrom<i915_release>('4.11', '4.12'),
  });
}


/**
 * A page user on another CPU races the notifier's purge. v4.11's
 * i915_gem_pread_ioctl (i915_gem.c) pins the buffer's pages with
 * i915_gem_object_pin_pages(), which takes obj->mm.lock and never
 * struct_mutex, copies to userspace (it may fault and sleep), then unpins;
 * a dma-buf importer's map_dma_buf does the same. So while the notifier
 * holds struct_mutex and purges, a buffer can gain a pin (i915_gem_shrink()
 * skips it, or __i915_gem_object_put_pages() re-reads pages_pin_count under
 * obj->mm.lock and keeps the pages: fewer pages come back than were
 * releasable when the notifier took the lock) or lose one (more come back).
 * Only what i915_gem_shrink_all() returns says what came back.
 */
export interface pin_race_workload {
  /** i915's buffers, idle on the GPU. */
  objects: gem_object_spec[];
  /** The buffer the client reads (an index into objects). */
  read: number;
  /**
   * 'starts': the pread starts while the notifier runs (read a purgeable buffer: once purged, the pread fails
   * with -EFAULT instead of reading the pages back in, so every schedule's "released" is unambiguous);
   * 'ends': it was copying when the notifier was called and ends while it runs.
   */
  when: 'starts' | 'ends';
  /** Who holds struct_mutex when the notifier is called: nobody, the allocating task itself (unlock = false), or another task for 30 ms (the notifier waits for it). */
  holder: 'none' | 'caller' | 'other-briefly';
  swap: boolean;
  lockdep: boolean;
  release: i915_release;
  comm: string;
  other: string;
}

export function describe_pin_race(wl: pin_race_workload): string {
  const spec = wl.objects[wl.read]!;
  const read = `"${wl.other}" ${wl.when === 'starts' ? 'starts a pread of' : 'is in a pread of (its pages pinned), and finishes it,'} buffer ${wl.read + 1} ` +
    `(${spec.kind}×${spec.pages}p) ${wl.when === 'starts' ? 'while the notifier runs' : 'while the notifier runs'} (i915_gem_object_pin_pages: obj->mm.lock, no struct_mutex)`;
  const who = { none: 'holding nothing', caller: 'holding struct_mutex', 'other-briefly': `holding nothing, "${wl.other}" holding struct_mutex for 30 ms` }[wl.holder];
  return `"${wl.comm}" (${who}) calls the OOM notifier; ${describe_objects(wl.objects)}, the GPU idle; ` +
    `${read}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}; the v${wl.release} shrinker`;
}

/**
 * pin_race_scenario - the explored scenario: @wl with @oom as i915's
 * notifier (and @others as the device's count and scan). Every schedule's
 * notifier calls are handed to @judge (a failure message or null); the
 * explorer tries the client's pin or unpin at each schedule point of the
 * purge (obj->mm.lock, boot parameter i915_mm_lock_window).
 */
export function pin_race_scenario(
  id: string,
  oom: oom_fn,
  wl: pin_race_workload,
  judge: (calls: notifier_call[]) => string | null,
  others: Partial<Pick<i915_shrinker_ops, 'count' | 'scan'>> = {},
): scenario {
  let calls: notifier_call[] = [];
  let unfinished = true;
  return {
    id,
    params: { nr_cpus: 2, totalram_pages: 256, swap_pages: wl.swap ? SWAP_PAGES : 0, lockdep: wl.lockdep, i915_mm_lock_window: true },
    setup() {
      calls = [];
      unfinished = true;
      const made = init_completion('buffers made');
      const reading = init_completion('pread pinned');
      const locked = init_completion('struct_mutex taken for the purge');
      const done = init_completion('pread done');
      const w = { i915: null as drm_i915_private | null, target: null as drm_i915_gem_object | null };
      // The client's copy runs on the other CPU from the moment the purge holds struct_mutex (the
      // notifier's own lock, or i915_gem_shrink()'s): from there on the explorer tries its pin or
      // unpin at every schedule point of the purge.
      const lock: i915_shrinker_ops['lock'] = async (i915) => {
        const st = await i915_gem_shrinker_lock(i915);
        if (st.locked && !completion_done(locked)) complete(locked);
        return st;
      };
      w.i915 = gem_world({ release: wl.release, shrinker_ops: { ...others, lock, oom } }).i915;
      // The client: i915_gem_pread_ioctl's pin, copy and unpin, on the other CPU.
      user_task(async () => {
        await wait_for_completion(made);
        const obj = w.target!;
        if (wl.when === 'ends') {
          if (await i915_gem_object_pin_pages(obj)) throw new Error('check setup: no memory for the pread');
          complete(reading);
          await wait_for_completion(locked);
        } else {
          complete(reading);
          await wait_for_completion(locked);
          // A buffer already purged has no backing store left: the pread fails with -EFAULT, pinning nothing.
          if (await i915_gem_object_pin_pages(obj)) {
            complete(done);
            return;
          }
          await msleep(1); // copy_to_user, faulting
        }
        i915_gem_object_unpin_pages(obj);
        complete(done);
      }, wl.other, { cpu: 1 });
      const held = init_completion('struct_mutex held by another task');
      if (wl.holder === 'other-briefly') {
        user_task(async () => {
          await wait_for_completion(made);
          await mutex_lock(w.i915!.struct_mutex);
          complete(held);
          await msleep(30); // e.g. waiting for the GPU with the lock held
          mutex_unlock(w.i915!.struct_mutex);
        }, wl.other, { cpu: 1 });
      }
      user_task(async () => {
        const i915 = w.i915!;
        if (wl.release === '4.11') await warm_up_workqueues();
        const objs = await make_gem_objects(i915, wl.objects);
        w.target = objs[wl.read]!;
        complete_all(made); // the client and the other holder
        await wait_for_completion(reading);
        if (wl.holder === 'caller') await hold_struct_mutex(i915, 'caller');
        if (wl.holder === 'other-briefly') await wait_for_completion(held);
        const { call } = await judged_oom(oom, i915, { value: 0 });
        calls.push(call);
        if (!completion_done(locked)) complete(locked); // a notifier that never took the lock: the pread goes on after it
        await wait_for_completion(done);
        if (wl.holder === 'caller' && __mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
        unfinished = false;
      }, wl.comm, { cpu: 0 });
    },
    check: () => (unfinished ? 'the notifier call never finished' : judge(calls)),
  };
}
