// The graded checks of exercise 01 (count must not hide memory).
// Each check runs your i915_gem_shrinker_count on the kernel model, on
// generated machines (fixed seeds: the same workloads every run): task
// names, object mixes, swap, lockdep on and off, the owner word with waiters
// and a handoff pending, and every path by which reclaim calls count.
import { define_checks, fail, pass, type check_outcome, type exercise_impl } from '../course/checks';
import { refuse_kernel_object_state } from '../course/kernel_object_state';
import { dmesg_tail, first_report, run_once, run_in_gem_world } from '../course/check_helpers';
import { declare_scenarios, explore_declared } from '../course/scenario_registry';
import { explain_step_limit, OOM_PATH_RUN_MAX_STEPS, with_run_step_limit } from '../course/step_limit';
import type { scenario } from '../explorer/scenario';
import type { drm_i915_private } from '../kernel/drivers/gpu/drm/i915/i915_drv';
import { i915_gem_releasable_pages, type i915_shrinker_ops } from '../kernel/drivers/gpu/drm/i915/i915_gem_shrinker';
import { model_watch_list_walks } from '../kernel/drivers/gpu/drm/i915/i915_gem_list_debug';
import { user_task } from '../kernel/fork';
import { __mutex_owner, mutex_lock, mutex_unlock } from '../kernel/locking/mutex';
import { format_gfp, GFP_KERNEL, GFP_NOFS, GFP_NOIO, __GFP_NORETRY, __GFP_NOWARN, type gfp_t } from '../kernel/mm/gfp';
import { SHRINK_STOP, type shrink_control } from '../kernel/mm/vmscan';
import { cond_resched, current, msleep, sched_steps } from '../kernel/sched/core';
import { count_under_pressure } from '../scenarios/thread';
import { gem_world, WORLD_PARAMS } from '../scenarios/i915_world';
import { describe_uptime, LATE_UPTIMES_SECS, UPTIMES_BETWEEN_SECS } from '../scenarios/uptime';
import { arb_first_pid, arb_nr_cpus, arb_uptime_secs, LARGEST_MACHINE } from '../scenarios/machine_ranges';
import { arb_comm, arb_gem_objects, boot_order_machine, describe_objects, GEM_OBJECT_KINDS, make_gem_objects, MORE_GEM_OBJECT_KINDS, releasable_pages, type gem_object_spec } from '../scenarios/gem_workloads';
import {
  arb_holder_context,
  arb_holder_state,
  describe_holder_context,
  hold_struct_mutex,
  spawn_struct_mutex_holder,
  spawn_struct_mutex_waiter,
  type holder_context,
  type holder_state,
} from '../scenarios/lock_holder';
import {
  arb_reclaim_path_workload,
  decisive_path_workloads,
  describe_reclaim_path_workload,
  run_reclaim_path,
  type reclaim_path_workload,
} from '../scenarios/reclaim_paths';
import { arb_any_reclaim_gfp, arb_caller_life, arb_caller_task, as_caller_life, describe_caller_life, describe_caller_task, dying_note, NOFAIL_AND_ZONE_GFP_MASKS, enter_reclaim_context, run_as, type caller_life, type caller_task } from '../scenarios/reclaim_context';
import { fc, for_each_workload, like_reference } from '../course/workload';
import { lock_owners, locks_balanced, measure_call, page_accounting } from '../course/invariants';
import golden from './01-count-must-not-hide-memory.golden';
import { model_describe_value } from '../kernel/model_value';

type count_fn = i915_shrinker_ops['count'];
/**
 * The learner's count, with every walk of i915's object lists checked
 * against struct_mutex's owner (v4.11: the lists are struct_mutex's alone;
 * a walk without it is a WARNING, with lockdep on or off).
 */
const count_of = (impl: exercise_impl): count_fn => {
  const count = impl.i915_gem_shrinker_count as count_fn;
  return (i915, sc_) => model_watch_list_walks(i915, () => count(i915, sc_));
};
const sc = { gfp_mask: GFP_KERNEL, nr_to_scan: 0, nid: 0, memcg: null };
/** Reports no count may leave behind (an OOM kill of any task included: count exists to prevent it). */
const BAD_KINDS = ['deadlock', 'lockdep', 'bug', 'warn', 'kasan', 'hung_task', 'forgotten_await', 'step_limit', 'oom'] as const;

/**
 * count_contract - what do_shrink_slab() (mm/vmscan.c) can do with count's
 * answer. count_objects returns an unsigned long, a number of objects:
 * never SHRINK_STOP (that is scan's word; from count it reads as ~2^64
 * freeable objects), never negative (-1 reads as 2^64 - 1), never a fraction.
 */
function count_contract(ret: unknown): string | null {
  if (ret === SHRINK_STOP) {
    return 'count returned SHRINK_STOP. Only scan_objects may say STOP: do_shrink_slab() reads count_objects\' return as the number of ' +
      'freeable objects, so SHRINK_STOP from count asks reclaim to scan about 2^64 of them. With nothing to report, count returns 0.';
  }
  if (typeof ret !== 'number' || !Number.isInteger(ret)) return `count returned ${model_describe_value(ret)}: count_objects returns an unsigned long, a whole number of pages.`;
  if (ret < 0) {
    return `count returned ${ret}: count_objects returns an unsigned long, and do_shrink_slab() reads ${ret} as ${ret === -1 ? '2^64 - 1' : 'about 2^64'} ` +
      'freeable objects. There is no error return: with nothing to report, count returns 0.' +
      // -4095 to -1 are errno values (MAX_ERRNO), not a size gone wrong.
      (ret >= -4095 ? '' : ' (If the pages came from obj->base.size: `>>` is a 32-bit operation in TypeScript, so size >> PAGE_SHIFT of a buffer of ' +
        '2 GiB or more comes out negative or wrapped where the kernel\'s 64-bit size_t does not; obj_nr_pages(obj) is the page count.)');
  }
  return null;
}

/** The shrinker's configuration as register_shrinker() left it: count only reads the lists, and changes none of it. */
function shrinker_config(i915: drm_i915_private): { seeks: number; batch: number; flags: number } | null {
  const s = i915.mm.shrinker;
  return s ? { seeks: s.seeks, batch: s.batch, flags: s.flags } : null;
}
/** What count changed in the shrinker's configuration, as a reviewer says it, or null. */
function config_change(before: ReturnType<typeof shrinker_config>, after: ReturnType<typeof shrinker_config>): string | null {
  if (!before || !after) return null;
  for (const k of ['seeks', 'batch', 'flags'] as const) {
    if (before[k] !== after[k]) {
      return `count changed the shrinker's ${k} from ${before[k]} to ${model_describe_value(after[k])}: struct shrinker's ${k} is i915's registration ` +
        `(do_shrink_slab() reads ${k === 'batch' ? 'batch as the size of each scan call' : k === 'seeks' ? 'seeks to weigh the pressure' : 'flags to know how to call it'}), ` +
        'not a place for count to keep state between calls. count reads the lists and answers; the next call reads them again.';
    }
  }
  return null;
}

