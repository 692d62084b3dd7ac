// Models: kernel/workqueue.c and include/linux/workqueue.h (alloc_workqueue,
// destroy_workqueue, queue_work_on, __queue_work, insert_work, worker_thread,
// process_one_work, manage_workers, maybe_create_worker, create_worker,
// pool_mayday_timeout, rescuer_thread, check_flush_dependency, flush_work,
// flush_workqueue, drain_workqueue, cancel_work_sync), v4.11.
//
// A work item is a function to run later in process context, by a kernel
// thread ("kworker") of a per-CPU pool. What the course needs from it:
//
// - Concurrency management. A per-CPU pool runs one item at a time on its
//   CPU; only when the running kworker *sleeps* does another idle kworker
//   pick up the next item. So one item blocked on a mutex does not stop the
//   pool, but...
// - ...the pool must always keep an idle kworker in reserve: a kworker that
//   is about to start work and is the last idle one first becomes the
//   manager and creates another. Creating a kworker ALLOCATES MEMORY
//   (kzalloc(GFP_KERNEL), which can enter direct reclaim and can fail). On
//   failure the manager retries every CREATE_COOLDOWN (1 s) and, after
//   MAYDAY_INITIAL_TIMEOUT (10 ms), its mayday timer hands the pending items
//   of WQ_MEM_RECLAIM workqueues to their rescuer threads. Items of other
//   workqueues (system_wq, "events", has no rescuer) wait until a kworker
//   can be created -- possibly forever, under memory pressure.
// - Flushing. flush_work() queues a barrier behind the item and waits for its
//   completion. check_flush_dependency() warns when a PF_MEMALLOC task (in
//   reclaim) or a WQ_MEM_RECLAIM worker flushes a !WQ_MEM_RECLAIM workqueue,
//   because that flush may wait for a kworker that cannot be created.
// - Lockdep: process_one_work() "holds" the workqueue's and the work's
//   lockdep maps while the item runs, and flush_work() acquires them briefly,
//   so "hold lock L, flush work W that takes L" is a lockdep cycle. A waiter
//   woken by a work item through wait_event() (as synchronize_rcu_expedited
//   is) leaves no trace for lockdep.
//
// Model choices:
// - A pool's first kworker is created (without allocating, like the kernel's
//   boot-time worker) the first time an item is queued on the pool, not at
//   boot: runs that never use a pool pay nothing, and scenario tasks keep the
//   low pids. A new kworker waits idle instead of being woken once to find
//   nothing to do. Kworkers never exit (no idle-worker reaping: it only
//   trims pools down to two idle workers after 5 minutes).
// - nr_running is computed from the workers' states when needed instead of
//   being kept by scheduler callbacks; a scheduler step hook plays
//   wq_worker_sleeping() (a running kworker went to sleep: wake an idle one
//   if items are pending).
// - The mayday timer stops re-arming when a firing hands nothing over, and is
//   re-armed when an item of a rescuer-equipped workqueue is queued while the
//   manager is still trying. The kernel re-arms it every MAYDAY_INTERVAL
//   while the manager tries, which changes nothing observable, and a model
//   run that can never finish would spin through virtual time forever.
// - As in the kernel, a manager whose allocations keep failing retries
//   forever, so a run stuck that way never looks like a model "deadlock" (a
//   timer is always pending): it shows as hung tasks (boot with
//   hung_task_panic to stop there) or runs into the step limit.
// - Creating a worker charges one kzalloc of WORKER_ALLOC_SIZE (the struct
//   worker); the kthread's task_struct and stack, allocated by kthreadd in
//   the kernel, are not charged. Creating a workqueue allocates nothing.
// - Unbound pools are shared by all unbound workqueues of the same priority;
//   their kworkers are placed on CPUs round-robin (tasks do not migrate in
//   the model). A rescuer moves to the CPU of the pool it rescues.
// - No delayed_work, no freezer (WQ_FREEZABLE has no effect), no sysfs, no
//   NUMA, no CPU hotplug, no workqueue watchdog.
import { FP_WORKQUEUE, footprint_read, footprint_subsystem_call, footprint_write } from './footprint';
import { register_initcall } from './init/initcall';
import { boot_params } from './init/params';
import { kthread_run } from './kthread';
import { print_ip_sym } from './lib/dump_stack';
import { lock_map_acquire, lock_map_acquire_read, lock_map_release, lockdep_map, model_embed_map } from './locking/lockdep';
import { GFP_KERNEL } from './mm/gfp';
import { kzalloc } from './mm/slab';
import { __warn, report, WARN_ONCE } from './panic';
import { pr_warn } from './printk/printk';
import { complete, init_completion, wait_for_completion, type completion } from './sched/completion';
import {
  model_task_context,
  cond_resched,
  current,
  in_atomic,
  in_task,
  might_sleep,
  register_sched_step_hook,
  schedule,
  schedule_timeout_interruptible,
  set_current_state,
  wake_up_process,
} from './sched/core';
import { PF_MEMALLOC, PF_WQ_WORKER, TASK_INTERRUPTIBLE, TASK_RUNNING, task_is_running, type task_struct } from './sched/task';
import { init_waitqueue_head, wait_event, wake_up, type wait_queue_head } from './sched/wait';
import { HZ, model_ticks } from './time/timekeeping';
import { del_timer, mod_timer, timer_pending, timer_setup } from './time/timer';
import { trace, trace_enabled } from './trace/trace';
import {
  model_set_worker_of,
  model_worker_of,
  current_wq_worker,
  WORKER_CPU_INTENSIVE,
  WORKER_IDLE,
  WORKER_NOT_RUNNING,
  WORKER_PREP,
  WORKER_REBOUND,
  WORKER_UNBOUND,
  type pool_workqueue,
  type worker,
  type worker_pool,
} from './workqueue_internal';
import { model_struct } from './model_struct';
import { model_field_set, model_has_kernel_field, model_kernel_fields } from './model_fields';
import { model_task_set } from './sched/task_fields';

export { current_wq_worker } from './workqueue_internal';

// ---------------------------------------------------------------------------
// include/linux/workqueue.h (v4.11 values)

export const WQ_UNBOUND = 1 << 1;
export const WQ_FREEZABLE = 1 << 2;
export const WQ_MEM_RECLAIM = 1 << 3;
export const WQ_HIGHPRI = 1 << 4;
export const WQ_CPU_INTENSIVE = 1 << 5;
export const WQ_SYSFS = 1 << 6;
export const WQ_POWER_EFFICIENT = 1 << 7;
export const __WQ_DRAINING = 1 << 16;
export const __WQ_ORDERED = 1 << 17;
export const __WQ_LEGACY = 1 << 18;

export const WQ_MAX_ACTIVE = 512;
export const WQ_MAX_UNBOUND_PER_CPU = 4;
export const WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2;

/** queue_work_on(WORK_CPU_UNBOUND, ...): "the CPU I am running on" (the kernel uses NR_CPUS). */
export const WORK_CPU_UNBOUND = -1;

