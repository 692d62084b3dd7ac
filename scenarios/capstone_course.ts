// Exercise 13 (the capstone) on the scenarios of exercises 04, 06 and 11,
// with the learner's whole shrinker in place of the reference's.
//
// Those exercises judge code 13 does not write (the owner-word test, the
// execbuffer relocation, do_shrink_slab), so here the course's own answer
// to each is the kernel's and the learner's count, scan and OOM notifier
// are what is in play:
//   - 06: an execbuffer ioctl relocates a batch under struct_mutex with
//     memory at a watermark; its kmalloc enters direct reclaim and reclaim
//     calls the learner's scan in the ioctl's own task (RECURSIVE). The
//     relocation pins the pages first (the answer of 06), so the scan must
//     leave them alone: can_release_pages() refuses pages_pin_count >
//     bind_count, and a scan that takes them anyway is a use-after-free;
//   - 11: a storm of GFP_NOFS reclaims, then GFP_KERNEL ones, through
//     v4.11's do_shrink_slab (the model's, with the anti-windup caps),
//     i915's shrinker registered beside a filesystem's (super_cache_scan
//     says SHRINK_STOP without __GFP_FS): scan's answers decide what
//     nr_deferred keeps and what the next caller asks for;
//   - 04: a GEM ioctl allocates under struct_mutex while another process
//     queues on it (MUTEX_FLAG_WAITERS, HANDOFF under preemption): the
//     learner's count and scan, calling mutex_trylock_recursive(), must
//     still see that the lock is their own task's.
//
// Pure: no Node APIs (the study site runs checks too).
import type { scenario } from '../explorer/scenario';
import { run_once, type once_result } from '../course/check_helpers';
import { fc } from '../course/workload';
import { i915_gem_object_pin_pages, model_i915_object_freed, i915_gem_object_unpin_pages, relocate_entry, RELOCATION_ENTRY_BYTES, RELOCATIONS_PER_BATCH, sg_table_page, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { model_i915_objects } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { user_task } from '../kernel/fork';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { GFP_KERNEL, GFP_NOFS } from '../kernel/mm/gfp';
import { kfree, kmalloc } from '../kernel/mm/slab';
import { shrink_slab, shrinker_nr_deferred } from '../kernel/mm/vmscan';
import { msleep } from '../kernel/sched/core';
import { register_fs_cache, type fs_cache } from './fs_cache';
import { arb_comm, describe_objects, make_gem_objects, type gem_object_spec } from './gem_workloads';
import { gem_world, WORLD_PARAMS, type gem_world as world } from './i915_world';
import { start_handoff_pending_while_holder_allocates, start_waiter_while_holder_allocates, type handoff_pending_setup } from './owner_word';
import { arb_caller_task, describe_caller_task, enter_reclaim_context, run_as, type caller_task } from './reclaim_context';
import { first_violation, judged_shrinker, type shrinker_call, type whole_shrinker } from './whole_shrinker';

/** ENOMEM, returned negated. */
const ENOMEM = 12;

// ---------------------------------------------------------------------------
// 06: relocation under pressure

/**
 * pinned_relocation - the execbuffer relocation as exercise 06 answers it
 * (drivers/gpu/drm/i915/i915_gem_execbuffer.c, v4.11: the object's pages
 * are pinned while relocations are written through them): pin the pages,
 * then allocate the relocation buffer with kmalloc(GFP_KERNEL) (it may
 * enter direct reclaim and call the shrinker in this very task), write the
 * entries, unpin after the last access. Called with struct_mutex held.
 */
export async function pinned_relocation(_i915: drm_i915_private, obj: drm_i915_gem_object): Promise<number> {
  const err = await i915_gem_object_pin_pages(obj);
  if (err) return err;
  const pages = obj.mm.pages!;
  if (!sg_table_page(pages, 0, 'i915_gem_execbuffer_relocate')) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }
  const relocs = await kmalloc(RELOCATION_ENTRY_BYTES * RELOCATIONS_PER_BATCH, GFP_KERNEL);
  if (!relocs) {
    i915_gem_object_unpin_pages(obj);
    return -ENOMEM;
  }
  relocate_entry(pages, 0, relocs, 'i915_gem_execbuffer_relocate');
  obj.mm.dirty = true;
  kfree(relocs);
  i915_gem_object_unpin_pages(obj);
  return 0;
}

// ---------------------------------------------------------------------------
// 11: the NOFS storm, then GFP_KERNEL reclaim, through v4.11's do_shrink_slab

