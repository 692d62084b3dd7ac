// Where the task that calls a shrinker (or shrink_slab) is: the same call
// arrives from three contexts, and its rules do not change between them.
//
// - a plain process: drop_caches (fs/drop_caches.c drop_slab) or a check;
// - direct reclaim: the allocating task, with PF_MEMALLOC set for the
//   duration (mm/page_alloc.c __perform_reclaim);
// - kswapd: PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD for the thread's whole
//   life (mm/vmscan.c kswapd()).
// And the task itself can be a user process, a kernel thread or a kworker
// (run_as below).
// A check that always calls from one of them accepts answers keyed to the
// caller ("kswapd has time, let it take everything", "in reclaim, purge
// it all"). Checks draw the context, so such answers meet the other ones.
import { fc } from '../course/workload';
import {
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_NOIO,
  GFP_TRANSHUGE,
  __GFP_ACCOUNT,
  __GFP_COLD,
  __GFP_COMP,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_HIGHMEM,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOTRACK,
  __GFP_NOWARN,
  __GFP_RECLAIMABLE,
  __GFP_REPEAT,
  __GFP_THISNODE,
  __GFP_WRITE,
  __GFP_ZERO,
  type gfp_t,
} from '../kernel/mm/gfp';
import { kthread_run } from '../kernel/kthread';
import { current } from '../kernel/sched/core';
import { complete, init_completion, wait_for_completion } from '../kernel/sched/completion';
import { memalloc_noreclaim_restore, memalloc_noreclaim_save } from '../kernel/sched/mm';
import { PF_EXITING, PF_KSWAPD, PF_KTHREAD, PF_SWAPWRITE, PF_WQ_WORKER } from '../kernel/sched/task';
import { model_task_set } from '../kernel/sched/task_fields';
import { mark_oom_victim, model_unmark_oom_victim, tsk_is_oom_victim } from '../kernel/mm/oom_kill';
import { DECLARE_WORK, queue_work, system_wq } from '../kernel/workqueue';

export type reclaim_context = 'process' | 'direct-reclaim' | 'kswapd';

/** For workload descriptions: '' for a plain process, else where the caller is and its flags. */
export function describe_reclaim_context(context: reclaim_context): string {
  return { process: '', 'direct-reclaim': ' from direct reclaim (PF_MEMALLOC)', kswapd: ' as kswapd (PF_MEMALLOC | PF_SWAPWRITE | PF_KSWAPD)' }[context];
}

/**
 * enter_reclaim_context - give the current task the flags reclaim gives it
 * in @context (see above). Returns the undo, which restores exactly the
 * flags it found.
 */
export function enter_reclaim_context(context: reclaim_context): () => void {
  if (context === 'process') return () => {};
  const noreclaim = memalloc_noreclaim_save();
  const extra = context === 'kswapd' ? PF_SWAPWRITE | PF_KSWAPD : 0;
  const had = current.flags & extra;
  current.flags |= extra;
  return () => {
    current.flags = (current.flags & ~extra) | had;
    memalloc_noreclaim_restore(noreclaim);
  };
}

/**
 * Which kind of task reclaims. Any task that allocates can end up in direct
 * reclaim: a user process in a system call, a kernel thread, a kworker
 * running someone's work item (writeback, another driver). A shrinker's
 * answer must not depend on which: "kworkers defer", "kernel threads skip"
 * hide memory from every allocation those tasks make.
 */
export type caller_task = 'user' | 'kthread' | 'kworker';
const CALLER_TASKS: readonly caller_task[] = ['user', 'kthread', 'kworker'];
export const arb_caller_task: fc.Arbitrary<caller_task> = fc.constantFrom(...CALLER_TASKS);

/** For workload descriptions: '' for a user task, else the kind of task. */
export function describe_caller_task(kind: caller_task): string {
  return { user: '', kthread: ' in a kernel thread (PF_KTHREAD)', kworker: ' in a work item on system_wq (a kworker, PF_WQ_WORKER)' }[kind];
}

/**
 * run_as - run @fn in a task of @kind and wait for its result: in the
 * current (user) task itself, in a new kernel thread named @comm
 * (kernel/kthread.c kthread_run), or as a work item on system_wq, run by a
 * kworker (kernel/workqueue.c). If @fn oopses, the waiter never wakes: the
 * Oops is the run's report.
 */
export async function run_as<T>(kind: caller_task, comm: string, fn: () => Promise<T>): Promise<T> {
  if (kind === 'user') return fn();
  const done = init_completion(`${comm}: reclaiming ${kind} done`);
  let out: { value: T } | null = null;
  const body = async (): Promise<void> => {
    out = { value: await fn() };
    complete(done);
  };
  if (kind === 'kthread') kthread_run(body, comm);
  else queue_work(system_wq, DECLARE_WORK(body, 'reclaiming_work'));
  await wait_for_completion(done);
  return out!.value;
}