// kernel/workqueue.c pool timing (v4.11 values).
/** If worker creation takes longer than this, call the rescuers (HZ/100, at least 2 ticks). */
export const MAYDAY_INITIAL_TIMEOUT = HZ / 100 >= 2 ? HZ / 100 : 2;
/** Then call them again this often. */
export const MAYDAY_INTERVAL = HZ / 10;
/** Wait this long after a failed worker creation before retrying. */
export const CREATE_COOLDOWN = HZ;
/** Model's estimate of sizeof(struct worker), rounded to its slab (kmalloc-192). */
export const WORKER_ALLOC_SIZE = 192;

/** Barriers carry no flush color (WORK_NO_COLOR). */
const WORK_NO_COLOR = -1;
const ENOENT = 2;

/** The function of a work item. It runs in process context and may sleep. */
export type work_func_t = (work: work_struct) => Promise<void>;

/** struct work_struct. Initialise with INIT_WORK(). */
export interface work_struct {
  func: work_func_t;
  /** The function's name, as %pf prints it ("__i915_gem_free_work"). */
  name: string;
  /** The module the function lives in, printed as " [i915]" after the name; null for built-in code. */
  module: string | null;
  /** lockdep's view of "running this work item". */
  lockdep_map: lockdep_map;
  /** WORK_STRUCT_PENDING: queued (or being cancelled), not yet started. */
  pending: boolean;
}

/**
 * The rest of work->data, which only this file reads and writes: where the
 * item is queued, the pool it last ran on, its flush color and flags. Kept
 * beside the work item (a WeakMap), not on it: code the kernel hands a work
 * item (a shrinker holding i915.mm.free_work) can write its fields by any
 * spelling, and one that nulled the queue fields around a flush_work() made
 * the flush find the item idle (grader red team 11 #01). These it cannot reach.
 */
interface work_data {
  /** Where it is queued (WORK_STRUCT_PWQ), or null. */
  pwq: pool_workqueue | null;
  /** The pool it last ran on (the off-queue pool id), for non-reentrancy and flushing. */
  pool: worker_pool | null;
  /** WORK_STRUCT_LINKED: the next item in its list (a flush barrier) goes with it. */
  linked: boolean;
  /** Flush color it was queued with, or WORK_NO_COLOR. */
  color: number;
  /** WORK_OFFQ_CANCELING: a cancel_work_sync() is in progress. */
  canceling: boolean;
}

const work_data_of = new WeakMap<work_struct, work_data>();

/** wd - @work's work->data (an item never initialised has an idle one). */
function wd(work: work_struct): work_data {
  let d = work_data_of.get(work);
  if (!d) {
    d = { pwq: null, pool: null, linked: false, color: WORK_NO_COLOR, canceling: false };
    work_data_of.set(work, d);
  }
  return d;
}

export interface init_work_options {
  /** The module of the function, printed by %pf: "__i915_gem_free_work [i915]". */
  module?: string;
  /** lockdep class name; the kernel uses the INIT_WORK argument, e.g. "(&i915->mm.free_work)". */
  lockdep_name?: string;
  /** A map of its own instead (a flush barrier shares its workqueue's). */
  lockdep_map?: lockdep_map;
}

/**
 * INIT_WORK - initialise @work to run @func. @name is the function's name in
 * messages and traces (default: @func.name). Returns @work.
 */
export function INIT_WORK(work: work_struct, func: work_func_t, name?: string, opts: init_work_options = {}): work_struct {
  const fname = name ?? (func.name || 'work_func');
  const again = model_has_kernel_field(work, 'func'); // INIT_WORK of an item initialised before
  const set = <K extends 'func' | 'name' | 'module' | 'pending'>(k: K, v: work_struct[K]): void => {
    if (again) model_field_set(work, k, v);
    else work[k] = v;
  };
  set('func', func);
  set('name', fname);
  set('module', opts.module ?? null);
  if (!again) model_embed_map(work, 'lockdep_map', opts.lockdep_map ?? new lockdep_map(opts.lockdep_name ?? `(${fname})`));
  set('pending', false);
  // The function, its name and WORK_STRUCT_PENDING are the workqueue's once INIT_WORK has run: code
  // handed the item (a shrinker holding i915.mm.free_work) reads them and cannot write them. As plain
  // fields, a shrinker could set pending (queue_work() then finds the item "queued" and queues
  // nothing, flush_work() finds it idle) or swap func for a no-op, so that a flush from reclaim
  // returned at once and the free worker never ran (grader red team 15). In C the bit is only
  // test_and_set_bit()/clear_bit()'d by kernel/workqueue.c.
  if (!again) model_kernel_fields(work, ['func', 'name', 'module', 'pending']);
  work_data_of.set(work, { pwq: null, pool: null, linked: false, color: WORK_NO_COLOR, canceling: false });
  return model_struct(work);
}

/** DECLARE_WORK - a new work item running @func. */
export function DECLARE_WORK(func: work_func_t, name?: string, opts: init_work_options = {}): work_struct {
  return INIT_WORK({} as work_struct, func, name, opts);
}

/** work_pending - is @work queued and not yet started? */
export function work_pending(work: work_struct): boolean {
  footprint_read(work);
  footprint_read(FP_WORKQUEUE); // a kworker clears the bit as it starts the item
  return work.pending;
}

/** %pf of a work function: "name" or "name [module]". */
function pf(work: work_struct): string {
  return work.module ? `${work.name} [${work.module}]` : work.name;
}

/** %pf of a NULL function in v4.11 vsprintf: "(null)" padded to pointer width. */
const PF_NULL = '(null)'.padStart(16);

/**
 * struct workqueue_struct as code outside kernel/workqueue.c sees it: a handle
 * (the struct is defined in workqueue.c, private to it). Its flags decide
 * check_flush_dependency (WQ_MEM_RECLAIM), its pwqs, pools and workers where
 * an item runs: as a live object on the allowlists of 08 and 12 (system_wq),
 * code handed it could rewrite any of them (grader red team 12). The handle is
 * frozen and shows the name and the lockdep map only; the model's record
 * (wq_impl) is beside it.
 */
export interface workqueue_struct {
  readonly name: string;
  /** lockdep's view of "running an item of this workqueue": what flush_work() annotates a wait with (lesson 12). */
  readonly lockdep_map: lockdep_map;
}

/** Each handle's workqueue, and the workqueues themselves (wq_of accepts either). */
const wq_impls = new WeakMap<object, wq_impl>();

/** wq_of - the workqueue @h names: a handle alloc_workqueue() made, or the model's own record. */
function wq_of(h: workqueue_struct): wq_impl {
  const w = wq_impls.get(h);
  if (!w) throw new Error(`BUG: workqueue ${String((h as { name?: unknown } | null)?.name)} was not made by alloc_workqueue()`);
  return w;
}