/** A generated count workload: the objects, swap, lockdep, and the caller's name and kind of task. */
interface count_workload {
  objects: gem_object_spec[];
  swap: boolean;
  lockdep: boolean;
  comm: string;
  /**
   * The kind of task that calls count (scenarios/reclaim_context.ts): a user process, a kernel thread, or a kworker
   * running a work item on system_wq (its comm is the kworker's own). Any of them allocates and reclaims.
   */
  task: caller_task;
  /**
   * sc->gfp_mask of the call (scenarios/reclaim_context.ts arb_any_reclaim_gfp; absent: GFP_KERNEL). v4.11's count never
   * reads it: GEM pages go back without I/O or a filesystem, so GFP_NOIO, GFP_NOFS and __GFP_NORETRY reclaim get the same answer.
   */
  gfp?: gfp_t;
  /** Pages of RAM (absent: WORLD_PARAMS', 256): the desktop-scale machine's. */
  totalram_pages?: number;
  /** Seconds the machine has been up (absent: a fresh boot; scenarios/uptime.ts). */
  uptime_secs?: number;
  /**
   * A user task that is dying when it counts (scenarios/reclaim_context.ts caller_life): SIGKILL pending, an OOM victim,
   * or in do_exit(). Absent: alive. v4.11's count never looks: a dying task's reclaim gets the same answer.
   */
  dying?: caller_life;
}
/** @wl with a drawn dying state where its caller is a user task (kernel threads and kworkers get no signals). */
const with_life = <W extends count_workload>([wl, dying]: [W, caller_life | undefined]): W => (wl.task === 'user' && dying ? { ...wl, dying } : wl);
const arb_count_workload: fc.Arbitrary<count_workload> = fc.tuple(
  fc.record({ objects: arb_gem_objects(0, 10), swap: fc.boolean(), lockdep: fc.boolean(), comm: arb_comm, task: arb_caller_task, gfp: arb_any_reclaim_gfp }),
  arb_caller_life,
).map(with_life);
/** The shrink_control count gets in @wl. */
const sc_of = (wl: count_workload): shrink_control => ({ ...sc, gfp_mask: wl.gfp ?? GFP_KERNEL });
/** For workload descriptions: the mask count was called with. */
const describe_gfp = (wl: count_workload): string => ` (sc->gfp_mask ${format_gfp(wl.gfp ?? GFP_KERNEL)})`;
/** One of every kind, no swap: the case the lesson works through. */
const DECISIVE: Omit<count_workload, 'lockdep'> = {
  objects: GEM_OBJECT_KINDS.map((kind, i) => ({ kind, pages: i + 1 })),
  swap: false,
  comm: 'i915_ioctl',
  task: 'user',
};
/**
 * What a reviewer adds when count answered a kernel thread or a kworker
 * wrongly: count's answer is about i915's lists, never about the kind of
 * task that asks.
 */
function kind_note(task: caller_task): string {
  if (task === 'user') return '';
  return ` The caller was ${task === 'kworker' ? 'a kworker (PF_WQ_WORKER, running a work item on system_wq)' : 'a kernel thread (PF_KTHREAD, no user memory)'}: ` +
    'kworkers (writeback, any driver\'s work, i915\'s own retire worker allocating under struct_mutex) and kernel threads allocate and reclaim ' +
    'like any task, and reclaim sizes their scan by this same count. A count keyed to the kind of task (its flags, its missing mm, its comm) ' +
    'hides i915\'s pages from every allocation those tasks make.';
}
/** What a reviewer says when the workload holds buffers another client shares (two references each). */
function shared_note(objects: readonly gem_object_spec[]): string {
  if (!objects.some((o) => o.kind === 'shared')) return '';
  return ' Some of these buffers are shared with another client (a PRIME import, a flink name: base.refcount 2). A reference keeps ' +
    'the object, not its pages: i915 releases the pages of any buffer nobody pins, and the next use reads them back in. ' +
    'A count that leaves shared buffers out hides them from do_shrink_slab(), and on a desktop every window buffer is shared with the compositor.';
}
/** Tens of objects, every kind (bound and needed too), one or two pages each: what a desktop's GEM lists look like, in small. */
const MANY: gem_object_spec[] = Array.from({ length: 36 }, (_, i) => {
  const kinds = [...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS];
  return { kind: kinds[(i * 5) % kinds.length]!, pages: 1 + (i % 2) };
});
/** Most of memory in releasable buffers (170 pages of 256): no cap on the count is right. */
const LARGE: gem_object_spec[] = [
  { kind: 'purgeable', pages: 40 },
  { kind: 'purgeable', pages: 40 },
  { kind: 'bound-idle', pages: 30 },
  { kind: 'purgeable', pages: 40 },
  { kind: 'needed', pages: 20 },
];
/** Purgeable buffers, some of them with their pages pinned (scenarios/gem_workloads.ts PAGES_PINNED_GEM_OBJECT_KINDS). */
const PAGES_PINNED_AMONG_PURGEABLE: gem_object_spec[] = [
  { kind: 'purgeable-pinned', pages: 4 },
  { kind: 'purgeable', pages: 2 },
  { kind: 'bound-pages-pinned', pages: 3 },
  { kind: 'bound-idle', pages: 2 },
  { kind: 'purgeable-pinned', pages: 1 },
];
/**
 * Machines no generated workload reaches: a desktop's lists in boot order
 * (130 objects, the scanout and pinned boot buffers heading both lists:
 * a count that samples the first N objects sees nothing releasable), and
 * Mesa's BO cache (bound, idle, DONTNEED buffers the GPU wrote: dirty, and
 * releasable all the same; dirty needed ones go to swap).
 */
/**
 * A desktop's scale, where the course's other machines are small: 1100
 * scanout and 1100 pinned buffers head the lists (past a walk of 1024
 * objects per list), and behind them 69633 releasable pages (272 MiB, 85%
 * of a 320 MiB machine: past a cap of 64K pages, 256 MiB, or of half or
 * three quarters of RAM). do_shrink_slab() scales i915's share of the
 * pressure by what count reports (delta = 4 * nr_scanned / seeks * freeable
 * / lru pages): a walk or an answer capped at any size the other machines
 * stay under hides from reclaim every page past it (red team 10:
 * cap-count-64k-pages, walk-first-1024-objects). Its objects are made one at
 * a time with a schedule point between them, as a desktop makes them over
 * its session.
 */