/** One reclaim history with i915's shrinker (the learner's) beside a filesystem's. */
export interface deferral_workload {
  /** i915's objects (count and scan work in pages). */
  objects: gem_object_spec[];
  /** GFP_NOFS shrink_slab calls first (a filesystem writing back under pressure). */
  storm: number;
  /** Of the storm's calls, those made while another task ("gpu_wait") holds struct_mutex (0-based). */
  held_during: number[];
  /** Then GFP_KERNEL shrink_slab calls. */
  kernel_calls: number;
  /** LRU pages scanned of eligible in each round (the pressure do_shrink_slab scales to the cache). */
  nr_scanned: number;
  nr_eligible: number;
  /** Cached dentries and inodes of the filesystem's super_block shrinker. */
  fs_objects: number;
  swap: boolean;
  /** Who reclaims: a user task, a kernel thread or a kworker, in direct reclaim (PF_MEMALLOC). */
  task: caller_task;
  comm: string;
}

/** What each shrink_slab call did to i915 (and to the filesystem's cache beside it). */
export interface deferral_outcome {
  /** Per call, storm first: the pages i915's scan released, and i915's nr_deferred after it. */
  i915_released: number[];
  i915_deferred: number[];
  /** Per call: the filesystem's objects evicted (it defers under GFP_NOFS). */
  fs_evicted: number[];
  /** scan_objects calls i915 received in all. */
  i915_scans: number;
}

export const arb_deferral_workload: fc.Arbitrary<deferral_workload> = fc
  .record({
    // A purgeable cache bigger than one SHRINK_BATCH (128 pages), some needed buffers, maybe some nothing can take.
    cache: fc.array(fc.integer({ min: 8, max: 32 }), { minLength: 8, maxLength: 20 }),
    others: fc.array(fc.record({ kind: fc.constantFrom<gem_object_spec['kind']>('needed', 'bound-idle', 'pinned', 'bound-active', 'bound-needed'), pages: fc.integer({ min: 1, max: 6 }) }), { maxLength: 4 }),
    storm: fc.integer({ min: 1, max: 24 }),
    held: fc.array(fc.integer({ min: 0, max: 23 }), { maxLength: 6 }),
    kernel_calls: fc.integer({ min: 1, max: 3 }),
    nr_scanned: fc.constantFrom(32, 128, 512),
    nr_eligible: fc.constantFrom(512, 1024),
    fs_objects: fc.integer({ min: 50, max: 400 }),
    swap: fc.boolean(),
    task: arb_caller_task,
    comm: arb_comm,
  })
  .map(({ cache, others, held, ...rest }) => ({
    ...rest,
    objects: [...cache.map((pages) => ({ kind: 'purgeable' as const, pages })), ...others],
    held_during: [...new Set(held.filter((i) => i < rest.storm))].sort((a, b) => a - b),
  }));

export function describe_deferral_workload(wl: deferral_workload): string {
  const held = wl.held_during.length ? `, "gpu_wait" holding struct_mutex during call(s) ${wl.held_during.map((i) => `#${i + 1}`).join(', ')}` : '';
  return `${describe_objects(wl.objects)}; "${wl.comm}"${describe_caller_task(wl.task)} in direct reclaim makes ${wl.storm} GFP_NOFS shrink_slab call(s)${held}, ` +
    `then ${wl.kernel_calls} GFP_KERNEL one(s), each after scanning ${wl.nr_scanned} of ${wl.nr_eligible} LRU pages; a filesystem's caches (${wl.fs_objects} objects, SHRINK_STOP without __GFP_FS) ` +
    `beside i915's; swap ${wl.swap ? 'on' : 'off'}`;
}

/** A 1024-page machine (4 MiB), so that i915's cache is bigger than one SHRINK_BATCH; swap if the workload has it. */
const DEFERRAL_PARAMS = { nr_cpus: 2, totalram_pages: 1024, max_steps: 200_000 } as const;

/**
 * run_deferral_history - boot, build i915's objects with @s as its
 * shrinker (every call judged), register the filesystem's caches, and
 * replay @wl's reclaim history through shrink_slab() (v4.11 do_shrink_slab,
 * mm/vmscan.c) from a task in direct reclaim.
 */