/** The workqueue_struct of kernel/workqueue.c (the model's record). */
export interface wq_impl extends workqueue_struct {
  /** WQ_* flags. */
  flags: number;
  /** saved_max_active. */
  max_active: number;
  /** Per-CPU workqueues: one pwq per CPU, indexed by CPU. Unbound: a single pwq. */
  pwqs: pool_workqueue[];
  /** The rescuer thread (WQ_MEM_RECLAIM only). */
  rescuer: worker | null;
  /** pwqs asking the rescuer for help. */
  maydays: pool_workqueue[];
  /** lockdep's view of "running an item of this workqueue". */
  lockdep_map: lockdep_map;
  /** Flush color given to newly queued items. */
  work_color: number;
  /** Items queued and not finished, per flush color. */
  nr_in_flight: Map<number, number>;
  /** flush_workqueue() callers, oldest first. */
  flushers: Array<{ color: number; done: completion }>;
  nr_drainers: number;
}

// ---------------------------------------------------------------------------
// Per-boot state

interface wq_state {
  /** Per CPU: [normal pool, highpri pool]. */
  cpu_pools: worker_pool[][];
  /** Unbound pools: [normal, highpri], created on demand. */
  unbound_pools: Array<worker_pool | null>;
  next_pool_id: number;
  workqueues: wq_impl[];
  cancel_waitq: wait_queue_head;
  /** One lockdep class for every flush barrier, as INIT_WORK_ONSTACK at one call site. */
  barrier_map: lockdep_map;
  /** Sites of WARN_ON_ONCE()s already printed (no message, so WARN_ONCE does not fit). */
  warned: Set<string>;
}

let wq: wq_state = fresh_state();

function fresh_state(): wq_state {
  return {
    cpu_pools: [],
    unbound_pools: [null, null],
    next_pool_id: 0,
    workqueues: [],
    cancel_waitq: init_waitqueue_head('cancel_waitq'),
    barrier_map: new lockdep_map('(&barr->work)'),
    warned: new Set(),
  };
}

/** system_wq - "events": per-CPU, no rescuer. schedule_work() queues here. */
export let system_wq: workqueue_struct;
/** system_highpri_wq - "events_highpri": per-CPU, kworkers at nice -20 ("kworker/N:MH"). */
export let system_highpri_wq: workqueue_struct;
/** system_long_wq - "events_long": for items that may run long. */
export let system_long_wq: workqueue_struct;
/** system_unbound_wq - "events_unbound": not bound to a CPU ("kworker/uN:M"). */
export let system_unbound_wq: workqueue_struct;
/** system_freezable_wq - "events_freezable". */
export let system_freezable_wq: workqueue_struct;
/** system_power_efficient_wq - "events_power_efficient". */
export let system_power_efficient_wq: workqueue_struct;

register_initcall('core', 'workqueue', () => {
  // workqueue_init_early(): the per-CPU pools and the system workqueues.
  wq = fresh_state();
  const nr_cpus = boot_params().nr_cpus;
  for (let cpu = 0; cpu < nr_cpus; cpu++) wq.cpu_pools.push([new_pool(cpu, false), new_pool(cpu, true)]);
  system_wq = alloc_workqueue('events', 0, 0);
  system_highpri_wq = alloc_workqueue('events_highpri', WQ_HIGHPRI, 0);
  system_long_wq = alloc_workqueue('events_long', 0, 0);
  system_unbound_wq = alloc_workqueue('events_unbound', WQ_UNBOUND, wq_unbound_max_active());
  system_freezable_wq = alloc_workqueue('events_freezable', WQ_FREEZABLE, 0);
  system_power_efficient_wq = alloc_workqueue('events_power_efficient', WQ_POWER_EFFICIENT, 0);
});

register_initcall('subsys', 'workqueue_hooks', () => {
  // wq_worker_sleeping(): called by the scheduler when a kworker blocks.
  register_sched_step_hook((prev) => {
    if ((prev.flags & PF_WQ_WORKER) === 0 || prev.state === TASK_RUNNING) return;
    footprint_write(FP_WORKQUEUE); // the pools (the sleeping kworker's step writes them anyway)
    wq_worker_sleeping(prev);
  });
});

function new_pool(cpu: number, highpri: boolean): worker_pool {
  const pool: worker_pool = {
    id: wq.next_pool_id++,
    cpu,
    highpri,
    worklist: [],
    workers: [],
    idle_list: [],
    nr_workers: 0,
    nr_idle: 0,
    manager: null,
    creating: false,
    mayday_timer: undefined as never,
    next_id: 0,
    busy: new Map(),
    booted: false,
  };
  pool.mayday_timer = timer_setup(() => pool_mayday_timeout(pool), `pool_mayday_timeout(pool ${pool.id})`);
  return pool;
}

function wq_unbound_max_active(): number {
  return Math.max(WQ_MAX_ACTIVE, boot_params().nr_cpus * WQ_MAX_UNBOUND_PER_CPU);
}

function warn_on_once(where: string): void {
  if (wq.warned.has(where)) return;
  wq.warned.add(where);
  __warn(where, null);
}

// ---------------------------------------------------------------------------
// Creating and destroying workqueues

/**
 * alloc_workqueue - create a workqueue named @name. @flags: WQ_*. @max_active:
 * items of this workqueue that may run at once per CPU (0: default 256).
 * A WQ_MEM_RECLAIM workqueue gets a rescuer thread named after it.
 */
export function alloc_workqueue(name: string, flags: number, max_active: number): workqueue_struct {
  footprint_write(FP_WORKQUEUE);
  // An unbound workqueue with max_active 1 is implicitly ordered (v4.11).
  if (flags & WQ_UNBOUND && max_active === 1) flags |= __WQ_ORDERED;
  max_active = wq_clamp_max_active(max_active || WQ_DFL_ACTIVE, flags, name);
  const w: wq_impl = {
    name,
    flags,
    max_active,
    pwqs: [],
    rescuer: null,
    maydays: [],
    // The kernel's class name is the stringified format: "events" with its quotes.
    lockdep_map: new lockdep_map(`"${name}"`),
    work_color: 0,
    nr_in_flight: new Map(),
    flushers: [],
    nr_drainers: 0,
  };
  const highpri = (flags & WQ_HIGHPRI) !== 0;
  if (flags & WQ_UNBOUND) {
    w.pwqs.push(new_pwq(w, unbound_pool(highpri)));
  } else {
    for (const pools of wq.cpu_pools) w.pwqs.push(new_pwq(w, pools[highpri ? 1 : 0]!));
  }
  if (flags & WQ_MEM_RECLAIM) w.rescuer = init_rescuer(w);
  wq.workqueues.push(w);
  const handle: workqueue_struct = Object.freeze({ name, lockdep_map: w.lockdep_map });
  wq_impls.set(handle, w);
  wq_impls.set(w, w);
  return handle;
}

/** alloc_ordered_workqueue - one item at a time, in queueing order. */
export function alloc_ordered_workqueue(name: string, flags: number): workqueue_struct {
  return alloc_workqueue(name, WQ_UNBOUND | __WQ_ORDERED | flags, 1);
}

/** create_workqueue - the legacy interface: a WQ_MEM_RECLAIM workqueue, max_active 1. */
export function create_workqueue(name: string): workqueue_struct {
  return alloc_workqueue(name, __WQ_LEGACY | WQ_MEM_RECLAIM, 1);
}