const DESKTOP_SCALE: count_workload = {
  objects: [
    ...Array.from({ length: 1100 }, (): gem_object_spec => ({ kind: 'scanout', pages: 1 })),
    ...Array.from({ length: 1100 }, (): gem_object_spec => ({ kind: 'pinned', pages: 1 })),
    { kind: 'purgeable', pages: 32768 },
    { kind: 'bound-idle', pages: 32768 },
    { kind: 'needed', pages: 4096 },
    { kind: 'bound-dirty', pages: 1 },
  ],
  swap: true,
  lockdep: false,
  comm: 'Xorg',
  task: 'user',
  totalram_pages: 81920,
};
/**
 * A workstation's scale, past every size a count could key on (red team 13's
 * cap_count_early_return: a count that stopped at 2^20 pages, 4 GiB, and
 * returned from inside the walk, leaking the struct_mutex it took, passed
 * every check, the desktop-scale machine holding 272 MiB): more than 4096
 * boot buffers at the head of each list, one buffer of 2^21 pages (8 GiB,
 * past 2^20 pages), and 12 GiB releasable in all (past 2^32 bytes and 2^20
 * pages) on a 64 GiB machine. The answer is every releasable page, and the
 * lock count took is given back on every path.
 */
const WORKSTATION_SCALE: count_workload = {
  objects: [
    ...Array.from({ length: 4097 }, (): gem_object_spec => ({ kind: 'scanout', pages: 1 })),
    ...Array.from({ length: 4097 }, (): gem_object_spec => ({ kind: 'pinned', pages: 1 })),
    { kind: 'purgeable', pages: 2 ** 21 },
    { kind: 'bound-idle', pages: 2 ** 19 },
    { kind: 'needed', pages: 2 ** 19 },
    { kind: 'bound-dirty', pages: 1 },
  ],
  swap: true,
  lockdep: true,
  comm: 'kswapd0',
  task: 'kthread',
  totalram_pages: 2 ** 24,
};
const MACHINES_THE_GENERATOR_CANNOT_MAKE: count_workload[] = [
  { objects: boot_order_machine(), swap: false, lockdep: true, comm: 'Xorg', task: 'user' },
  // Purgeable buffers whose pages are pinned beyond their bindings (mapped for the CPU, exported, or
  // pinned by execbuf's relocations): DONTNEED does not make them releasable (can_release_pages()).
  { objects: PAGES_PINNED_AMONG_PURGEABLE, swap: false, lockdep: true, comm: 'glxgears', task: 'user' },
  // Mesa's BO cache, counted from a kworker's reclaim (writeback allocating under pressure).
  { objects: [...Array.from({ length: 4 }, (): gem_object_spec => ({ kind: 'bound-dirty', pages: 5 })), { kind: 'bound-dirty-needed', pages: 3 }], swap: true, lockdep: false, comm: 'i915_ioctl', task: 'kworker' },
  // Lists longer than SHRINK_BATCH (red team 9: a walk capped at 128 objects per list, or a sample of 100
  // scaled up, passed every check, whose longest list was 68): 130 pinned buffers head the unbound list
  // (154 objects), then 130 scanout buffers head the bound list (156). A count reads every object of both.
  { objects: boot_order_machine(8, 130), swap: true, lockdep: false, comm: 'Xorg', task: 'user' },
  { objects: boot_order_machine(130, 8), swap: false, lockdep: true, comm: 'glxgears', task: 'kthread' },
  DESKTOP_SCALE,
  WORKSTATION_SCALE,
  // Machines up past ten minutes and past 2^32 jiffies (red team 10: a count that stops counting the bound list
  // once the machine has been up a while passed every check, which all booted fresh). Count's answer is about
  // i915's lists, never about the clock.
  ...LATE_UPTIMES_SECS.map((uptime_secs): count_workload => ({ ...DECISIVE, lockdep: uptime_secs === 601, swap: true, uptime_secs })),
  // And an hour, a day and a month up (red team 11: a count that left the bound list out only between one hour and
  // 46 days up passed every check; both late uptimes fall outside that window).
  ...UPTIMES_BETWEEN_SECS.map((uptime_secs, i): count_workload => ({ ...DECISIVE, lockdep: i === 1, swap: i !== 2, uptime_secs })),
];
function describe_count_workload(wl: count_workload): string {
  return `${wl.totalram_pages ? `a ${wl.totalram_pages}-page machine (${wl.totalram_pages / 256} MiB); ` : ''}${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; ` +
    `lockdep ${wl.lockdep ? 'on' : 'off'}; count called by ${who_calls(wl.comm, wl.task)}${describe_caller_life(wl.dying)}${describe_gfp(wl)}${describe_uptime(wl.uptime_secs)}`;
}
/** The caller in a workload description: its comm, or for a kworker the pool's own name; kernel threads and kworkers count from direct reclaim. */
function who_calls(comm: string, task: caller_task): string {
  const who = task === 'kworker' ? 'a kworker running a work item on system_wq (PF_WQ_WORKER)' : `"${comm}"${describe_caller_task(task)}`;
  return task === 'user' ? who : `${who} in direct reclaim (PF_MEMALLOC)`;
}

/**
 * counting_as - run @fn as the counting task of kind @task: a kernel thread
 * or a kworker counts from its own direct reclaim, PF_MEMALLOC set
 * (mm/page_alloc.c __perform_reclaim), as its allocation (writeback, a
 * driver's work, i915's retire worker under struct_mutex) gets there; a user
 * task calls count directly (the other checks judge its reclaim). An answer
 * keyed to the kind of task, in reclaim or not, meets both.
 */
function counting_as<T>(task: caller_task, comm: string, fn: () => Promise<T>): Promise<T> {
  if (task === 'user') return run_as(task, comm, fn);
  return run_as(task, comm, async () => {
    const leave_reclaim = enter_reclaim_context('direct-reclaim');
    try {
      return await fn();
    } finally {
      leave_reclaim();
    }
  });
}

