// The graded checks of exercise 10 (save and restore PF_MEMALLOC).
// Each check runs your i915_gem_object_writeback on the kernel model: from
// every kind of caller (a GEM ioctl, a task in direct reclaim, kswapd, a
// no-I/O scope), in every kind of task (a user process, a kernel thread, a
// kworker running a work item), at memory levels above and below the min
// watermark, and from inside the i915 shrinker while the allocating task is
// in direct reclaim, watching whether reclaim is entered again from inside
// itself and whether PF_MEMALLOC is still set when each call returns.
import { describe_machine, MANY_CPU_MACHINES, type many_cpu_machine } from '../scenarios/many_cpus';
import { describe_machine_range, LARGEST_MACHINE, type machine } from '../scenarios/machine_ranges';
import { define_checks, fail, pass, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, once_scenario, run_once, run_parts } from '../course/check_helpers';
import { declare_scenarios } from '../course/scenario_registry';
import type { run_result } from '../kernel/init/main';
import { page_accounting } from '../course/invariants';
import { fc, for_each_workload, like_reference } from '../course/workload';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_object_pin_pages, i915_gem_object_unpin_pages, type drm_i915_gem_object } from '../kernel/drivers/gpu/drm/i915/i915_gem_object';
import { v4_11_shrinker_ops, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { failslab_set } from '../kernel/mm/failslab';
import { fail_page_alloc_set } from '../kernel/mm/fail_page_alloc';
import { slab_caches } from '../kernel/mm/slab';
import { MODEL_SHMEM_RANGE_PAGES } from '../kernel/mm/shmem_range';
import { for_each_sg } from '../kernel/lib/scatterlist';
import { __GFP_ATOMIC, __GFP_HIGH } from '../kernel/mm/gfp';
import { zone_info, type page } from '../kernel/mm/page_alloc';
import { vm_events } from '../kernel/mm/vmstat';
import { current } from '../kernel/sched/core';
import { PF_KSWAPD, PF_KTHREAD, PF_MEMALLOC, PF_MEMALLOC_NOIO, PF_SWAPWRITE, PF_WQ_WORKER, type task_struct } from '../kernel/sched/task';
import { arb_comm, make_gem_objects, type gem_object_spec } from '../scenarios/gem_workloads';
import { allocate_pages, gem_world } from '../scenarios/i915_world';
import { arb_caller_task, describe_caller_task, run_as, type caller_task } from '../scenarios/reclaim_context';
import { reclaim_progress_recorder, watch_reclaim_progress } from '../scenarios/reclaim_progress';
import golden from './10-save-and-restore-pf-memalloc.golden';

type writeback_fn = (obj: drm_i915_gem_object) => Promise<number>;

/**
 * What reclaim hears of the writeback is what the shrinker returns (red team 13's count_written_as_reclaimed: adding
 * the pages written to current->reclaim_state->reclaimed_slab passed all, from kswapd always). Pages written to swap
 * are still the object's until reclaim frees them; shrink_node() reads reclaimed_slab as slab pages the slab
 * allocator freed. Every call runs with a reclaim_state (as __perform_reclaim() and kswapd set it), and what it adds
 * there beyond the slab allocator's own count (scenarios/reclaim_progress.ts) fails the check it ran in.
 */
const progress = reclaim_progress_recorder(
  'Pages written to swap are still the object\'s (in the swap cache) until reclaim frees them; the writeback\'s answer is the pages it wrote, returned to its caller.',
);
const writeback_of = (impl: exercise_impl): writeback_fn => {
  const fn = impl.i915_gem_object_writeback as writeback_fn;
  return async (obj) => {
    const outer = current.reclaim_state;
    if (!outer) current.reclaim_state = { reclaimed_slab: 0 };
    const watch = watch_reclaim_progress();
    try {
      return await fn(obj);
    } finally {
      progress.record(watch.stop('i915_gem_object_writeback'));
      current.reclaim_state = outer;
    }
  };
};

/** Who calls: the task flags each kind of caller has when it gets here. */
const CALLERS: Record<string, number> = {
  'a caller outside reclaim (a GEM ioctl, a driver\'s work item: no reclaim flags)': 0,
  'a task in direct reclaim (PF_MEMALLOC, set by __perform_reclaim)': PF_MEMALLOC,
  'kswapd (PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD)': PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD,
  'a no-I/O scope (PF_MEMALLOC_NOIO)': PF_MEMALLOC_NOIO,
  'direct reclaim inside a no-I/O scope': PF_MEMALLOC | PF_MEMALLOC_NOIO,
};
const CALLER_NAMES = Object.keys(CALLERS);
/** kswapd is a kernel thread (mm/vmscan.c kswapd_run: kthread_run); every other caller can be any kind of task. */
const KSWAPD_CALLER = CALLER_NAMES[2]!;

/**
 * A 1024-page machine: min watermark 64 pages, so the reserves below it hold
 * the writeback's pages. A correct writeback needs a few thousand scheduler
 * steps here; one that lets reclaim recurse runs until the step budget.
 */
const PARAMS = { totalram_pages: 1024, nr_cpus: 2, swap_pages: 256, max_steps: 40_000 } as const;
/**
 * A huge object (more than MODEL_SHMEM_RANGE_PAGES pages: its pages are blocks, kernel/mm/shmem_range.ts) on a 64 GiB machine
 * with 16 GiB of swap: 2^20 + 1000 pages, from kswapd with memory plentiful. Written block by block, a few thousand steps.
 */
const HUGE_WRITEBACK: writeback_workload = {
  caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 2 ** 20 + 1000, dirty: true, populated: true,
  low_memory: false, lockdep: true, memory: { totalram_pages: 2 ** 24, swap_pages: 2 ** 22 },
};
/** Take pages without waking kswapd or reclaiming: ALLOC_HIGH|ALLOC_HARDER go below min, to about half of it. */
const DRAIN = __GFP_HIGH | __GFP_ATOMIC;

interface writeback_workload {
  caller: string;
  /**
   * The kind of task the call runs in: PF_MEMALLOC belongs to the running
   * task whatever it is. A kworker in direct reclaim (its work item
   * allocated) owns the flag exactly as a process does.
   */
  task: caller_task;
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
  /**
   * A machine of more CPUs, tasks numbered from a desktop's pids (scenarios/many_cpus.ts), or the largest of
   * scenarios/machine_ranges.ts (512 CPUs, the top pids, up 104 days). Absent: the usual 2 CPUs.
   */
  machine?: many_cpu_machine | machine;
  /** Pages of RAM and of swap, for an object bigger than the usual machine holds. Absent: PARAMS'. */
  memory?: { totalram_pages: number; swap_pages: number };
  /**
   * Swap is a file on NFS (boot param swap_file, SWP_FILE): __swap_writepage
   * writes synchronously through the file's ->direct_IO, which fails with
   * -ENOMEM when its NFS request finds no memory (v4.11 mm/page_io.c, "Write
   * error on dio swapfile"). Absent: a swap partition, whose bio writes never fail.
   */
  swap_file?: boolean;
}
const arb_writeback: fc.Arbitrary<writeback_workload> = fc.record({
  caller: fc.constantFrom(...CALLER_NAMES),
  task: arb_caller_task,
  comm: arb_comm,
  pages: fc.integer({ min: 1, max: 8 }),
  dirty: fc.boolean(),
  populated: fc.boolean(),
  low_memory: fc.boolean(),
  atomic_floor: fc.boolean(),
  lockdep: fc.boolean(),
}).map((wl) => (wl.caller === KSWAPD_CALLER ? { ...wl, task: 'kthread' as const } : wl));
const describe_writeback = (wl: writeback_workload): string =>
  `called by ${wl.caller}${describe_caller_task(wl.task)}${wl.task === 'kworker' ? ` queued by "${wl.comm}"` : `, named "${wl.comm}"`}; a ${wl.populated ? (wl.dirty ? 'dirty' : 'clean') : 'never populated'} object of ${wl.pages} pages; ` +
  `memory ${wl.low_memory ? (wl.atomic_floor ? 'drained below what even GFP_ATOMIC may take (only PF_MEMALLOC allocations succeed)' : 'below the min watermark') : 'plentiful'}; ` +
  `lockdep ${wl.lockdep ? 'on' : 'off'}${wl.machine && 'uptime_secs' in wl.machine ? describe_machine_range(wl.machine) : describe_machine(wl.machine)}${wl.swap_file ? '; swap is a file on NFS (SWP_FILE: each page written with the file\'s ->direct_IO, which fails when its request finds no memory)' : ''}`;

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
  /** Page writes submitted to swap during the call (vm event pswpout: __swap_writepage). */
  writes: number;
  free_after: number;
  /** Entries of the object's page table (for_each_sg): one per page, or one per block of a huge object. */
  entries: number;
  /** Slab objects in use after the call, every cache (/proc/slabinfo's active_objs summed): a leaked kmalloc shows here, not in free pages. */
  slab_objects_after: number;
  books: string | null;
}