/** create_singlethread_workqueue - the legacy interface: ordered, WQ_MEM_RECLAIM. */
export function create_singlethread_workqueue(name: string): workqueue_struct {
  return alloc_ordered_workqueue(name, __WQ_LEGACY | WQ_MEM_RECLAIM);
}

function wq_clamp_max_active(max_active: number, flags: number, name: string): number {
  const lim = flags & WQ_UNBOUND ? wq_unbound_max_active() : WQ_MAX_ACTIVE;
  if (max_active < 1 || max_active > lim) {
    pr_warn(`workqueue: max_active ${max_active} requested for ${name} is out of range, clamping between 1 and ${lim}`);
  }
  return Math.min(Math.max(max_active, 1), lim);
}

function new_pwq(w: wq_impl, pool: worker_pool): pool_workqueue {
  return { wq: w, pool, nr_active: 0, max_active: w.max_active, delayed_works: [], on_mayday: false };
}

function unbound_pool(highpri: boolean): worker_pool {
  const i = highpri ? 1 : 0;
  let pool = wq.unbound_pools[i];
  if (!pool) {
    pool = new_pool(-1, highpri);
    wq.unbound_pools[i] = pool;
  }
  return pool;
}

/**
 * destroy_workqueue - drain @w (wait for every item, including items queued
 * by its own items) and stop its rescuer. Sleeps.
 */
export async function destroy_workqueue(h: workqueue_struct): Promise<void> {
  const w = wq_of(h);
  await drain_workqueue(w);
  if (w.rescuer) {
    // kthread_stop(): the rescuer exits when it next looks.
    w.rescuer.should_stop = true;
    wake_up_process(w.rescuer.task);
    w.rescuer = null;
  }
  const i = wq.workqueues.indexOf(w);
  if (i >= 0) wq.workqueues.splice(i, 1);
}

/**
 * drain_workqueue - flush @w until it is empty. While draining, only its own
 * items may queue more items on it.
 */
export async function drain_workqueue(h: workqueue_struct): Promise<void> {
  const w = wq_of(h);
  if (w.nr_drainers++ === 0) w.flags |= __WQ_DRAINING;
  for (let flush_cnt = 0; ; ) {
    await flush_workqueue(w);
    if (w.pwqs.every((pwq) => pwq.nr_active === 0 && pwq.delayed_works.length === 0)) break;
    if (++flush_cnt === 10 || (flush_cnt % 100 === 0 && flush_cnt <= 1000)) {
      pr_warn(`workqueue ${w.name}: drain_workqueue() isn't complete after ${flush_cnt} tries`);
    }
  }
  if (--w.nr_drainers === 0) w.flags &= ~__WQ_DRAINING;
}

// ---------------------------------------------------------------------------
// Queueing

/**
 * queue_work_on - queue @work on @w, on @cpu's pool. Returns false if @work
 * was already pending (then nothing changes), true if it was queued. Never
 * sleeps: callable from RCU callbacks, timers and atomic context.
 */
export function queue_work_on(cpu: number, h: workqueue_struct, work: work_struct): boolean {
  const w = wq_of(h);
  // No model_task_context() here: timer functions (between scheduler steps) may queue work too.
  footprint_write(work); // its pending bit
  footprint_write(FP_WORKQUEUE); // the pool's list, the worker it wakes
  if (work.pending) return false; // test_and_set_bit(WORK_STRUCT_PENDING_BIT)
  model_field_set(work, 'pending', true);
  __queue_work(cpu, w, work);
  return true;
}

/** queue_work - queue @work on @w on the current CPU. False if already pending. */
export function queue_work(w: workqueue_struct, work: work_struct): boolean {
  return queue_work_on(WORK_CPU_UNBOUND, w, work);
}

/** schedule_work - queue @work on system_wq ("events"). False if already pending. */
export function schedule_work(work: work_struct): boolean {
  return queue_work(system_wq, work);
}

/** schedule_work_on - queue @work on system_wq on @cpu. */
export function schedule_work_on(cpu: number, work: work_struct): boolean {
  return queue_work_on(cpu, system_wq, work);
}

function __queue_work(req_cpu: number, w: wq_impl, work: work_struct): void {
  // While draining, only items of the workqueue itself may queue on it.
  if (w.flags & __WQ_DRAINING && !is_chained_work(w)) {
    warn_on_once('kernel/workqueue.c __queue_work');
    return;
  }
  let cpu = req_cpu;
  if (cpu === WORK_CPU_UNBOUND) cpu = in_task() ? current.cpu : 0;
  const nr_cpus = boot_params().nr_cpus;
  if (cpu < 0 || cpu >= nr_cpus) throw new Error(`queue_work_on: there is no CPU ${cpu} (nr_cpus=${nr_cpus})`);
  let pwq = w.flags & WQ_UNBOUND ? w.pwqs[0]! : w.pwqs[cpu]!;

  // Non-reentrancy: if the item still runs on the pool it last ran on, queue
  // it there, so that it never runs on two CPUs at once.
  const last_pool = wd(work).pool;
  if (last_pool && last_pool !== pwq.pool) {
    const running = find_worker_executing_work(last_pool, work);
    if (running && running.current_pwq?.wq === w) pwq = running.current_pwq;
  }

  if (trace_enabled()) {
    trace('workqueue_queue_work', { work: pf(work), function: pf(work), workqueue: w.name, req_cpu, cpu: pwq.pool.cpu });
  }
  wd(work).color = w.work_color;
  w.nr_in_flight.set(w.work_color, (w.nr_in_flight.get(w.work_color) ?? 0) + 1);
  if (pwq.nr_active < pwq.max_active) {
    if (trace_enabled()) trace('workqueue_activate_work', { work: pf(work) });
    pwq.nr_active++;
    insert_work(pwq, work, pwq.pool.worklist, pwq.pool.worklist.length);
  } else {
    insert_work(pwq, work, pwq.delayed_works, pwq.delayed_works.length);
  }
}

/** insert_work - put @work into @list at @at and make sure someone will run it. */
function insert_work(pwq: pool_workqueue, work: work_struct, list: work_struct[], at: number): void {
  const pool = pwq.pool;
  wd(work).pwq = pwq;
  list.splice(at, 0, work);
  if (!pool.booted) create_first_worker(pool);
  if (__need_more_worker(pool)) wake_up_worker(pool);
  // Model: keep the mayday timer alive while it has something to hand over.
  if (pool.creating && pwq.wq.rescuer && !timer_pending(pool.mayday_timer)) mod_timer(pool.mayday_timer, model_ticks() + MAYDAY_INTERVAL);
}

/** Is current running an item of @w (so it may queue on @w while @w drains)? */
function is_chained_work(w: wq_impl): boolean {
  const worker = current_wq_worker();
  return worker !== null && worker.current_pwq?.wq === w;
}

function find_worker_executing_work(pool: worker_pool, work: work_struct): worker | null {
  const w = pool.busy.get(work);
  return w && w.current_func === work.func ? w : null;
}