/** The caller already holds struct_mutex (state @holder), maybe with another task queued on it. */
interface recursion_workload extends count_workload {
  holder: holder_state;
  /** The task queued on struct_mutex (for 'caller-waiters' and 'caller-handoff'): may share the caller's name. */
  waiter: string;
  /** Tasks started before the caller, so that pids differ from run to run. */
  bystanders: number;
  /**
   * The pid the machine's first task gets (boot param first_pid; absent: 1). A desktop's GEM clients have pids in
   * the thousands: an answer keyed to current->pid is an answer keyed to a number (red team 11: pid-keyed-nested-zero).
   */
  first_pid?: number;
  /** CPUs of the machine (boot param nr_cpus; absent: 2). */
  nr_cpus?: number;
}
const arb_recursion_workload: fc.Arbitrary<recursion_workload> = fc.tuple(fc.record({
  objects: arb_gem_objects(0, 10, 6, [...GEM_OBJECT_KINDS, ...MORE_GEM_OBJECT_KINDS]),
  swap: fc.boolean(),
  lockdep: fc.boolean(),
  comm: arb_comm,
  task: arb_caller_task,
  holder: arb_holder_state,
  waiter: arb_comm,
  bystanders: fc.integer({ min: 0, max: 2 }),
  gfp: arb_any_reclaim_gfp,
  // The machine, from the whole range of each (scenarios/machine_ranges.ts): first pids 1 to 4194303, 2 to 512 CPUs,
  // up to 104 days up. Each close of a key (pid >= 300, then 4001) was passed by a key one past its largest point.
  first_pid: arb_first_pid,
  nr_cpus: arb_nr_cpus,
  uptime_secs: arb_uptime_secs,
}), arb_caller_life).map(with_life);
function describe_recursion_workload(wl: recursion_workload): string {
  const caller = `${who_calls(wl.comm, wl.task)}${describe_caller_life(wl.dying)}`;
  const who = {
    caller: `${caller} holds struct_mutex and calls count`,
    'caller-waiters': `${caller} holds struct_mutex (owner word: WAITERS, "${wl.waiter}" queued) and calls count`,
    'caller-handoff': `${caller} holds struct_mutex (owner word: WAITERS|HANDOFF, "${wl.waiter}" queued first) and calls count`,
  }[wl.holder];
  return `${who}; ${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}; ${wl.bystanders} other task(s) started first${describe_gfp(wl)}${wl.first_pid && wl.first_pid > 1 ? `; pids from ${wl.first_pid}` : ''}` +
    `${wl.nr_cpus && wl.nr_cpus !== 2 ? `; ${wl.nr_cpus} CPUs` : ''}${describe_uptime(wl.uptime_secs)}`;
}

/** The same scenario with lockdep off (boot param lockdep=0): answers that ask lockdep must not pass. */
function without_lockdep(s: scenario): scenario {
  return { ...s, id: `${s.id}-nolockdep`, params: { ...s.params, lockdep: false } };
}

/** What the lock holder adds to i915's lists under struct_mutex in never-waits-for-struct-mutex (a new purgeable buffer). */
const HOLDER_ADDS: readonly gem_object_spec[] = [{ kind: 'purgeable', pages: 2 }];

/** What a reviewer says of a count that gave up the CPU while another task held struct_mutex. */
const YIELDED_WHILE_BUSY = (n: number): string =>
  `count gave up the CPU ${n} time(s) (cond_resched(), a sleep, a yield) while another task held struct_mutex before it answered: ` +
  'that is a poll for the lock, however short, and it can only help if the holder runs in between. When the trylock fails, count answers at once.';

/**
 * counted_under_pressure - the thread's scenario, with every count that
 * reclaim makes judged as it returns: whenever the asking task holds
 * struct_mutex or nobody does, count must report exactly the releasable
 * pages (i915_gem_releasable_pages, the kernel's rule); while another task
 * holds it, 0: the lists are struct_mutex's, and a count that cannot take it
 * cannot look (a walk without it is the model's WARNING). Count never sleeps, so the lists cannot change between its
 * answer and the rule's, and count itself must leave them as they were. An
 * answer that only keeps reclaim going (a constant, or count purging by
 * itself) avoids the OOM killer but is not a count.
 */
function counted_under_pressure(id: string, count: count_fn): scenario {
  const seen = { problem: null as string | null };
  const judged: count_fn = async (i915, sc_) => {
    const owner = __mutex_owner(i915.struct_mutex);
    const want = i915_gem_releasable_pages(i915);
    const steps = sched_steps();
    const ret = await count(i915, sc_);
    const yielded = sched_steps() - steps;
    const left = i915_gem_releasable_pages(i915);
    const mine = owner === null || owner === current;
    if (!seen.problem && yielded > 0 && !mine) seen.problem = `${current.comm}'s reclaim: ${YIELDED_WHILE_BUSY(yielded)}`;
    // Only a count that kept the CPU is sure to have seen the lists as they are now (others change them when it yields).
    if (!seen.problem && yielded === 0 && left !== want) {
      seen.problem = `${current.comm}'s reclaim called count with ${want} releasable page(s) on i915's lists and ${left} were left after it: ` +
        'count_objects only counts (do_shrink_slab then decides how much to scan); releasing is scan_objects\' job.';
    }
    if (!seen.problem && yielded === 0 && ret !== (mine ? want : 0)) {
      seen.problem = `count returned ${model_describe_value(ret)} to ${current.comm}'s reclaim while ${owner === null ? 'nobody' : owner === current ? 'that task itself' : `${owner.comm}`} held struct_mutex, ` +
        `with ${want} releasable page(s) on i915's lists: ` +
        (mine ? 'reclaim sizes its scan by this number, so count must report exactly what scan could release.' :
          'the lists belong to the holder, and a count that cannot take struct_mutex cannot look at them: it reports 0, and reclaim calls again later.');
    }
    return ret;
  };
  const base = count_under_pressure(id, judged);
  return {
    ...base,
    setup() {
      seen.problem = null;
      base.setup();
    },
    check: (result) => seen.problem ?? base.check?.(result) ?? null,
  };
}

/** Both outcomes must pass; the first failure is reported. */
async function both(a: () => Promise<check_outcome>, b: () => Promise<check_outcome>): Promise<check_outcome> {
  const first = await a();
  return first.ok ? b() : first;
}

/** A never-waits workload: who calls count, who holds struct_mutex (and how long, and what it is doing), the machine. */
interface busy_workload {
  caller: string;
  /** The kind of task that calls count: a user process, a kernel thread, a kworker (scenarios/reclaim_context.ts). */
  caller_task: caller_task;
  holder: string;
  /** What the holder is doing: an ioctl, the ioctl in direct reclaim, kswapd in i915's scan, i915's free worker (a kworker). */
  holder_context: holder_context;
  hold_ms: number;
  lockdep: boolean;
  objects: gem_object_spec[];
  swap: boolean;
}

/**
 * busy_count - count called while another task (@wl.holder) holds
 * struct_mutex and has just changed the lists under it: judged on the spot
 * (never sleeps or yields, a number reclaim can use: 0 or what is on the
 * lists now). Returns the answer for comparison with a twin run.
 */