/**
 * call_as - from a fresh machine, put a task of @wl's kind in @wl's caller's
 * shoes and call @fn once. With @fail_at, the allocation of that index made
 * during the call (slab or page, counted together from 0) fails, as fault
 * injection (failslab, fail_page_alloc) makes it.
 *
 * The kernel thread or kworker is started while memory is plentiful and
 * drains it itself: a kworker about to run a work item first makes sure its
 * pool has an idle worker (kernel/workqueue.c worker_thread,
 * may_start_working/manage_workers), and that allocation, below min, would
 * push the machine into the OOM killer, which only picks user tasks (the
 * waiting check task): a failure of the setup, not of the code judged.
 */
async function call_as(fn: writeback_fn, wl: writeback_workload, fail_at: number | null = null) {
  const w = { i915: null as drm_i915_private | null };
  return run_once(
    { ...PARAMS, lockdep: wl.lockdep, ...(wl.machine ?? {}), ...(wl.memory ?? {}), swap_file: wl.swap_file ?? false },
    async (): Promise<call_outcome> => {
      const [obj] = await make_gem_objects(w.i915!, [spec_of(wl)]);
      // The caller keeps the object's pages for the call, as the shrinker does (in the kernel, the
      // object's page lock): kswapd, woken by the call's own allocations, must not put them under it.
      const pinned = obj!.mm.pages !== null;
      const entries = obj!.mm.pages ? for_each_sg(obj!.mm.pages).length : 0;
      if (pinned) await i915_gem_object_pin_pages(obj!);
      const out = await run_as(wl.task, wl.comm, async (): Promise<call_outcome> => {
        const keep: page[] = [];
        if (wl.low_memory) while ((wl.atomic_floor || zone_info().free > zone_info().min - 8) && (await allocate_pages(1, DRAIN, keep)) === 1);
        const t = current;
        const own_flags = t.flags; // PF_KTHREAD, PF_WQ_WORKER: the task's own, kept
        t.flags |= CALLERS[wl.caller]!;
        const flags_before = t.flags;
        const stalls = vm_events.allocstall;
        const swapouts = vm_events.pswpout;
        if (fail_at !== null) {
          let n = 0;
          const nth = (): boolean => n++ === fail_at;
          failslab_set(nth);
          fail_page_alloc_set(nth);
        }
        const written = await fn(obj!);
        failslab_set(null);
        fail_page_alloc_set(null);
        const flags_after = t.flags;
        const reclaims = vm_events.allocstall - stalls;
        const writes = vm_events.pswpout - swapouts;
        t.flags = own_flags; // the kworker goes on to other work items, the thread exits: as they came
        return { flags_before, flags_after, written, clean: !obj!.mm.dirty, reclaims, writes, free_after: 0, entries, slab_objects_after: 0, books: null };
      });
      if (pinned) i915_gem_object_unpin_pages(obj!);
      return { ...out, free_after: zone_info().free, slab_objects_after: slab_caches().reduce((n, c) => n + c.nr_objects, 0), books: page_accounting() };
    },
    () => {
      w.i915 = gem_world({ release: '4.12' }).i915;
    },
    wl.comm,
  );
}