// ---------------------------------------------------------------------------
// Concurrency management

/** nr_running: the pool's kworkers that are running items and not asleep. */
function nr_running(pool: worker_pool): number {
  let n = 0;
  for (const w of pool.workers) {
    if (w.flags & WORKER_NOT_RUNNING) continue;
    footprint_read(w.task); // whether it runs: a wake-up (any task's step) writes that
    if (task_is_running(w.task)) n++;
  }
  return n;
}

/** Nobody is running: the next pending item needs a worker to be woken. */
function __need_more_worker(pool: worker_pool): boolean {
  return nr_running(pool) === 0;
}

function need_more_worker(pool: worker_pool): boolean {
  return pool.worklist.length > 0 && __need_more_worker(pool);
}

/** An idle worker is left to take over management. */
function may_start_working(pool: worker_pool): boolean {
  return pool.nr_idle > 0;
}

/** Keep running items while nobody else on the CPU runs any. */
function keep_working(pool: worker_pool): boolean {
  return pool.worklist.length > 0 && nr_running(pool) <= 1;
}

function need_to_create_worker(pool: worker_pool): boolean {
  return need_more_worker(pool) && !may_start_working(pool);
}

/** wake_up_worker - wake the first idle worker. */
function wake_up_worker(pool: worker_pool): void {
  const w = pool.idle_list[0];
  if (w) wake_up_process(w.task);
}

/** wq_worker_sleeping - kworker @task blocked: if it was the pool's last runner, wake an idle one. */
function wq_worker_sleeping(task: task_struct): void {
  const worker = model_worker_of(task);
  if (!worker || worker.flags & WORKER_NOT_RUNNING || !worker.pool) return;
  const pool = worker.pool;
  if (pool.worklist.length > 0 && nr_running(pool) === 0) wake_up_worker(pool);
}

function worker_set_flags(worker: worker, flags: number): void {
  worker.flags |= flags;
}

function worker_clr_flags(worker: worker, flags: number): void {
  worker.flags &= ~flags;
}

function worker_enter_idle(worker: worker): void {
  const pool = worker.pool!;
  worker.flags |= WORKER_IDLE;
  pool.nr_idle++;
  worker.last_active = model_ticks();
  pool.idle_list.unshift(worker);
}

function worker_leave_idle(worker: worker): void {
  const pool = worker.pool!;
  if (!(worker.flags & WORKER_IDLE)) return;
  worker_clr_flags(worker, WORKER_IDLE);
  pool.nr_idle--;
  const i = pool.idle_list.indexOf(worker);
  if (i >= 0) pool.idle_list.splice(i, 1);
}

// ---------------------------------------------------------------------------
// Workers

/**
 * kthread_create - the new thread sleeps until its first wake_up_process()
 * (kthread_run would run it at once).
 */
function kthread_create(fn: () => Promise<void>, comm: string, cpu: number): task_struct {
  const t = kthread_run(fn, comm.slice(0, 15), { cpu, daemon: true }); // TASK_COMM_LEN 16
  model_task_set(t, 'state', TASK_INTERRUPTIBLE);
  return t;
}

function alloc_worker(pool: worker_pool | null, id: number): worker {
  return {
    task: undefined as never,
    pool,
    id,
    flags: WORKER_PREP,
    current_work: null,
    current_func: null,
    current_pwq: null,
    scheduled: [],
    rescue_wq: null,
    last_active: model_ticks(),
    should_stop: false,
  };
}

/** The pool's first kworker: created without allocating (see the header). */
function create_first_worker(pool: worker_pool): void {
  pool.booted = true;
  start_worker(pool, pool.next_id++);
}

/**
 * create_worker - allocate and start a new kworker for @pool. The allocation
 * is GFP_KERNEL from the manager's context: it may reclaim, and it may fail.
 */
async function create_worker(pool: worker_pool): Promise<worker | null> {
  const id = pool.next_id; // ida_simple_get: the lowest free id
  const mem = await kzalloc(WORKER_ALLOC_SIZE, GFP_KERNEL);
  if (!mem) {
    if (trace_enabled()) trace('workqueue_worker_create_failed', { pool: pool.id, cpu: pool.cpu });
    return null;
  }
  // The struct worker is never freed: kworkers never exit in the model.
  pool.next_id++;
  return start_worker(pool, id);
}

function start_worker(pool: worker_pool, id: number): worker {
  const worker = alloc_worker(pool, id);
  const nr_cpus = boot_params().nr_cpus;
  const name = pool.cpu >= 0 ? `kworker/${pool.cpu}:${id}${pool.highpri ? 'H' : ''}` : `kworker/u${pool.id}:${id}`;
  worker.task = kthread_create(() => worker_thread(worker), name, pool.cpu >= 0 ? pool.cpu : id % nr_cpus);
  model_set_worker_of(worker);
  // worker_attach_to_pool: an unbound pool is "disassociated", its workers never count as running.
  if (pool.cpu < 0) worker.flags |= WORKER_UNBOUND;
  pool.workers.push(worker);
  pool.nr_workers++;
  worker_enter_idle(worker);
  if (trace_enabled()) trace('workqueue_worker_create', { pool: pool.id, worker: worker.task.comm, pid: worker.task.pid });
  return worker;
}

/**
 * worker_thread - a kworker's life: sleep idle; when woken, make sure an
 * idle worker remains (managing if needed), then run items while nobody
 * else on the CPU is running any.
 */
async function worker_thread(worker: worker): Promise<void> {
  footprint_subsystem_call(FP_WORKQUEUE); // every step of a kworker runs the pool's loop
  current.flags |= PF_WQ_WORKER;
  const pool = worker.pool!;
  for (;;) {
    worker_leave_idle(worker);
    for (;;) {
      // recheck:
      if (!need_more_worker(pool)) break;
      // Do we need to manage? The last idle worker creates a spare first.
      if (!may_start_working(pool) && (await manage_workers(worker))) continue;
      worker_clr_flags(worker, WORKER_PREP | WORKER_REBOUND);
      do {
        const work = pool.worklist[0]!;
        if (!wd(work).linked) {
          await process_one_work(worker, work);
          if (worker.scheduled.length > 0) await process_scheduled_works(worker);
        } else {
          move_linked_works(pool.worklist, 0, worker.scheduled);
          await process_scheduled_works(worker);
        }
      } while (keep_working(pool));
      worker_set_flags(worker, WORKER_PREP);
      break;
    }
    // sleep:
    worker_enter_idle(worker);
    set_current_state(TASK_INTERRUPTIBLE);
    await schedule(null, 'worker_thread');
  }
}

/** manage_workers - become the pool's manager and create workers if needed. */
async function manage_workers(worker: worker): Promise<boolean> {
  const pool = worker.pool!;
  if (pool.manager) return false; // mutex_trylock(&pool->manager_arb)
  pool.manager = worker;
  try {
    await maybe_create_worker(pool);
  } finally {
    pool.manager = null;
  }
  return true;
}