/** A task that calls into reclaim: what kind of task, and where in reclaim it is. */
export interface reclaim_caller {
  task: caller_task;
  context: reclaim_context;
}
/**
 * The callers reclaim really has: drop_caches from a user process; direct
 * reclaim from a user process, a kernel thread or a kworker; kswapd, a
 * kernel thread.
 */
export const RECLAIM_CALLERS: readonly reclaim_caller[] = [
  { task: 'user', context: 'process' },
  { task: 'user', context: 'direct-reclaim' },
  { task: 'kthread', context: 'direct-reclaim' },
  { task: 'kworker', context: 'direct-reclaim' },
  { task: 'kthread', context: 'kswapd' },
];
export const arb_reclaim_caller: fc.Arbitrary<reclaim_caller> = fc.constantFrom(...RECLAIM_CALLERS);

export function describe_reclaim_caller(c: reclaim_caller): string {
  return `${describe_caller_task(c.task)}${describe_reclaim_context(c.context)}`;
}

/**
 * The gfp_mask a shrinker sees in sc->gfp_mask (mm/vmscan.c shrink_slab):
 * the allocation's own mask in direct reclaim; GFP_KERNEL from kswapd
 * (mm/vmscan.c balance_pgdat) and drop_caches (fs/drop_caches.c drop_slab).
 * v4.11's i915 count and scan never look at it (i915_gem_shrinker.c): GEM
 * pages go back without I/O (a purge frees them, the rest goes to the page
 * cache; the LRU scanner honours __GFP_IO itself) and without a filesystem.
 * A check that always passes GFP_KERNEL accepts answers keyed to the mask
 * ("no __GFP_IO: purge only", "__GFP_NORETRY: say 0"). Checks draw it.
 */
export const RECLAIM_GFP_MASKS: readonly gfp_t[] = [
  GFP_KERNEL,
  GFP_NOFS, // a filesystem's allocations (jbd2, an fs under a transaction)
  GFP_NOIO, // memalloc_noio scopes: block drivers, dm, USB storage, resume
  GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, // kvmalloc() above a page, high-order skbs: one round of reclaim
  GFP_HIGHUSER_MOVABLE, // a user page fault
  GFP_TRANSHUGE,
  GFP_NOFS | __GFP_NORETRY,
];
export const arb_reclaim_gfp: fc.Arbitrary<gfp_t> = fc.constantFrom(...RECLAIM_GFP_MASKS);

/**
 * The modifiers an allocation that reclaims may add to those masks (v4.11
 * include/linux/gfp.h): a zone (at most one: __GFP_DMA for ISA-era devices,
 * __GFP_DMA32 for a 32-bit DMA device, i915's own shmem mapping on gen2-4;
 * __GFP_HIGHMEM on 32-bit), __GFP_NOFAIL (jbd2's journal, GFP_NOFS |
 * __GFP_NOFAIL), __GFP_HIGH, __GFP_REPEAT, memcg accounting, NUMA placement,
 * page-cache writes... shrink_slab() passes the allocation's mask on as
 * sc->gfp_mask whatever it carries, and shrinkers are not zone-aware: the
 * pages they release go back to whatever zone they came from (red team 14's
 * nofail_hidden and dma32_purge_only: a count that said 0 for __GFP_NOFAIL,
 * a scan that skipped its second pass for __GFP_DMA32, passed every check,
 * no drawn mask carrying either).
 */
const ZONE_MODIFIERS: readonly gfp_t[] = [0, 0, __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM];
const OTHER_MODIFIERS: readonly gfp_t[] = [
  __GFP_NOFAIL, __GFP_HIGH, __GFP_REPEAT, __GFP_NOWARN, __GFP_COMP, __GFP_ZERO, __GFP_ACCOUNT, __GFP_THISNODE,
  __GFP_NOMEMALLOC, __GFP_WRITE, __GFP_RECLAIMABLE, __GFP_MOVABLE, __GFP_COLD, __GFP_HARDWALL, __GFP_NOTRACK,
];
/**
 * arb_any_reclaim_gfp - a mask of RECLAIM_GFP_MASKS with any of those
 * modifiers added (each about half the time; never __GFP_NOFAIL with
 * __GFP_NORETRY, which contradict each other).
 */