export async function run_deferral_history(wl: deferral_workload, s: whole_shrinker): Promise<once_result<deferral_outcome> & { calls: shrinker_call[] }> {
  let w: world | null = null;
  let fs: fs_cache | null = null;
  const judged = judged_shrinker(s);
  const gate = { want: false, held: false, done: false };
  const res = await run_once(
    { ...DEFERRAL_PARAMS, swap_pages: wl.swap ? 64 : 0 },
    async (): Promise<deferral_outcome> => {
      const i915 = w!.i915;
      await make_gem_objects(i915, wl.objects);
      const resident = (): number => model_i915_objects(i915).reduce((n, o) => n + (o.mm.pages && !model_i915_object_freed(o) ? o.mm.pages.pages.length : 0), 0);
      const out: deferral_outcome = { i915_released: [], i915_deferred: [], fs_evicted: [], i915_scans: 0 };
      await run_as(wl.task, wl.comm, async () => {
        const leave = enter_reclaim_context('direct-reclaim');
        const calls = [...Array<number>(wl.storm).fill(GFP_NOFS), ...Array<number>(wl.kernel_calls).fill(GFP_KERNEL)];
        for (const [i, gfp] of calls.entries()) {
          const hold = gfp === GFP_NOFS && wl.held_during.includes(i);
          if (hold) {
            gate.want = true;
            while (!gate.held) await msleep(1);
          }
          const [pages, objs] = [resident(), fs!.objects];
          await shrink_slab(gfp, 0, null, wl.nr_scanned, wl.nr_eligible);
          out.i915_released.push(pages - resident());
          out.i915_deferred.push(i915.mm.shrinker ? shrinker_nr_deferred(i915.mm.shrinker) : 0);
          out.fs_evicted.push(objs - fs!.objects);
          if (hold) {
            gate.want = false;
            while (gate.held) await msleep(1);
          }
        }
        leave();
      });
      gate.done = true;
      out.i915_scans = judged.calls.filter((c) => c.fn === 'scan').length;
      return out;
    },
    () => {
      w = gem_world({ release: '4.12', shrinker_ops: judged.ops });
      fs = register_fs_cache({ objects: wl.fs_objects });
      // Another GEM client takes struct_mutex when the history asks for it (a GEM ioctl that does not allocate).
      user_task(async () => {
        while (!gate.done) {
          if (gate.want && !gate.held) {
            await mutex_lock(w!.i915.struct_mutex);
            gate.held = true;
            while (gate.want) await msleep(1);
            mutex_unlock(w!.i915.struct_mutex);
            gate.held = false;
          }
          await msleep(1);
        }
      }, 'gpu_wait');
    },
    wl.comm,
  );
  return { ...res, calls: judged.calls };
}

// ---------------------------------------------------------------------------
// 04: a waiter queues on struct_mutex while its holder allocates

/**
 * waiter_while_holder_allocates_with - exercise 04's scenario
 * (scenarios/owner_word.ts) with @ops (the learner's count, scan and OOM
 * notifier, judged) as i915's shrinker: "i915_ioctl" takes struct_mutex and
 * allocates under pressure while "Xorg" wants the lock too; once Xorg
 * queues, the owner word carries MUTEX_FLAG_WAITERS (and HANDOFF when Xorg
 * wakes and finds the lock still taken). A recursion test that does not see
 * its own task behind the flags hides the buffer cache, and "firefox" is
 * OOM-killed. Every call of the schedule is judged at its end (whole_shrinker.ts rules).
 */
export function waiter_while_holder_allocates_with(id: string, s: whole_shrinker, lockdep: boolean): scenario {
  return judged_owner_word_scenario(id, s, lockdep, (w) => start_waiter_while_holder_allocates(w));
}

/** One of 04's three-task scenarios on @s's count and scan, every call judged at the end of the schedule. */
function judged_owner_word_scenario(id: string, s: whole_shrinker, lockdep: boolean, start: (w: world) => void): scenario {
  let calls: shrinker_call[] = [];
  return {
    id,
    params: { ...WORLD_PARAMS, lockdep },
    setup() {
      const judged = judged_shrinker(s);
      calls = judged.calls; // this schedule's calls
      start(gem_world({ release: '4.12', shrinker_ops: judged.ops }));
    },
    check: () => first_violation(calls),
  };
}

/**
 * handoff_pending_with - the same three tasks with MUTEX_FLAG_HANDOFF
 * already pending when the ioctl allocates (scenarios/owner_word.ts
 * start_handoff_pending_while_holder_allocates: the ioctl dropped and
 * retook struct_mutex with Xorg queued, as v4.11's execbuffer relocation
 * slow path does), so the default schedule shows the learner's count and
 * scan the owner word "ioctl | WAITERS | HANDOFF", which exploring 04's
 * scenario reaches only with two preemptions. Judged as above.
 */
export function handoff_pending_with(id: string, s: whole_shrinker, lockdep: boolean): scenario {
  return judged_owner_word_scenario(id, s, lockdep, (w) => {
    const seen: handoff_pending_setup = { word_before_allocating: 0 };
    start_handoff_pending_while_holder_allocates(w, seen);
  });
}