/**
 * maybe_create_worker - create a worker, retrying every CREATE_COOLDOWN while
 * it fails; the mayday timer calls the rescuers if it takes too long.
 */
async function maybe_create_worker(pool: worker_pool): Promise<void> {
  pool.creating = true;
  try {
    for (;;) {
      // If we don't make progress in MAYDAY_INITIAL_TIMEOUT, call for help.
      mod_timer(pool.mayday_timer, model_ticks() + MAYDAY_INITIAL_TIMEOUT);
      for (;;) {
        if ((await create_worker(pool)) || !need_to_create_worker(pool)) break;
        await schedule_timeout_interruptible(CREATE_COOLDOWN);
        if (!need_to_create_worker(pool)) break;
      }
      del_timer(pool.mayday_timer);
      if (!need_to_create_worker(pool)) break;
    }
  } finally {
    pool.creating = false;
  }
}

/** pool_mayday_timeout - worker creation is slow: hand rescuable items to the rescuers. */
function pool_mayday_timeout(pool: worker_pool): void {
  let sent = false;
  if (need_to_create_worker(pool)) for (const work of pool.worklist) if (send_mayday(work)) sent = true;
  if (sent) mod_timer(pool.mayday_timer, model_ticks() + MAYDAY_INTERVAL);
}

/** send_mayday - ask @work's workqueue's rescuer (if it has one) to come. */
function send_mayday(work: work_struct): boolean {
  const pwq = wd(work).pwq!;
  const w = pwq.wq;
  if (!w.rescuer || pwq.on_mayday) return false;
  pwq.on_mayday = true;
  w.maydays.push(pwq);
  if (trace_enabled()) trace('workqueue_mayday', { workqueue: w.name, pool: pwq.pool.id, work: pf(work) });
  wake_up_process(w.rescuer.task);
  return true;
}

/** init_rescuer - the WQ_MEM_RECLAIM guarantee: a thread of its own, made now, named after the workqueue. */
function init_rescuer(w: wq_impl): worker {
  const rescuer = alloc_worker(null, 0);
  rescuer.rescue_wq = w;
  rescuer.task = kthread_create(() => rescuer_thread(rescuer), w.name, 0);
  model_set_worker_of(rescuer);
  return rescuer;
}

/**
 * rescuer_thread - run the items of this workqueue that were stuck on pools
 * that could not get a worker. One item at a time, on the pool's CPU.
 */
async function rescuer_thread(rescuer: worker): Promise<void> {
  footprint_subsystem_call(FP_WORKQUEUE);
  current.flags |= PF_WQ_WORKER;
  const w = rescuer.rescue_wq!;
  for (;;) {
    set_current_state(TASK_INTERRUPTIBLE);
    const should_stop = rescuer.should_stop;
    while (w.maydays.length > 0) {
      set_current_state(TASK_RUNNING);
      const pwq = w.maydays.shift()!;
      pwq.on_mayday = false;
      const pool = pwq.pool;
      // worker_attach_to_pool: run on the pool's CPU.
      rescuer.pool = pool;
      if (pool.cpu >= 0) model_task_set(rescuer.task, 'cpu', pool.cpu);
      // Take every item of this pwq (with its linked barriers).
      for (let i = 0; i < pool.worklist.length; ) {
        if (wd(pool.worklist[i]!).pwq === pwq) move_linked_works(pool.worklist, i, rescuer.scheduled);
        else i++;
      }
      if (rescuer.scheduled.length > 0) {
        if (trace_enabled()) trace('workqueue_rescue', { workqueue: w.name, pool: pool.id, items: rescuer.scheduled.length });
        await process_scheduled_works(rescuer);
        // Still no worker: stay on the list, more may have come meanwhile.
        if (need_to_create_worker(pool) && !pwq.on_mayday) {
          pwq.on_mayday = true;
          w.maydays.push(pwq);
        }
      }
      // Leave the pool with someone running it, if anyone can.
      if (need_more_worker(pool)) wake_up_worker(pool);
      rescuer.pool = null;
    }
    if (should_stop) {
      current.flags &= ~PF_WQ_WORKER;
      set_current_state(TASK_RUNNING);
      return;
    }
    await schedule(null, 'rescuer_thread');
  }
}

/** move_linked_works - move @list[@at] and the items linked behind it to @dest. */
function move_linked_works(list: work_struct[], at: number, dest: work_struct[]): void {
  let n = 0;
  while (at + n < list.length) {
    const w = list[at + n]!;
    n++;
    if (!wd(w).linked) break;
  }
  dest.push(...list.splice(at, n));
}

async function process_scheduled_works(worker: worker): Promise<void> {
  while (worker.scheduled.length > 0) await process_one_work(worker, worker.scheduled[0]!);
}

/** The list @work is queued on (worklist, delayed list, or a worker's scheduled list). */
function find_work_list(work: work_struct): work_struct[] | null {
  const pwq = wd(work).pwq;
  if (!pwq) return null;
  const pool = pwq.pool;
  if (pool.worklist.includes(work)) return pool.worklist;
  if (pwq.delayed_works.includes(work)) return pwq.delayed_works;
  for (const w of pool.workers) if (w.scheduled.includes(work)) return w.scheduled;
  const r = pwq.wq.rescuer;
  if (r && r.scheduled.includes(work)) return r.scheduled;
  for (const other of wq.workqueues) if (other.rescuer?.scheduled.includes(work)) return other.rescuer.scheduled;
  return null;
}

/**
 * process_one_work - run @work on @worker. Pending is cleared before the
 * function runs, so the item may be queued again while it runs (it will then
 * run again afterwards, on the same pool: never twice at once).
 */