export const arb_any_reclaim_gfp: fc.Arbitrary<gfp_t> = fc
  .tuple(arb_reclaim_gfp, fc.constantFrom(...ZONE_MODIFIERS), fc.subarray([...OTHER_MODIFIERS]))
  .map(([mask, zone, more]) => {
    const added = more.reduce((m, f) => m | f, zone);
    return mask & __GFP_NORETRY ? (mask | added) & ~__GFP_NOFAIL : mask | added;
  });
/** Decisive masks no base mask reaches: jbd2's __GFP_NOFAIL, a 32-bit DMA device's and an ISA one's zone. */
export const NOFAIL_AND_ZONE_GFP_MASKS: readonly gfp_t[] = [GFP_NOFS | __GFP_NOFAIL, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_DMA | __GFP_NOFAIL];

/** reclaim_gfp_for - the mask a caller in @context passes: @drawn only in direct reclaim, else GFP_KERNEL. */
export function reclaim_gfp_for(context: reclaim_context, drawn: gfp_t): gfp_t {
  return context === 'direct-reclaim' ? drawn : GFP_KERNEL;
}

/**
 * Whether the task that calls the shrinker is dying. Any task reclaims,
 * a dying one too: an OOM victim (SIGKILL pending and TIF_MEMDIE, from
 * oom_kill_process()), a task with SIGKILL pending (kill -9 arrived while
 * it allocated), a task in do_exit() with PF_EXITING set (exit_signals()),
 * whose exit path (exit_mm, closing files and GEM handles) still allocates.
 * v4.11's i915_gem_shrinker_count()/scan() and i915_gem_shrinker_lock()
 * (mutex_trylock_recursive()) never look at signals or PF_EXITING, nor does
 * shrink_slab(): a dying task gets the same count, the same scan and the same
 * lock answer as anyone, and the memory it frees is what lets the victim
 * finish dying (and gives its pages back). An answer keyed to it ("a dying
 * task needs nothing: count 0", "SHRINK_STOP, it is exiting anyway", "not
 * locked") starves exactly the task the OOM killer is waiting on.
 * Absent (undefined): a live task, so recorded workloads stay as they are.
 */
export type caller_life = 'sigkill' | 'oom-victim' | 'exiting';
export const DYING_CALLERS: readonly caller_life[] = ['sigkill', 'oom-victim', 'exiting'];
/** About half the draws a live caller (undefined), the rest each dying state. */
export const arb_caller_life: fc.Arbitrary<caller_life | undefined> = fc.constantFrom<caller_life | undefined>(undefined, undefined, undefined, ...DYING_CALLERS);

/** For workload descriptions: '' for a live task, else how it is dying. */
export function describe_caller_life(life: caller_life | undefined): string {
  if (!life) return '';
  return {
    sigkill: ', with SIGKILL pending (fatal_signal_pending)',
    'oom-victim': ', an OOM victim (SIGKILL pending, TIF_MEMDIE)',
    exiting: ', in do_exit() (PF_EXITING)',
  }[life];
}

/**
 * as_caller_life - run @fn (the learner's call) with the current task dying
 * as @life says, then give the task back its state. Only user tasks die so:
 * kswapd and kworkers get no signals, and are left as they are. (model) The
 * undo is the check's: a SIGKILL is not taken back in the kernel, but what the
 * check does after the call is not the dying task's business.
 */
export async function as_caller_life<T>(life: caller_life | undefined, fn: () => Promise<T>): Promise<T> {
  if (!life || current.flags & (PF_KSWAPD | PF_KTHREAD | PF_WQ_WORKER)) return fn();
  const had = { sigkill: current.sigkill_pending, flags: current.flags & PF_EXITING, victim: tsk_is_oom_victim(current) };
  const me = current;
  if (life === 'sigkill' || life === 'oom-victim') model_task_set(me, 'sigkill_pending', true);
  if (life === 'oom-victim') mark_oom_victim(me);
  if (life === 'exiting') me.flags |= PF_EXITING;
  try {
    return await fn();
  } finally {
    model_task_set(me, 'sigkill_pending', had.sigkill);
    if (!had.victim) model_unmark_oom_victim(me);
    me.flags = (me.flags & ~PF_EXITING) | had.flags;
  }
}

/** What a reviewer adds when the workload's caller was dying (@what: "count", "scan", "the lock"): '' for a live one. */
export function dying_note(life: caller_life | undefined, what: string): string {
  if (!life) return '';
  return ` The caller was dying${describe_caller_life(life)}. A dying task still reclaims: its exit path (exit_mm, closing its files and GEM handles) ` +
    'allocates, and an OOM victim must finish exiting before its memory comes back, so the OOM killer waits on exactly that task. ' +
    `v4.11's i915 shrinker never looks at signals, TIF_MEMDIE or PF_EXITING: ${what} gives a dying task the same answer as any other.`;
}