async function busy_count(count: count_fn, wl: busy_workload): Promise<{ ok: true; answer: number } | { ok: false; outcome: check_outcome }> {
  const no = (outcome: check_outcome) => ({ ok: false as const, outcome });
  const w = { i915: null as drm_i915_private | null, ready: false, held: false, answered: false };
  const { result, value } = await run_once(
    { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0 },
    async () => {
      await make_gem_objects(w.i915!, wl.objects);
      // The counting task: this one, a kernel thread or a kworker (run_as waits for it).
      return counting_as(wl.caller_task, wl.caller, async () => {
        await count(w.i915!, { ...sc }); // an earlier count, with the lock free (judged by the other checks)
        w.ready = true;
        while (!w.held) await msleep(1); // let the other task take the lock (and change the lists) first
        const releasable_now = i915_gem_releasable_pages(w.i915!);
        const steps = sched_steps();
        const m = await measure_call(() => count(w.i915!, { ...sc }));
        w.answered = true;
        return { ...m, yielded: sched_steps() - steps, releasable_now };
      });
    },
    () => {
      w.i915 = gem_world({ release: '4.12', shrinker_ops: { count } }).i915; // the learner's count: the device must not carry the model's
      // Whatever the holder is doing (in reclaim, kswapd, a kworker), the lists are its own: count keeps off them.
      spawn_struct_mutex_holder(wl.holder_context, wl.holder, async (in_context) => {
        while (!w.ready) await msleep(1);
        await mutex_lock(w.i915!.struct_mutex);
        await make_gem_objects(w.i915!, HOLDER_ADDS); // the lists change under the lock: an earlier count is stale now
        await in_context(async () => {
          w.held = true;
          await msleep(wl.hold_ms); // e.g. waiting for the GPU, or for memory in reclaim, with the lock held
          for (let i = 0; i < 100 && !w.answered; i++) await msleep(1); // hold it until count answers (or clearly waits)
        });
        mutex_unlock(w.i915!.struct_mutex);
      });
    },
    wl.caller,
  );
  if (value === undefined) return no(fail(`count never returned: ${result.stop}${dmesg_tail(result)}`));
  if (value.slept > 0 || value.stalled_jiffies > 0) {
    return no(fail(`count ${value.slept > 0 ? `slept ${value.slept} time(s)` : 'spun'} and returned after ${value.stalled_jiffies} jiffies while another task held struct_mutex: ` +
      'a shrinker called from reclaim must not wait for a lock, not even briefly: the allocation it serves may be what the holder waits for.'));
  }
  if (value.yielded > 0) return no(fail(YIELDED_WHILE_BUSY(value.yielded)));
  const broken = count_contract(value.value);
  if (broken) return no(fail(`while another task held struct_mutex, ${broken}`));
  const bad = first_report(result, BAD_KINDS);
  if (bad) {
    const walked = bad.includes('walked without struct_mutex') ? `: in v4.11 the object lists are protected by struct_mutex alone, and the holder (${describe_holder_context(wl.holder_context)}) is changing them ` +
      '(it just added a buffer). Later kernels count without the lock only because they keep running totals, updated under their locks; v4.11 has none.' : '';
    return no(fail(`${bad}${walked}${dmesg_tail(result)}`));
  }
  if (value.value !== 0) {
    return no(fail(`while another task held struct_mutex, count returned ${value.value}; ${value.releasable_now} pages are releasable now. ` +
      'A count that cannot take the lock cannot look at the lists, and reports 0: a number from an earlier look, or any other, ' +
      `sends reclaim to scan memory that is not there, or hides memory that is.${kind_note(wl.caller_task)}`));
  }
  return { ok: true, answer: value.value };
}

/**
 * What a reviewer says when the holder-allocates run never ends (its runs
 * stop at OOM_PATH_RUN_MAX_STEPS scheduler steps; the reference needs at
 * most 158).
 */
const COUNT_NEVER_RETURNED = 'the GEM ioctl\'s allocation never ended: its reclaim called count with struct_mutex held by the ioctl itself, and count did not return. ' +
  'A count that waits for the lock to come free (a sleep, a poll, a spin, a retry with cond_resched()) waits for ever when the task reclaiming is the one that holds it, ' +
  'the thread\'s case: the ioctl keeps struct_mutex, and every other GEM client blocks behind it. Take the lock with a trylock (mutex_trylock_recursive() sees the caller\'s own lock), or report 0.';

/** The scenarios this suite explores, declared once by id: the checks, `shrinker-lab replay` and the site's playground build them from here (course/scenario_registry.ts). */
export const scenarios = declare_scenarios('01-count-must-not-hide-memory', [
  {
    id: 'ex01-holder-allocates',
    title: 'the struct_mutex holder allocates under memory pressure, with your count judged at every call (lockdep on)',
    build: (impl) => ({ scenario: with_run_step_limit(counted_under_pressure('ex01-holder-allocates', count_of(impl)), OOM_PATH_RUN_MAX_STEPS) }),
  },
  {
    id: 'ex01-holder-allocates-nolockdep',
    title: 'the same with lockdep off (the kernel\'s default schedule)',
    // Lockdep off changes what lockdep-asking answers do, not the schedules: the kernel's default schedule suffices.
    build: (impl) => ({
      scenario: without_lockdep(with_run_step_limit(counted_under_pressure('ex01-holder-allocates', count_of(impl)), OOM_PATH_RUN_MAX_STEPS)),
      options: { preemption_bound: 0 },
    }),
  },
]);