const flag_names = (f: number): string =>
  [[PF_MEMALLOC, 'PF_MEMALLOC'], [PF_MEMALLOC_NOIO, 'PF_MEMALLOC_NOIO'], [PF_SWAPWRITE, 'PF_SWAPWRITE'], [PF_KSWAPD, 'PF_KSWAPD'], [PF_KTHREAD, 'PF_KTHREAD'], [PF_WQ_WORKER, 'PF_WQ_WORKER']]
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
 * A direct reclaim in a GEM ioctl, in a kernel thread or in a work item: the
 * task holds struct_mutex and allocates under pressure; reclaim calls the
 * i915 shrinker, which writes the dirty objects back (your function) before
 * releasing pages. The instrumented scan counts how often it is entered
 * while already running in the same task, and checks after every call of
 * your function that PF_MEMALLOC is as it was before the call: still set,
 * since the task is in direct reclaim (mm/page_alloc.c __perform_reclaim).
 * Whatever reclaim does next in this task (the rest of the scan, the next
 * shrinker, shrink_page_list's own allocations) relies on it.
 */
function reclaim_through_writeback_parts(fn: writeback_fn, wl: recursion_workload) {
  const seen: recursion_seen = { reentered: 0, writebacks: 0, flag_changed: 0, first_change: '' };
  const depth = new Map<task_struct, number>();
  const scan: i915_shrinker_ops['scan'] = async (i915, sc) => {
    const t = current;
    depth.set(t, (depth.get(t) ?? 0) + 1);
    if (depth.get(t)! > 1) seen.reentered++;
    try {
      for (const obj of [...i915.mm.unbound_list]) {
        if (obj.mm.dirty && obj.mm.pages) {
          seen.writebacks++;
          const before = t.flags & PF_MEMALLOC;
          await fn(obj);
          const after = t.flags & PF_MEMALLOC;
          if (after !== before && seen.flag_changed++ === 0) {
            seen.first_change = `PF_MEMALLOC was ${before ? 'set' : 'clear'} when writeback #${seen.writebacks} was called from the shrinker and ${after ? 'set' : 'clear'} when it returned`;
          }
        }
      }
      return await v4_11_shrinker_ops.scan(i915, sc);
    } finally {
      depth.set(t, depth.get(t)! - 1);
    }
  };
  const w = { i915: null as drm_i915_private | null };
  return {
    seen,
    params: { ...PARAMS, lockdep: wl.lockdep },
    body: async () => {
      const specs: gem_object_spec[] = [
        ...Array.from({ length: wl.dirty_objects }, () => ({ kind: 'dirty-needed' as const, pages: 4 })),
        { kind: 'purgeable', pages: 24 },
      ];
      await make_gem_objects(w.i915!, specs);
      // The kernel thread or kworker starts while memory is plentiful (see call_as), then fills it.
      await run_as(wl.task, wl.comm, async () => {
        await mutex_lock(w.i915!.struct_mutex);
        // Fill memory to below the min watermark: the next allocation enters direct reclaim.
        await allocate_pages(Math.max(0, zone_info().free - zone_info().min + 4));
        await allocate_pages(8);
        mutex_unlock(w.i915!.struct_mutex);
      });
    },
    setup: () => {
      w.i915 = gem_world({ release: '4.12', shrinker_ops: { scan } }).i915;
    },
    comm: wl.comm,
  };
}

async function reclaim_through_writeback(fn: writeback_fn, wl: recursion_workload) {
  const parts = reclaim_through_writeback_parts(fn, wl);
  return { ...(await run_parts(parts)), seen: parts.seen };
}

/** What the instrumented scan saw of the writeback calls in one run. */
interface recursion_seen {
  reentered: number;
  writebacks: number;
  flag_changed: number;
  first_change: string;
}

/** judge_recursion - what a reviewer says of one run of reclaim_through_writeback, or null. */
function judge_recursion(result: run_result, seen: recursion_seen, wl: recursion_workload): string | null {
  if (seen.reentered > 0) {
    return `the i915 shrinker was entered ${seen.reentered} time(s) while it was already running in the same task: reclaim recursed. ` +
      'Inside direct reclaim PF_MEMALLOC is what stops an allocation from entering reclaim again; a helper that clears it on its ' +
      'way out (even a nested one, inside your own function) hands the next allocation back to reclaim.' + dmesg_tail(result, 8);
  }
  if (seen.flag_changed > 0) {
    return `inside direct reclaim, in ${wl.task === 'user' ? 'a user process' : wl.task === 'kthread' ? 'a kernel thread' : 'a kworker'}: ${seen.first_change} ` +
      `(${seen.flag_changed} of ${seen.writebacks} call(s)). The task is still in reclaim when your function returns: __perform_reclaim set ` +
      'PF_MEMALLOC and restores it only when reclaim is over, and every allocation reclaim makes until then relies on it to stay out of ' +
      'reclaim. The flag belongs to the running task, whatever kind of task it is (a kworker runs work items, but its flags are the ' +
      'context it is in, not the work item\'s): save it with memalloc_noreclaim_save() and put back what you saved.' + dmesg_tail(result, 8);
  }
  const bad = bad_report(result);
  if (bad) return `${bad}${dmesg_tail(result)}`;
  if (seen.writebacks === 0) return `the shrinker never got to write anything back (${result.stop}): the check's setup went wrong.${dmesg_tail(result)}`;
  return null;
}

/** The check's first example: "i915_ioctl" holds struct_mutex and allocates below min; reclaim writes two dirty objects back from the shrinker. */
const RECURSION_EXAMPLE: recursion_workload = { task: 'user', comm: 'i915_ioctl', dirty_objects: 2, lockdep: true };

/** The scenarios the playground steps (course/scenario_registry.ts): the check's first workload, under any schedule. */
export const scenarios = declare_scenarios('10-save-and-restore-pf-memalloc', [
  {
    id: 'ex10-writeback-in-reclaim',
    title: 'no-reclaim-recursion\'s first workload: "i915_ioctl" holds struct_mutex and allocates below the min watermark; direct reclaim calls the i915 shrinker, which writes two dirty objects back with your function',
    goal: 'Win when the run ends with the i915 shrinker entered again from inside itself (reclaim recursed), or PF_MEMALLOC changed under the reclaiming task. Step into the writeback and watch the task\'s flags at each allocation; then see the solution keep PF_MEMALLOC set.',
    build: (impl) => ({
      scenario: once_scenario(
        'ex10-writeback-in-reclaim',
        () => reclaim_through_writeback_parts(writeback_of(impl), RECURSION_EXAMPLE),
        (result, _value, parts) => judge_recursion(result, parts.seen, RECURSION_EXAMPLE),
      ),
    }),
  },
]);

interface recursion_workload {
  /** The task that allocates: a GEM ioctl's process, a kernel thread, or a work item's kworker. */
  task: caller_task;
  comm: string;
  dirty_objects: number;
  lockdep: boolean;
}
const describe_recursion = (wl: recursion_workload): string =>
  `${wl.task === 'kworker' ? `a work item queued by "${wl.comm}", run by a kworker on system_wq (PF_WQ_WORKER),` : `"${wl.comm}"${describe_caller_task(wl.task)}`} holds struct_mutex and allocates below the min watermark; ` +
  `${wl.dirty_objects} dirty object(s) to write back; lockdep ${wl.lockdep ? 'on' : 'off'}`;

export default define_checks(refuse_kernel_object_state({
  exercise: '10-save-and-restore-pf-memalloc',
  exports: { i915_gem_object_writeback: 'async function i915_gem_object_writeback(obj): Promise<number>' },
  golden,
  checks: progress.judging([
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
              { caller: CALLER_NAMES[1]!, task: 'user', comm: 'i915_ioctl', pages: 4, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[0]!, task: 'user', comm: 'Xorg', pages: 4, dirty: true, populated: true, low_memory: true, lockdep: false },
              { caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 2, dirty: true, populated: true, low_memory: false, lockdep: true },
              // A work item allocated and went into direct reclaim, which reached this writeback through the
              // i915 shrinker: the kworker owns PF_MEMALLOC now as any process in direct reclaim does (red team 7).
              { caller: CALLER_NAMES[1]!, task: 'kworker', comm: 'i915_ioctl', pages: 3, dirty: true, populated: true, low_memory: true, lockdep: false },
              // A work item outside reclaim writes back at low memory: its allocations need the reserves as a process's do.
              { caller: CALLER_NAMES[0]!, task: 'kworker', comm: 'Xorg', pages: 2, dirty: true, populated: true, low_memory: true, lockdep: true },
              // A big buffer from kswapd at low memory (red team 10: a writeback that let go of PF_MEMALLOC for one allocation every
              // 64 pages passed all; no workload wrote more than 48): a 72-page object, past any per-chunk threshold of 64.
              { caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 72, dirty: true, populated: true, low_memory: true, lockdep: true },
              // The same rules on an 8-CPU machine, the caller on a CPU past the first two (red team 11: a writeback that kept
              // PF_MEMALLOC on CPUs 2 and up passed all; every machine had 2 CPUs): the ioctl, and direct reclaim.
              // Past 1024 pages (red team 11: the same with a refill every 128 pages passed all; 72 is past 64, not past 128): an
              // 1100-page object from kswapd at low memory, on a machine of 4096 pages with 2048 of swap. Whatever the chunk, the
              // writeback never lets go of PF_MEMALLOC for an allocation.
              { caller: KSWAPD_CALLER, task: 'kthread' as const, comm: 'kswapd0', pages: 1100, dirty: true, populated: true, low_memory: true, lockdep: false, memory: { totalram_pages: 4096, swap_pages: 2048 } },
              // And on the largest machine drawn (scenarios/machine_ranges.ts: 512 CPUs, the caller on a CPU past 255; a writeback
              // that kept PF_MEMALLOC on CPUs 8 and up met no machine before).
              ...[...MANY_CPU_MACHINES, LARGEST_MACHINE].flatMap((machine) => [
                { caller: CALLER_NAMES[0]!, task: 'user' as const, comm: 'Xorg', pages: 4, dirty: true, populated: true, low_memory: true, lockdep: true, machine },
                { caller: CALLER_NAMES[1]!, task: 'user' as const, comm: 'firefox', pages: 3, dirty: true, populated: true, low_memory: true, lockdep: false, machine },
              ]),
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
                'keep dipping into the reserves). That holds in every kind of task: a kworker or a kernel thread in direct reclaim owns ' +
                'PF_MEMALLOC exactly as a process does (the flags are the running context\'s, not the work item\'s).');
            }
            if (value.reclaims > 0) {
              return fail(`the call entered direct reclaim ${value.reclaims} time(s): its allocations must come from the reserves (PF_MEMALLOC), ` +
                'never from reclaim, whoever the caller is: it runs inside reclaim, with pages under writeback. That includes the ' +
                'allocations the kernel makes for it: __swap_writepage() allocates each write\'s bio with GFP_NOIO, and once fs_bio_set\'s ' +
                'reserve is used up that allocation enters direct reclaim unless the task has PF_MEMALLOC. A gfp flag on your own ' +
                'allocations (__GFP_MEMALLOC) does not reach it; a scope (memalloc_noreclaim_save) around the whole writeback does.');
            }
            if (value.books) return fail(value.books);
            return pass();
          },
        ),
    },
    {
      id: 'no-reclaim-recursion',
      name: 'called from the i915 shrinker in direct reclaim, never lets reclaim re-enter the shrinker from inside itself, and returns with PF_MEMALLOC still set (a process, a kernel thread or a kworker; lockdep on or off, any task name)',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: fc.record({ task: arb_caller_task, comm: arb_comm, dirty_objects: fc.integer({ min: 1, max: 4 }), lockdep: fc.boolean() }),
            seed: 0x1002,
            generated: 3,
            shrink_budget: 4,
            examples: [
              RECURSION_EXAMPLE, // the playground's ex10-writeback-in-reclaim
              { task: 'user', comm: 'i915_ioctl', dirty_objects: 1, lockdep: false },
              // Any task that allocates can be in direct reclaim: a work item on system_wq (red team 7).
              { task: 'kworker', comm: 'i915_ioctl', dirty_objects: 2, lockdep: false },
            ],
            describe: describe_recursion,
          },
          async (wl) => {
            const { result, seen } = await reclaim_through_writeback(writeback_of(impl), wl);
            const wrong = judge_recursion(result, seen, wl);
            return wrong ? fail(wrong) : pass();
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
              { caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 8, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[0]!, task: 'user', comm: 'i915_ioctl', pages: 6, dirty: true, populated: true, low_memory: true, atomic_floor: true, lockdep: false },
              // Real buffers are megabytes: a writeback that holds more than a page or two of the
              // reserves at a time runs them dry on an object this size (red team 6, batch-bounce-pages).
              { caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 48, dirty: true, populated: true, low_memory: true, lockdep: true },
              { caller: CALLER_NAMES[1]!, task: 'kworker', comm: 'i915_ioctl', pages: 40, dirty: true, populated: true, low_memory: true, atomic_floor: true, lockdep: false },
              // Past 4096 pages, 16 MiB (red team 13's cap_writeback_mark_clean: a writeback that wrote at most 4096 pages a call and
              // then marked the object clean passed all, 10's biggest object here holding 48 pages): a 4K texture, 8100 pages, from
              // kswapd and from direct reclaim at low memory. Bounding the work per call is fine; the object stays dirty until
              // every page was written, or the shrinker's put hands the unwritten tail back clean and reclaim drops it.
              { caller: KSWAPD_CALLER, task: 'kthread', comm: 'kswapd0', pages: 8100, dirty: true, populated: true, low_memory: false, lockdep: false, memory: { totalram_pages: 16_384, swap_pages: 16_384 } },
              { caller: CALLER_NAMES[1]!, task: 'user', comm: 'glxgears', pages: 8100, dirty: true, populated: true, low_memory: true, lockdep: true, memory: { totalram_pages: 16_384, swap_pages: 16_384 } },
              // Past 2^20 pages (a cap anywhere between 8100 and 65536 pages passed all, 8100 being the biggest object written here):
              // a 4 GiB object and a bit (1030 entries: 1024 blocks of 4 MiB, then smaller ones) on a 64 GiB machine with swap,
              // written block by block (kernel/lib/scatterlist.ts for_each_sg, kernel/mm/shmem_range.ts).
              HUGE_WRITEBACK,
            ],
            describe: describe_writeback,
          },
          async (wl) => {
            const { result, value } = await call_as(writeback_of(impl), wl);
            const huge = wl.pages > MODEL_SHMEM_RANGE_PAGES;
            if (huge && result.stop === 'step_limit') {
              return fail(`the call never returned within ${PARAMS.max_steps} scheduler steps writing back a ${wl.pages}-page object: a huge object's page table ` +
                'holds blocks of up to 4 MiB (for_each_sg), and its writeback goes an entry at a time (one bounce and one __swap_writepage per block), ' +
                `as the starter's loop does; a page at a time it is ${wl.pages} writes${dmesg_tail(result)}`);
            }
            const bad = bad_report(result);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the call did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.books) return fail(value.books);
            const expected = wl.populated && wl.dirty ? wl.pages : 0;
            // A huge object is judged block by block, by what reached swap: marked clean while some of its blocks were never written.
            if (huge && value.clean && value.writes < expected) {
              return fail(`the object is marked clean, but only ${value.writes} of its ${expected} pages (${value.entries} blocks in its page table) reached swap ` +
                `(__swap_writepage): the blocks holding the other ${expected - value.writes} were never written, and would be handed back clean and their data lost.`);
            }
            // Marked clean with pages unwritten first: that is data loss, whatever the count says.
            if (value.clean && value.written < expected) return fail(`only ${value.written} of ${expected} pages were written, but the object is marked clean: the rest of its data would be lost.`);
            if (value.written !== expected) return fail(`i915_gem_object_writeback returned ${value.written}; the object has ${expected} dirty page(s) to write.`);
            if (wl.populated && !value.clean) return fail('every page was written, but the object is still marked dirty: the shrinker would write it again.');
            if (value.writes !== value.written) {
              return fail(`i915_gem_object_writeback returned ${value.written}, but ${value.writes} page write(s) reached swap (__swap_writepage): ` +
                'a page is written when its write was submitted, one per page.');
            }
            const differs = like_reference(ctx, wl, { written: value.written, clean: value.clean, free_after: value.free_after }, (ref, got) =>
              ref.free_after === got.free_after
                ? null
                : `after the call ${got.free_after} pages are free; after the reference's, ${ref.free_after}: ` +
                  (got.free_after < ref.free_after
                    ? 'pages taken were not all given back'
                    : 'the reference still has pages in flight (each write holds its page until the disk is done): not every write was submitted as the reference submits it'),
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
            // Swap on a partition or on a file: on a file the write itself can fail (its NFS request is one of the call's allocations).
            arbitrary: fc.record({ wl: fc.tuple(arb_writeback, fc.boolean()).map(([wl, swap_file]): writeback_workload => ({ ...wl, populated: true, dirty: true, swap_file })), fail_at: fc.integer({ min: 0, max: 16 }) }),
            seed: 0x1004,
            generated: 5,
            shrink_budget: 10,
            examples: [
              ...[0, 1, 2, 3].map((fail_at) => ({ wl: { caller: CALLER_NAMES[1]!, task: 'user' as const, comm: 'i915_ioctl', pages: 3, dirty: true, populated: true, low_memory: false, lockdep: true }, fail_at })),
              // The first allocation (the writeback_control) fails for a caller without PF_MEMALLOC: the early way out must restore too.
              { wl: { caller: CALLER_NAMES[0]!, task: 'user', comm: 'Xorg', pages: 2, dirty: true, populated: true, low_memory: false, lockdep: false }, fail_at: 0 },
              // Swap over NFS (red team 11: a writeback that returned on a failed __swap_writepage() without freeing its bounce page
              // passed all; no workload made the write fail): the write of page 0, then of page 1, fails (allocations #3 and #7: the
              // writeback_control and its slab page, then per page its bounce page, the NFS request, the completion, with a slab page
              // for the first request). Everything allocated on the way goes back.
              ...[3, 7].map((fail_at) => ({ wl: { caller: KSWAPD_CALLER, task: 'kthread' as const, comm: 'kswapd0', pages: 3, dirty: true, populated: true, low_memory: true, lockdep: fail_at === 3, swap_file: true }, fail_at })),
              { wl: { caller: CALLER_NAMES[1]!, task: 'user' as const, comm: 'firefox', pages: 2, dirty: true, populated: true, low_memory: false, lockdep: false, swap_file: true }, fail_at: 3 },
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
            const differs = like_reference(
              ctx,
              { wl, fail_at },
              { written: value.written, clean: value.clean, free_after: value.free_after, slab_objects_after: value.slab_objects_after },
              (ref, got) => {
                if (ref.written !== got.written || ref.clean !== got.clean) {
                  return `with allocation #${fail_at} failing, this code reports ${got.written} page(s) written (object ${got.clean ? 'clean' : 'dirty'}); ` +
                    `the reference reports ${ref.written} (object ${ref.clean ? 'clean' : 'dirty'}): a page counts as written only once its write got all it needed`;
                }
                // A failure path that keeps what it allocated (red team 10: a bounce page kept "in case the bio still has it", a writeback_control
                // never kfree()d) leaks from the reserves on every failed write, under exactly the pressure that makes writes fail.
                if (ref.slab_objects_after !== got.slab_objects_after) {
                  return `with allocation #${fail_at} failing, ${got.slab_objects_after} slab objects are in use after the call; after the reference's, ${ref.slab_objects_after}: ` +
                    (got.slab_objects_after > ref.slab_objects_after
                      ? 'something kmalloc()ed on the way (the writeback_control) was never kfree()d on the failure path: a slab object from the reserves leaked per failed writeback'
                      : 'the call freed slab objects it did not allocate');
                }
                if (ref.free_after !== got.free_after) {
                  return `with allocation #${fail_at} failing, ${got.free_after} pages are free after the call; after the reference's, ${ref.free_after}: ` +
                    (got.free_after < ref.free_after
                      ? `${ref.free_after - got.free_after} page(s) allocated on the way were never given back. Every way out frees what the call allocated and nobody else holds ` +
                        '(a bounce page whose bio was never submitted, or whose write failed: __swap_writepage() gave it back to the caller, the completion page): a page leaked per failed write, from the reserves, is memory gone for good'
                      : 'the reference still has pages in flight (each write to a swap partition holds its page until the disk is done): not every write was submitted as the reference submits it');
                }
                return null;
              },
            );
            return differs ? fail(differs) : pass();
          },
        ),
    },
  ]),
}));