async function process_one_work(worker: worker, work: work_struct): Promise<void> {
  const pool = worker.pool!;
  const pwq = wd(work).pwq!;
  const list = find_work_list(work)!;

  // Already running on another worker of this pool: let that one run it again.
  const collision = find_worker_executing_work(pool, work);
  if (collision && collision !== worker) {
    move_linked_works(list, list.indexOf(work), collision.scheduled);
    return;
  }

  pool.busy.set(work, worker);
  worker.current_work = work;
  worker.current_func = work.func;
  worker.current_pwq = pwq;
  const color = wd(work).color;
  list.splice(list.indexOf(work), 1);

  const cpu_intensive = (pwq.wq.flags & WQ_CPU_INTENSIVE) !== 0;
  if (cpu_intensive) worker_set_flags(worker, WORKER_CPU_INTENSIVE);
  // Unbound and CPU-intensive pools: nobody counts as running, so chain.
  if (need_more_worker(pool)) wake_up_worker(pool);

  // set_work_pool_and_clear_pending()
  model_field_set(work, 'pending', false);
  wd(work).pwq = null;
  wd(work).pool = pool;
  wd(work).linked = false;

  // The work may free itself: keep its lockdep map (the kernel copies it).
  const map = work.lockdep_map;
  const func = worker.current_func;
  // v4.11: the workqueue's map as a recursive read, from which lockdep adds
  // no dependency (check_prevs_add skips read == 2), and the work's own map
  // for write: everything the work takes is ordered after the work
  // (lessons/sources.md §12).
  lock_map_acquire_read(pwq.wq.lockdep_map, 'process_one_work');
  lock_map_acquire(map, 'process_one_work');
  if (trace_enabled()) trace('workqueue_execute_start', { work: pf(work), function: pf(work) });
  await func(work);
  if (trace_enabled()) trace('workqueue_execute_end', { work: pf(work) });
  lock_map_release(map, 'process_one_work');
  lock_map_release(pwq.wq.lockdep_map, 'process_one_work');

  const t = current;
  if (in_atomic() || t.held_locks.length > 0) {
    report('bug', 'workqueue leaked lock or atomic', [
      `BUG: workqueue leaked lock or atomic: ${t.comm}/0x${t.preempt_count.toString(16).padStart(8, '0')}/${t.pid}`,
      `     last function: ${pf(work)}`,
      ...(t.held_locks.length ? [`${t.held_locks.length} lock${t.held_locks.length > 1 ? 's' : ''} held by ${t.comm}/${t.pid}:`] : []),
      ...t.held_locks.map((h, i) => ` #${i}:  (${h.class_name}), at: ${print_ip_sym(h.acquire_ip)}`),
    ]);
  }
  await cond_resched(); // a schedule point between items (cond_resched_rcu_qs)

  if (cpu_intensive) worker_clr_flags(worker, WORKER_CPU_INTENSIVE);
  pool.busy.delete(work);
  worker.current_work = null;
  worker.current_func = null;
  worker.current_pwq = null;
  pwq_dec_nr_in_flight(pwq, color);
}

/** pwq_dec_nr_in_flight - an item of @pwq finished (or was cancelled). */
function pwq_dec_nr_in_flight(pwq: pool_workqueue, color: number): void {
  if (color === WORK_NO_COLOR) return;
  const w = pwq.wq;
  const left = (w.nr_in_flight.get(color) ?? 1) - 1;
  if (left > 0) w.nr_in_flight.set(color, left);
  else w.nr_in_flight.delete(color);
  pwq.nr_active--;
  if (pwq.delayed_works.length > 0 && pwq.nr_active < pwq.max_active) pwq_activate_delayed_work(pwq.delayed_works[0]!);
  if (w.flushers.length > 0) wq_flush_check(w);
}

/** pwq_activate_delayed_work - move a delayed item (and its linked barriers) to the pool's worklist. */
function pwq_activate_delayed_work(work: work_struct): void {
  const pwq = wd(work).pwq!;
  if (trace_enabled()) trace('workqueue_activate_work', { work: pf(work) });
  move_linked_works(pwq.delayed_works, pwq.delayed_works.indexOf(work), pwq.pool.worklist);
  pwq.nr_active++;
}

// ---------------------------------------------------------------------------
// Flushing

/**
 * check_flush_dependency - warn if current may not wait for @target_wq.
 * Flushing a !WQ_MEM_RECLAIM workqueue may wait for a kworker that cannot be
 * created under memory pressure, so neither a task in reclaim (PF_MEMALLOC)
 * nor a worker of a WQ_MEM_RECLAIM workqueue may do it. A warning, once per
 * boot per message; the flush still goes ahead.
 */
export function check_flush_dependency(h: workqueue_struct, target_work: work_struct | null): void {
  const target_wq = wq_of(h);
  if (target_wq.flags & WQ_MEM_RECLAIM) return;
  const worker = current_wq_worker();
  const t = current;
  const target_func = target_work ? pf(target_work) : PF_NULL;
  if (t.flags & PF_MEMALLOC) {
    // The line and offset are those of the SEED splat (4.11-rc5).
    WARN_ONCE(
      true,
      'kernel/workqueue.c:2418 check_flush_dependency+0x92/0x130',
      `workqueue: PF_MEMALLOC task ${t.pid}(${t.comm}) is flushing !WQ_MEM_RECLAIM ${target_wq.name}:${target_func}`,
    );
  }
  // The kernel dereferences worker->current_pwq unconditionally; a manager
  // (no current item) reaching this would oops there. The model skips it.
  const cur = worker?.current_pwq;
  if (cur && (cur.wq.flags & (WQ_MEM_RECLAIM | __WQ_LEGACY)) === WQ_MEM_RECLAIM) {
    // The second WARN_ONCE is a few lines below the first; its exact line is not known.
    WARN_ONCE(
      true,
      'kernel/workqueue.c check_flush_dependency',
      `workqueue: WQ_MEM_RECLAIM ${cur.wq.name}:${worker!.current_work ? pf(worker!.current_work) : PF_NULL} is flushing !WQ_MEM_RECLAIM ${target_wq.name}:${target_func}`,
    );
  }
}

/** A flush barrier: a work item whose only job is to complete a completion. */
interface wq_barrier {
  work: work_struct;
  done: completion;
}

/**
 * insert_wq_barrier - queue a barrier that runs right after @target: behind
 * it in its list, or first in @worker's scheduled list if @target is running
 * on @worker.
 */
function insert_wq_barrier(pwq: pool_workqueue, target: work_struct, worker: worker | null): wq_barrier {
  const barr = {} as wq_barrier;
  barr.done = init_completion(`flush of ${pwq.wq.name}:${pf(target)}`, () => model_work_expected_runner(barr.work));
  const wq_barrier_func = async (): Promise<void> => complete(barr.done);
  barr.work = INIT_WORK({} as work_struct, wq_barrier_func, 'wq_barrier_func', { lockdep_map: wq.barrier_map });
  model_field_set(barr.work, 'pending', true);
  if (worker) {
    insert_work(pwq, barr.work, worker.scheduled, 0);
  } else {
    const list = find_work_list(target)!;
    wd(barr.work).linked = wd(target).linked;
    wd(target).linked = true;
    insert_work(pwq, barr.work, list, list.indexOf(target) + 1);
  }
  return barr;
}

/** start_flush_work - if @work is pending or running, queue a barrier behind it. */
function start_flush_work(work: work_struct): wq_barrier | null {
  const pool = wd(work).pwq?.pool ?? wd(work).pool;
  if (!pool) return null;
  let pwq = wd(work).pwq;
  let worker: worker | null = null;
  if (!pwq) {
    worker = find_worker_executing_work(pool, work);
    if (!worker) return null; // already gone
    pwq = worker.current_pwq!;
  }
  check_flush_dependency(pwq.wq, work);
  const barr = insert_wq_barrier(pwq, work, worker);
  // Flushing waits for the workqueue as a whole when it cannot run items in parallel.
  if (pwq.wq.max_active === 1 || pwq.wq.rescuer) lock_map_acquire(pwq.wq.lockdep_map, 'flush_work');
  else lock_map_acquire_read(pwq.wq.lockdep_map, 'flush_work');
  lock_map_release(pwq.wq.lockdep_map, 'flush_work');
  return barr;
}