export default define_checks(refuse_kernel_object_state({
  exercise: '01-count-must-not-hide-memory',
  golden,
  exports: { i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>' },
  checks: [
    {
      id: 'no-oom-when-holder-allocates',
      // Named for what it judges first: since the OOM notifier waits for the GPU as v4.11's does (df7a508), a count
      // of 0 to the holder's own reclaim no longer ends in an OOM kill here (the notifier purges after 30 s); the
      // scenario fails it on count's answer at every call, and on any OOM kill.
      name: 'counts exactly for the struct_mutex holder\'s own reclaim at every call when it allocates under pressure, and nobody is OOM-killed (lockdep on and off)',
      run: async (impl) =>
        explain_step_limit(
          await both(
            () => explore_declared(scenarios, 'ex01-holder-allocates', impl),
            () => explore_declared(scenarios, 'ex01-holder-allocates-nolockdep', impl),
          ),
          COUNT_NEVER_RETURNED,
        ),
    },
    {
      id: 'counts-exactly-under-recursion',
      name: 'counts exactly the releasable pages when the task asking already holds struct_mutex, whoever waits for it, and leaves it held',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_recursion_workload,
            seed: 0x01b0,
            generated: 6, // after the 12 examples
            examples: [
              { ...DECISIVE, lockdep: true, holder: 'caller', waiter: 'Xorg', bystanders: 0 },
              // i915's own retire worker (a kworker) allocates under struct_mutex: its reclaim recurses into count.
              { ...DECISIVE, lockdep: false, task: 'kworker', holder: 'caller', waiter: 'Xorg', bystanders: 1, gfp: GFP_NOIO },
              { ...DECISIVE, lockdep: true, task: 'kthread', holder: 'caller-waiters', waiter: 'i915_ioctl', bystanders: 0, gfp: GFP_NOFS | __GFP_NORETRY },
              { ...DECISIVE, lockdep: false, holder: 'caller-handoff', waiter: 'Xorg', bystanders: 2 },
              { objects: MANY, swap: true, comm: 'glxgears', task: 'kworker', lockdep: false, holder: 'caller-waiters', waiter: 'glxgears', bystanders: 1 },
              { objects: LARGE, swap: false, comm: 'i915_ioctl', task: 'user', lockdep: true, holder: 'caller', waiter: 'Xorg', bystanders: 0 },
              { objects: PAGES_PINNED_AMONG_PURGEABLE, swap: true, comm: 'i915_ioctl', task: 'user', lockdep: false, holder: 'caller', waiter: 'Xorg', bystanders: 0 },
              // On a desktop, pids in the thousands: the GEM client and i915's worker (red team 11: pid-keyed-nested-zero).
              { ...DECISIVE, lockdep: false, holder: 'caller', waiter: 'Xorg', bystanders: 0, first_pid: 4001 },
              { ...DECISIVE, lockdep: true, task: 'kworker', holder: 'caller-waiters', waiter: 'Xorg', bystanders: 1, first_pid: 301 },
              // Buffers userspace has just closed, on their way to the free worker (which needs the caller's lock): on the
              // lists with their pages until then, and counted in mm.free_count, which counts objects, not pages reclaim
              // can get (red team 12: count_free_road added it). Made last, so they are on the road when count runs.
              { objects: [...DECISIVE.objects, { kind: 'freed', pages: 2 }, { kind: 'freed', pages: 1 }, { kind: 'freed', pages: 3 }], swap: false, comm: 'i915_ioctl', task: 'user', lockdep: true, holder: 'caller', waiter: 'Xorg', bystanders: 0 },
              // The top of every range: the most CPUs drawn, the top pids, 104 days up (scenarios/machine_ranges.ts).
              { ...DECISIVE, lockdep: false, holder: 'caller-waiters', waiter: 'Xorg', bystanders: 2, ...LARGEST_MACHINE },
              // Window buffers shared with the compositor (PRIME): two references each (a count that skipped them passed every check).
              { objects: [{ kind: 'shared', pages: 4 }, { kind: 'needed', pages: 2 }, { kind: 'shared', pages: 1 }], swap: true, comm: 'i915_ioctl', task: 'user', lockdep: true, holder: 'caller', waiter: 'Xorg', bystanders: 0 },
              // A dying GEM client holds struct_mutex and allocates: the OOM killer's victim (its ioctl still runs until it
              // returns to user space) and a task in do_exit() closing its GEM handles (red team 15 / fixer P: 'a dying task
              // needs nothing', 0 for them, passed every check; no caller ever had SIGKILL pending or PF_EXITING).
              { ...DECISIVE, lockdep: true, holder: 'caller-waiters', waiter: 'Xorg', bystanders: 0, swap: true, dying: 'oom-victim' },
              { ...DECISIVE, lockdep: false, holder: 'caller', waiter: 'Xorg', bystanders: 1, dying: 'exiting' },
            ],
            describe: describe_recursion_workload,
          },
          async (wl) => {
            const count = count_of(impl);
            const w = { i915: null as drm_i915_private | null };
            const { result, value } = await run_once(
              { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0, first_pid: wl.first_pid ?? 1, ...(wl.nr_cpus ? { nr_cpus: wl.nr_cpus } : {}), uptime_secs: wl.uptime_secs ?? 0 },
              async () => {
                const i915 = w.i915!;
                // The same task counted before, in an earlier reclaim pass with struct_mutex free, when only the first half of
                // the objects existed; the ioctl then made the rest. What count answers now is about the lists now: an answer
                // remembered from that call (in a variable, or in a field of the shrinker) is stale (red team 9: cache-in-batch).
                const earlier = Math.ceil(wl.objects.length / 2);
                await make_gem_objects(i915, wl.objects.slice(0, earlier));
                const config = shrinker_config(i915);
                // The task that holds the lock and counts: this one, a kernel thread or a kworker (run_as waits for it).
                const { m, balanced, earlier_answer } = await run_as(wl.task, wl.comm, async () => {
                  const earlier_answer = await count(i915, sc_of(wl));
                  await make_gem_objects(i915, wl.objects.slice(earlier));
                  await hold_struct_mutex(i915, wl.holder); // as a GEM ioctl (or i915's retire worker) does before it allocates
                  // Then its allocation enters direct reclaim (kernel threads and kworkers: see counting_as).
                  const leave_reclaim = wl.task === 'user' ? () => {} : enter_reclaim_context('direct-reclaim');
                  const locks = lock_owners([i915.struct_mutex]);
                  const m = await measure_call(() => as_caller_life(wl.dying, () => count(i915, sc_of(wl))));
                  const balanced = locks_balanced(locks);
                  leave_reclaim();
                  if (__mutex_owner(i915.struct_mutex) === current) mutex_unlock(i915.struct_mutex);
                  return { m, balanced, earlier_answer };
                });
                return { m, locks: balanced, books: page_accounting(), earlier_answer, config_changed: config_change(config, shrinker_config(i915)) };
              },
              () => {
                w.i915 = gem_world({ release: '4.12', shrinker_ops: { count } }).i915; // the learner's count: the device must not carry the model's
                for (let i = 0; i < wl.bystanders; i++) user_task(async () => msleep(1), 'kworker/u4:0');
                if (wl.holder !== 'caller') spawn_struct_mutex_waiter(() => w.i915!, wl.waiter);
              },
              wl.comm,
            );
            const bad = first_report(result, BAD_KINDS);
            if (bad) return fail(`the count went wrong: ${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            const broken = count_contract(value.m.value) ?? count_contract(value.earlier_answer);
            if (broken) return fail(broken);
            if (value.config_changed) return fail(value.config_changed);
            if (value.locks) return fail(`${value.locks} The outer frame (the ioctl) owns struct_mutex: count must leave it held.`);
            if (value.books) return fail(value.books);
            if (value.m.slept > 0) return fail(`count slept ${value.m.slept} time(s) in a task that already holds struct_mutex: nothing it needs can come from waiting.`);
            const expected = releasable_pages(wl.objects, wl.swap);
            if (value.m.value !== expected) {
              return fail(`with struct_mutex held by the caller itself, count returned ${model_describe_value(value.m.value)}; ${expected} pages can be released ` +
                `(the same task's earlier count, with the lock free and ${Math.ceil(wl.objects.length / 2)} of the ${wl.objects.length} objects made, answered ${model_describe_value(value.earlier_answer)}: ` +
                'an answer remembered from it is stale, the lists are the lists now) ' +
                '(pinned pages, bindings pinned for scanout, pages the GPU is using, and needed pages with no swap to go to cannot). ' +
                'The task that holds the lock is the one whose allocation needs these pages: i915_gem_shrinker_lock() says whether count may look ' +
                '(locked), apart from whether count took the lock and must release it (unlock). Code that asks the lock itself must ask who owns it ' +
                `(the owner word, not the raw word with its flag bits, not lockdep, not a task name).${kind_note(wl.task)}${shared_note(wl.objects)}${dying_note(wl.dying, 'count')}`);
            }
            const differs = like_reference(ctx, wl, value.m.value);
            if (differs) return fail(`count differs from the reference solution: ${differs}`);
            return pass();
          },
        ),
    },
    {
      id: 'counts-exactly-unlocked',
      name: 'on any mix of objects, counts exactly the releasable pages when struct_mutex is free, and leaves it free',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_count_workload,
            seed: 0x01c0,
            generated: 9, // after the examples
            examples: [
              { ...DECISIVE, lockdep: true },
              { ...DECISIVE, lockdep: false, task: 'kthread', gfp: GFP_NOIO }, // a block driver's memalloc_noio scope
              { ...DECISIVE, lockdep: true, task: 'kworker', gfp: GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN }, // kvmalloc(): one round of reclaim
              // jbd2's GFP_NOFS | __GFP_NOFAIL, a 32-bit DMA device's and an ISA device's zone (red team 14's nofail_hidden:
              // a count of 0 for __GFP_NOFAIL, 'spare the GPU: it cannot fail anyway', passed every check): the allocation
              // retries only while reclaim finds memory, and count's answer never depends on the mask.
              // Buffers bound in two address spaces (red team 14's multi_bound_hidden: bind_count was never 2 in any check).
              { objects: [{ kind: 'bound-twice', pages: 8 }, { kind: 'bound-twice', pages: 3 }, { kind: 'scanout', pages: 2 }, { kind: 'needed', pages: 4 }], swap: false, lockdep: true, comm: 'Xorg', task: 'user' },
              // Buffers another client holds a reference to (a window buffer exported with PRIME and imported by the
              // compositor, or flink'd): base.refcount 2, every other kind 1 (a count that skipped them, 'still in
              // use by the other process', passed every check). A reference keeps the object, not its pages: v4.11's
              // count never reads it, and an idle needed buffer goes to swap whoever holds handles to it.
              { objects: [{ kind: 'shared', pages: 6 }, { kind: 'bound-idle', pages: 3 }, { kind: 'shared', pages: 2 }, { kind: 'scanout', pages: 2 }], swap: true, lockdep: false, comm: 'Xorg', task: 'user' },
              ...NOFAIL_AND_ZONE_GFP_MASKS.map((gfp, i): count_workload => ({ ...DECISIVE, lockdep: i !== 1, swap: true, task: (['kthread', 'kworker', 'user'] as const)[i]!, gfp })),
              { objects: LARGE, swap: true, lockdep: true, comm: 'Xorg', task: 'user' },
              // Dying callers: kill -9 arrived while the task allocated, the OOM killer's victim, a task in do_exit().
              ...(['sigkill', 'oom-victim', 'exiting'] as const).map((dying, i): count_workload => ({ ...DECISIVE, lockdep: i === 1, swap: i !== 0, dying })),
              ...MACHINES_THE_GENERATOR_CANNOT_MAKE,
            ],
            describe: describe_count_workload,
          },
          async (wl) => {
            const count = count_of(impl);
            const { result, value } = await run_in_gem_world(
              { release: '4.12', shrinker_ops: { count } },
              async (w) => {
                if (wl.totalram_pages) {
                  for (const o of wl.objects) {
                    await make_gem_objects(w.i915, [o]);
                    await cond_resched();
                  }
                } else {
                  await make_gem_objects(w.i915, wl.objects);
                }
                // The counting task: this one, a kernel thread or a kworker (run_as waits for it).
                const { m, locks } = await counting_as(wl.task, wl.comm, async () => {
                  const owners = lock_owners([w.i915.struct_mutex]);
                  const m = await measure_call(() => as_caller_life(wl.dying, () => count(w.i915, sc_of(wl))));
                  return { m, locks: locks_balanced(owners) };
                });
                return { m, locks, books: page_accounting() };
              },
              undefined,
              { ...WORLD_PARAMS, lockdep: wl.lockdep, swap_pages: wl.swap ? 64 : 0, ...(wl.totalram_pages ? { totalram_pages: wl.totalram_pages } : {}), uptime_secs: wl.uptime_secs ?? 0 },
              wl.comm,
            );
            const bad = first_report(result, BAD_KINDS);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            const broken = count_contract(value.m.value);
            if (broken) return fail(broken);
            if (value.locks) return fail(value.locks);
            if (value.books) return fail(value.books);
            if (value.m.slept > 0) return fail(`count slept ${value.m.slept} time(s) with nobody else holding struct_mutex: count must answer at once.`);
            const expected = releasable_pages(wl.objects, wl.swap);
            if (value.m.value !== expected) {
              return fail(`with struct_mutex free, count returned ${model_describe_value(value.m.value)}; ${expected} pages can be released ` +
                `(pinned pages, bindings pinned for scanout, pages the GPU is using, and needed pages with no swap to go to cannot).${kind_note(wl.task)}${shared_note(wl.objects)}${dying_note(wl.dying, 'count')}` +
                (wl.totalram_pages ? ' A desktop\'s GEM lists hold thousands of objects and gigabytes of pages: do_shrink_slab() sizes i915\'s share of ' +
                  'the pressure by count\'s answer, so a count that stops walking after some number of objects, or caps what it reports, hides every ' +
                  'page past that from reclaim while the page cache and other caches are squeezed instead. Walk every object of both lists.' : ''));
            }
            const differs = like_reference(ctx, wl, value.m.value);
            if (differs) return fail(`count differs from the reference solution: ${differs}`);
            return pass();
          },
        ),
    },
    {
      id: 'never-waits-for-struct-mutex',
      name: 'never sleeps, not even briefly, while another task holds struct_mutex, whatever the tasks are called, and answers a number reclaim can use',
      run: (impl) =>
        for_each_workload(
          {
            arbitrary: fc.record<busy_workload>({
              caller: arb_comm,
              caller_task: arb_caller_task,
              holder: arb_comm,
              hold_ms: fc.integer({ min: 1, max: 20_000 }),
              holder_context: arb_holder_context,
              lockdep: fc.boolean(),
              objects: arb_gem_objects(0, 6),
              swap: fc.boolean(),
            }),
            seed: 0x01d0,
            generated: 6, // after the 5 examples
            examples: [
              { caller: 'check', caller_task: 'user', holder: 'gpu_wait', holder_context: 'ioctl', hold_ms: 10_000, lockdep: true, objects: DECISIVE.objects, swap: false },
              { caller: 'i915_ioctl', caller_task: 'user', holder: 'i915_ioctl', holder_context: 'ioctl', hold_ms: 5, lockdep: false, objects: DECISIVE.objects, swap: true },
              // The holder is itself in reclaim, is kswapd, or is i915's free worker: still its lists, still 0.
              { caller: 'kswapd0', caller_task: 'kthread', holder: 'i915_ioctl', holder_context: 'ioctl-in-reclaim', hold_ms: 3, lockdep: false, objects: DECISIVE.objects, swap: false },
              { caller: 'i915_ioctl', caller_task: 'user', holder: 'kswapd0', holder_context: 'kswapd', hold_ms: 2, lockdep: true, objects: DECISIVE.objects, swap: true },
              // A kworker's reclaim (writeback) meets i915's free worker, another kworker, holding the lock: neither is the other.
              { caller: 'Xorg', caller_task: 'kworker', holder: 'kworker/0:1', holder_context: 'i915-worker', hold_ms: 4, lockdep: false, objects: DECISIVE.objects, swap: false },
            ],
            describe: (wl: busy_workload) => `count called by ${who_calls(wl.caller, wl.caller_task)} while "${wl.holder}" (${describe_holder_context(wl.holder_context)}) holds struct_mutex for ${wl.hold_ms} ms; ` +
              `${describe_objects(wl.objects)}; swap ${wl.swap ? 'on' : 'off'}; lockdep ${wl.lockdep ? 'on' : 'off'}`,
          },
          async (wl: busy_workload) => {
            const first = await busy_count(count_of(impl), wl);
            if (!first.ok) return first.outcome;
            // The same machine, the holder renamed: with the caller's own name if it had another, another name if it had the caller's.
            // Who holds the lock is a fact about tasks, not names: the answer must be the same kind (0, or what is on the lists).
            const renamed = { ...wl, holder: wl.holder === wl.caller ? (wl.caller === 'gpu_wait' ? 'Xorg' : 'gpu_wait') : wl.caller };
            const twin = await busy_count(count_of(impl), renamed);
            if (!twin.ok) return fail(`${twin.outcome.message}\n  (on the same workload with the holder named "${renamed.holder}")`);
            if ((first.answer === 0) !== (twin.answer === 0)) {
              const [same, other] = wl.holder === wl.caller ? [first, twin] : [twin, first];
              return fail(`while another task held struct_mutex, count returned ${same.answer} when that task was also called "${wl.caller}" (the caller's name) ` +
                `and ${other.answer} when it was called "${wl.holder === wl.caller ? renamed.holder : wl.holder}": the answer follows a task name. ` +
                'Two threads of one program share a comm, and a task with your name is still another task, changing the lists under its lock: ' +
                'ask the lock who owns it (i915_gem_shrinker_lock() does, through mutex_trylock_recursive()), never a name.');
            }
            return pass();
          },
        ),
    },
    {
      id: 'counts-on-every-reclaim-path',
      name: 'counts exactly, and never sleeps, on every path into count: direct reclaim under struct_mutex, GFP_NOFS, kswapd, drop_caches',
      run: (impl, ctx) =>
        for_each_workload(
          {
            arbitrary: arb_reclaim_path_workload,
            seed: 0x01e0,
            generated: 7, // after the 8 examples
            examples: [
              ...decisive_path_workloads('i915_ioctl', true).slice(0, 2),
              ...decisive_path_workloads('kswapd0', false),
              // kswapd meets a free struct_mutex after an ioctl allocated under it: lockdep (on) sees a sleeping mutex_lock() from reclaim
              { ...decisive_path_workloads('Xorg', true)[0]!, path: 'kswapd-after-ioctl' },
            ],
            describe: describe_reclaim_path_workload,
          },
          async (wl: reclaim_path_workload) => {
            const count = count_of(impl);
            let wrong: string | null = null;
            // Every call reclaim makes is judged as it happens: the spec is i915's own rule for what can be released now.
            const judged: count_fn = async (i915, shrink_ctl) => {
              const owner = __mutex_owner(i915.struct_mutex);
              const may_look = owner === null || owner === current;
              const releasable = i915_gem_releasable_pages(i915);
              const steps = sched_steps();
              const m = await measure_call(() => count(i915, shrink_ctl));
              const yielded = sched_steps() - steps;
              const who = `count called by ${current.comm} (${format_gfp(shrink_ctl.gfp_mask)}) with struct_mutex ${owner === null ? 'free' : owner === current ? 'held by the caller' : `held by ${owner.comm}`}`;
              const broken = count_contract(m.value);
              if (broken) wrong ??= `${who}: ${broken}`;
              else if (m.slept > 0 || m.stalled_jiffies > 0) {
                wrong ??= `${who} ${m.slept > 0 ? `slept ${m.slept} time(s)` : 'spun'} and answered after ${m.stalled_jiffies} jiffies: ` +
                  'a shrinker called from reclaim must answer at once.';
              }
              else if (!may_look && yielded > 0) wrong ??= `${who}: ${YIELDED_WHILE_BUSY(yielded)}`;
              else if (may_look && m.value !== releasable) wrong ??= `${who} returned ${m.value}; ${releasable} pages could be released.`;
              else if (!may_look && m.value !== 0) wrong ??= `${who} returned ${m.value} (${releasable} pages are releasable): the lists are the holder's, a count that cannot take struct_mutex reports 0.`;
              return m.value;
            };
            const { result, value } = await run_reclaim_path(wl, { count: judged });
            if (wrong) return fail(wrong);
            const bad = first_report(result, BAD_KINDS);
            if (bad) return fail(`${bad}${dmesg_tail(result)}`);
            if (!value) return fail(`the check did not finish: ${result.stop}${dmesg_tail(result)}`);
            if (value.struct_mutex_owner) return fail(`struct_mutex is still held by ${value.struct_mutex_owner} when everything settled: a lock taken must be released.`);
            if (value.books) return fail(value.books);
            const differs = like_reference(ctx, wl, { gem_pages_released: value.gem_pages_released });
            if (differs) return fail(`reclaim got a different amount of i915's memory than with the reference count: ${differs}`);
            return pass();
          },
        ),
    },
  ],
}));