/**
 * flush_work - wait until @work has finished its last queueing. Returns false
 * if it was idle (nothing to wait for). Sleeps; lockdep sees it as taking the
 * work's lock, so flushing a work that needs a lock you hold is reported.
 */
export async function flush_work(work: work_struct): Promise<boolean> {
  might_sleep('flush_work', 'kernel/workqueue.c');
  model_task_context('flush_work');
  lock_map_acquire(work.lockdep_map, 'flush_work');
  lock_map_release(work.lockdep_map, 'flush_work');
  const barr = start_flush_work(work);
  if (!barr) return false;
  await wait_for_completion(barr.done);
  return true;
}

/**
 * flush_workqueue - wait until every item queued on @w before this call has
 * finished (items queued later are not waited for). Sleeps.
 */
export async function flush_workqueue(h: workqueue_struct): Promise<void> {
  const w = wq_of(h);
  might_sleep('flush_workqueue', 'kernel/workqueue.c');
  model_task_context('flush_workqueue');
  lock_map_acquire(w.lockdep_map, 'flush_workqueue');
  lock_map_release(w.lockdep_map, 'flush_workqueue');
  // Items queued from now on get the next color; we wait for ours and older.
  const color = w.work_color++;
  if (!has_in_flight_upto(w, color)) return;
  check_flush_dependency(w, null);
  const done = init_completion(`flush of ${w.name}`, () => wq_expected_runner(w));
  w.flushers.push({ color, done });
  await wait_for_completion(done);
}

/** flush_scheduled_work - flush system_wq (discouraged in the kernel: it waits for everyone's items). */
export async function flush_scheduled_work(): Promise<void> {
  await flush_workqueue(system_wq);
}

function has_in_flight_upto(w: wq_impl, color: number): boolean {
  for (const c of w.nr_in_flight.keys()) if (c <= color) return true;
  return false;
}

function wq_flush_check(w: wq_impl): void {
  while (w.flushers.length > 0) {
    const f = w.flushers[0]!;
    if (has_in_flight_upto(w, f.color)) return;
    w.flushers.shift();
    complete(f.done);
  }
}

// ---------------------------------------------------------------------------
// Cancelling

/**
 * try_to_grab_pending - own @work's pending bit: 1 if it was queued (now
 * unqueued), 0 if it was idle, -ENOENT if another cancel is in progress.
 */
function try_to_grab_pending(work: work_struct): number {
  if (!work.pending) {
    model_field_set(work, 'pending', true);
    return 0;
  }
  const pwq = wd(work).pwq;
  if (pwq) {
    // A delayed item is activated first, so that the counts stay right.
    if (pwq.delayed_works.includes(work)) pwq_activate_delayed_work(work);
    const list = find_work_list(work)!;
    list.splice(list.indexOf(work), 1);
    pwq_dec_nr_in_flight(pwq, wd(work).color);
    wd(work).pwq = null;
    wd(work).pool = pwq.pool;
    wd(work).linked = false;
    return 1;
  }
  if (wd(work).canceling) return -ENOENT;
  // Pending but not on a list: the model gets here only for an item whose
  // queueing was refused (a draining workqueue). The kernel would retry
  // (-EAGAIN) forever; take it as ours.
  return 0;
}

/**
 * cancel_work_sync - take @work off its queue if pending, and wait for it to
 * finish if it is running. Returns true if it was pending. Sleeps. In v4.11
 * the wait is a flush_work(), so check_flush_dependency() applies here too
 * (v6.13 skips the check on cancel paths).
 */
export async function cancel_work_sync(work: work_struct): Promise<boolean> {
  might_sleep('cancel_work_sync', 'kernel/workqueue.c');
  model_task_context('cancel_work_sync');
  let ret: number;
  for (;;) {
    ret = try_to_grab_pending(work);
    if (ret !== -ENOENT) break;
    // Someone else is cancelling it: wait for them to finish.
    await wait_event(wq.cancel_waitq, () => !wd(work).canceling);
  }
  wd(work).canceling = true; // mark_work_canceling: queue_work() fails meanwhile
  await flush_work(work);
  // clear_work_data()
  model_field_set(work, 'pending', false);
  wd(work).canceling = false;
  wd(work).pool = null;
  wake_up(wq.cancel_waitq);
  return ret === 1;
}

/** cancel_work - take @work off its queue if pending; does not wait if it runs. */
export function cancel_work(work: work_struct): boolean {
  footprint_write(work);
  footprint_write(FP_WORKQUEUE);
  const ret = try_to_grab_pending(work);
  if (ret < 0) return false;
  model_field_set(work, 'pending', false);
  return ret === 1;
}

// ---------------------------------------------------------------------------
// Introspection

/** current_work - the work item current is running, if current is a kworker. */
export function current_work(): work_struct | null {
  return current_wq_worker()?.current_work ?? null;
}

/** current_is_workqueue_rescuer - is current a rescuer running a rescued item? */
export function current_is_workqueue_rescuer(): boolean {
  const w = current_wq_worker();
  return w !== null && w.rescue_wq !== null;
}

/**
 * model_work_expected_runner - for reports: the task that must act for @work to
 * run or finish. The worker running it; else, if it is queued, the worker
 * that has it scheduled, an idle worker that will pick it up, a busy worker
 * that must finish or sleep first, or the manager trying to create a worker.
 */
export function model_work_expected_runner(work: work_struct): task_struct | null {
  footprint_read(FP_WORKQUEUE);
  const queued = wd(work).pwq;
  const pool = queued?.pool ?? wd(work).pool;
  if (!pool) return null;
  const running = pool.busy.get(work);
  if (running) return running.task;
  if (!queued) return null;
  for (const w of pool.workers) if (w.scheduled.includes(work)) return w.task;
  const rescuer = queued.wq.rescuer;
  if (rescuer?.scheduled.includes(work)) return rescuer.task;
  if (pool.idle_list.length > 0) return pool.idle_list[0]!.task;
  let busy: worker | null = null;
  for (const w of pool.workers) {
    if (!w.current_work) continue;
    if (!task_is_running(w.task)) return w.task; // a blocked runner is what holds the pool
    busy ??= w;
  }
  if (busy) return busy.task;
  return pool.manager?.task ?? null;
}

/** For reports: who must act for @w's pending items to finish. */
function wq_expected_runner(w: wq_impl): task_struct | null {
  for (const pwq of w.pwqs) {
    for (const wk of pwq.pool.workers) if (wk.current_pwq === pwq) return wk.task;
    const first = pwq.pool.worklist.find((x) => wd(x).pwq === pwq);
    if (first) return model_work_expected_runner(first);
  }
  return null;
}

/** The kworkers of a pool, for tests and the study site: [normal, highpri] of @cpu, or unbound if cpu < 0. */
export function model_pool_workers(cpu: number, highpri = false): readonly task_struct[] {
  footprint_read(FP_WORKQUEUE);
  const pool = cpu >= 0 ? wq.cpu_pools[cpu]?.[highpri ? 1 : 0] : wq.unbound_pools[highpri ? 1 : 0];
  return pool ? pool.workers.map((w) => w.task) : [];
}
