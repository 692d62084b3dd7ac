// Models: kernel/sched/core.c (schedule, try_to_wake_up, cond_resched,
// ___might_sleep), v4.11.
//
// How the model runs kernel code. Every task is a JavaScript async function.
// Only one runs at a time. A task runs until it reaches a *schedule point*:
// any model call that may sleep in the kernel (mutex_lock, kmalloc with
// direct reclaim, synchronize_rcu, flush_work, cond_resched...) is `async`
// and begins with one. There the task parks, and the scheduler loop picks
// which runnable task continues, through a *policy*. The default policy is
// the kernel's ordinary behaviour (run the current task until it sleeps or
// its time slice ends, then the longest-waiting runnable task); the explorer
// (explorer/) supplies policies that try other choices.
//
// Tasks on different CPUs really run in parallel in the kernel; the model
// interleaves them at schedule points. Between two schedule points a task's
// code runs atomically, which is why every sleeping call must be a point.
//
// Simplified: no priorities, no migration, no preemption inside a code run
// between schedule points (CONFIG_PREEMPT_NONE), no interrupts (timers fire
// between steps).
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { model_panic_set_stop, model_panic_set_whoami, KernelOops, report, type report_kind } from '../panic';
import { model_clock_advance_to, model_ticks, ktime_get_ns, NSEC_PER_JIFFY, STEP_NS } from '../time/timekeeping';
import { model_next_timer_expiry, __run_timers, mod_timer, del_timer, timer_setup, type timer_list } from '../time/timer';
import { parse_v8_stack, print_ip_sym, save_stack_trace, type stack_frame } from '../lib/dump_stack';
import { KERN_ERR } from '../printk/printk';
import { model_trace_set_stamp, trace, trace_enabled } from '../trace/trace';
import { SOFTLOCKUP_CALLS, watchdog_softlockup } from '../watchdog';
import { FP_TASKLIST, FP_WORKQUEUE, footprint_recording, footprint_step_begin, footprint_subsystem_call, footprint_untracked_call, footprint_write, footprint_read } from '../footprint';
import { model_read_thrown } from '../model_value';
import { model_task_add, model_task_set, seal_task } from './task_fields';
import {
  PF_KTHREAD,
  TASK_DEAD,
  TASK_INTERRUPTIBLE,
  TASK_KILLABLE,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  task_is_running,
  task_ptr,
  model_wait_target,
  wait_target_text,
  type task_struct,
  type wait_target,
} from './task';

/** Steps a task may run before the default policy gives the CPU to another runnable task. */
export const SCHED_SLICE_STEPS = 64;
/** Largest timeout value: sleep until woken. */
export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;

/** One choice of the scheduler, offered to the policy. */
export interface sched_decision {
  /** Steps taken so far in this run. */
  step: number;
  /** The task that ran last, or null at the start. */
  prev: task_struct | null;
  /** Whether prev could go on running (choosing another is then a preemption). */
  prev_runnable: boolean;
  /** Every runnable task, in run-queue order (longest waiting first). */
  runnable: readonly task_struct[];
  /** What the default policy would run. */
  default_choice: task_struct;
}

/** A scheduling policy: which runnable task runs next. Consulted only when there is a choice. */
export interface sched_policy {
  pick(d: sched_decision): task_struct;
}

/** The kernel's own behaviour: keep running until sleep or end of slice. */
export const default_policy: sched_policy = { pick: (d) => d.default_choice };

/** Called after every step (RCU notes quiescent states here). Must be cheap. */
export type sched_step_hook = (prev: task_struct) => void;
/** Called whenever the clock moves (the hung-task detector). */
export type sched_clock_hook = (now_jiffies: number) => void;
/** Called when a task exits (lockdep checks for held locks). */
export type sched_exit_hook = (t: task_struct) => void;

/** The task running before any scenario task exists (init_task, "swapper/0"). */
/**
 * Each task's pid and comm as fork gave them (neither changes in the model). The tracer stamps events
 * with these and judges pick a task's events by them: the task's own fields are in reach of code handed
 * the task (grader red team 12 #14 wrote current.pid for the length of a wait, and 09's judge, which keeps
 * the caller's events by pid, saw no sleep).
 */
const idents = new WeakMap<task_struct, task_ident>();

/** What fork made a task: its pid, its comm, and whether it is a daemon (a kernel thread that idles for ever). */
export interface task_ident {
  readonly pid: number;
  readonly comm: string;
  /** The scheduler ends a run when only daemons are left; khungtaskd's deadlock listing skips them (red team 12 #16 made itself one). */
  readonly daemon: boolean;
}

/** model_task_ident - @t's pid, comm and daemon flag as fork gave them (a task the model never made: its fields). */
export function model_task_ident(t: task_struct): task_ident {
  return idents.get(t) ?? { pid: t.pid, comm: t.comm, daemon: t.daemon };
}

function make_task(pid: number, comm: string, flags: number, cpu: number, daemon: boolean): task_struct {
  const t = make_task_struct(pid, comm, flags, cpu, daemon);
  idents.set(t, Object.freeze({ pid, comm, daemon }));
  return t;
}

function make_task_struct(pid: number, comm: string, flags: number, cpu: number, daemon: boolean): task_struct {
  // Sealed, its fields accessors over a store beside it (kernel/sched/task_fields.ts): a task writes
  // its own flags, state and reclaim_state; the rest are the kernel's (model_task_set). What the
  // checks judge a task by is still the scheduler's own record (model_task_sched, model_task_ident).
  return seal_task<task_struct>({
    pid,
    comm,
    flags,
    state: TASK_RUNNING,
    cpu,
    daemon,
    preempt_count: 0,
    rcu_read_lock_nesting: 0,
    held_locks: [],
    blocked_on: null,
    switch_count: 0,
    nvcsw: 0,
    nivcsw: 0,
    last_switch_count: 0,
    sleep_start: 0,
    sigkill_pending: false,
    rss_pages: 0,
    reclaim_state: null,
    exit_state: 'running',
    usage: 2,
  }, (t) => t === current);
}

/**
 * The scheduler's own record of a task: how to continue its JavaScript,
 * where it is parked, its timed sleep, its time slice, and the context
 * switches it made. Kept beside the task_struct (a WeakMap), not on it:
 * code handed a task (`current`, a lock's owner) can write any of its
 * fields by any spelling, and a shrinker that put its task's nvcsw back
 * after a flush_work() made the checks' "did it sleep?" answer no (grader
 * red team 11 #05). The task's own nvcsw, nivcsw and switch_count are
 * still counted, for code to read; the judges read these.
 */
export interface task_sched {
  /** Continue this task's JavaScript (set while it is parked at a schedule point). */
  resume: (() => void) | null;
  /** True between parking at a schedule point and being resumed. */
  parked: boolean;
  /** The sleeping call the task is parked in, for the forgotten-await message. */
  parked_in: string;
  /** jiffies at which a sleeping schedule_timeout() wakes it, or -1. */
  timeout: number;
  /** The timer of its timed sleeps (schedule_timeout), made on the first one. */
  timeout_timer: timer_list | null;
  /** Steps run since last switched in (for the default time slice). */
  slice: number;
  /** Model calls made since the task last reached a schedule point (kernel/watchdog.ts). */
  calls: number;
  /** Where the task went to sleep (kernel/lib/dump_stack.ts), recorded when tracing: a hung task's Call Trace. */
  sleep_trace: readonly stack_frame[];
  /** Voluntary context switches (the task slept), as t->nvcsw counts them. */
  nvcsw: number;
  /** Involuntary context switches (the task was preempted), as t->nivcsw counts them. */
  nivcsw: number;
  /** khungtaskd's memory of nvcsw + nivcsw at its last look (t->last_switch_count). */
  last_switch_count: number;
  /**
   * The state the task went to sleep in, TASK_RUNNING while it is awake, and
   * jiffies when it went to sleep and what on: the task's own state,
   * sleep_start and blocked_on are fields code handed the task can write
   * (a hung holder's sleep_start put forward hid it from khungtaskd).
   * kernel/hung_task.ts reads these.
   */
  sleep_state: number;
  sleep_start: number;
  blocked_on: wait_target | null;
}

const scheds = new WeakMap<task_struct, task_sched>();

/** model_task_sched - the scheduler's record of @t (a task it never made gets an idle one). */
export function model_task_sched(t: task_struct): task_sched {
  let s = scheds.get(t);
  if (!s) {
    s = { resume: null, parked: false, parked_in: '', timeout: -1, timeout_timer: null, slice: 0, calls: 0, sleep_trace: [], nvcsw: 0, nivcsw: 0, last_switch_count: 0, sleep_state: TASK_RUNNING, sleep_start: 0, blocked_on: null };
    scheds.set(t, s);
  }
  return s;
}

/**
 * current - the running task. A live binding: it changes as the scheduler
 * switches tasks, exactly like the kernel's `current` macro.
 */
export let current: task_struct = make_task(0, 'swapper/0', PF_KTHREAD, 0, true);

interface rq_state {
  tasks: task_struct[];
  rq_seq: Map<task_struct, number>;
  seq: number;
  running: task_struct | null;
  policy: sched_policy;
  step: number;
  next_pid: number;
  handoff: (() => void) | null;
  stopped: report_kind | 'completed' | null;
  step_hooks: sched_step_hook[];
  clock_hooks: sched_clock_hook[];
  exit_hooks: sched_exit_hook[];
  idle_hooks: Array<() => void>;
  idle_forever_hooks: Array<() => void>;
}

const init_task = current;
let rq: rq_state = fresh_rq();

function fresh_rq(): rq_state {
  return {
    tasks: [],
    rq_seq: new Map(),
    seq: 0,
    running: null,
    policy: default_policy,
    step: 0,
    next_pid: 1,
    handoff: null,
    stopped: null,
    step_hooks: [],
    clock_hooks: [],
    exit_hooks: [],
    idle_hooks: [],
    idle_forever_hooks: [],
  };
}

register_initcall('core', 'sched', () => {
  rq = fresh_rq();
  model_task_set(init_task, 'preempt_count', 0);
  model_task_set(init_task, 'held_locks', []);
  current = init_task;
  model_panic_set_whoami(() => ({ pid: current.pid, comm: current.comm, cpu: current.cpu }));
  model_panic_set_stop((reason) => {
    if (!rq.stopped) rq.stopped = reason;
  });
  model_trace_set_stamp(() => {
    const id = model_task_ident(current);
    return { step: rq.step, ts_ns: ktime_get_ns(), cpu: current.cpu, pid: id.pid, comm: id.comm };
  });
});

/** Install the policy for this run (before sched_run). */
export function sched_set_policy(p: sched_policy): void {
  rq.policy = p;
}

export function register_sched_step_hook(h: sched_step_hook): void {
  rq.step_hooks.push(h);
}
export function register_sched_clock_hook(h: sched_clock_hook): void {
  rq.clock_hooks.push(h);
}
export function register_sched_exit_hook(h: sched_exit_hook): void {
  rq.exit_hooks.push(h);
}

/** Every task created in this run, in pid order. */
export function for_each_process(): readonly task_struct[] {
  footprint_read(FP_TASKLIST);
  return rq.tasks;
}

export function find_task_by_pid(pid: number): task_struct | undefined {
  footprint_read(FP_TASKLIST);
  return rq.tasks.find((t) => t.pid === pid);
}

/** Scheduler steps taken so far. */
export function sched_steps(): number {
  return rq.step;
}

/** Why the run stopped, or null while it runs. */
export function sched_stop_reason(): rq_state['stopped'] {
  return rq.stopped;
}

/** Ask the run to stop after the current step (the scenario's own "panic"). */
export function sched_request_stop(reason: report_kind | 'completed'): void {
  if (!rq.stopped) rq.stopped = reason;
}

/** Is there a task context? (false in setup code, before any task runs) */
export function in_task(): boolean {
  return current !== init_task;
}

// ---------------------------------------------------------------------------
// Task creation and exit (kernel/fork.c, kernel/exit.c in the real tree)

export interface task_options {
  cpu?: number;
  flags?: number;
  /** Idle kernel threads (kswapd, kworkers) do not keep a run alive. */
  daemon?: boolean;
  rss_pages?: number;
}

/** PID_MAX_LIMIT on 64-bit (include/linux/threads.h): pid_max may be raised to it, so pids go up to PID_MAX_LIMIT - 1. */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;
/** RESERVED_PIDS (include/linux/pid.h): past pid_max, pid numbers wrap round to here (kernel/pid.c alloc_pidmap). */
export const RESERVED_PIDS = 300;

/**
 * The pid of the @nth task of a boot (1-based) whose first task got @first_pid,
 * with pid_max at PID_MAX_LIMIT: numbers count up and, past PID_MAX_LIMIT - 1,
 * wrap round to RESERVED_PIDS as alloc_pidmap() does (kernel/pid.c), so a
 * boot that starts near the top of the pid space has pids at the very top and
 * small ones again. A first pid outside 1..PID_MAX_LIMIT - 1 is an error.
 */
export function pid_of_nth_task(first_pid: number, nth: number): number {
  if (!Number.isInteger(first_pid) || first_pid < 1 || first_pid >= PID_MAX_LIMIT) {
    throw new Error(`boot param first_pid ${first_pid}: a pid is a whole number from 1 to ${PID_MAX_LIMIT - 1} (PID_MAX_LIMIT - 1 on 64-bit)`);
  }
  const pid = first_pid - 1 + nth;
  return pid < PID_MAX_LIMIT ? pid : RESERVED_PIDS + ((pid - PID_MAX_LIMIT) % (PID_MAX_LIMIT - RESERVED_PIDS));
}

/**
 * model_task_create - create a runnable task that will run @fn.
 * Used by kthread_run() and user_task(); scenarios call those.
 */
export function model_task_create(fn: () => Promise<void>, comm: string, opts: task_options = {}): task_struct {
  const pid = pid_of_nth_task(boot_params().first_pid, rq.next_pid++); // boot param first_pid (default 1)
  const t = make_task(pid, comm, opts.flags ?? 0, (opts.cpu ?? pid) % boot_params().nr_cpus, opts.daemon ?? false);
  task_ptr(t); // dup_task_struct: its place in the task_struct slab, in creation order (a boot's addresses do not depend on who asks first)
  model_task_set(t, 'rss_pages', opts.rss_pages ?? 0);
  model_task_sched(t).resume = () => {
    void (async () => {
      await fn();
    })().then(
      () => task_exit(t, 'exited'),
      (e: unknown) => task_died(t, e),
    );
  };
  rq.tasks.push(t);
  footprint_write(FP_TASKLIST); // pids and task addresses go in creation order
  footprint_write(t);
  enqueue(t);
  trace('sched_process_fork', { child_pid: pid, child_comm: comm });
  return t;
}

/** The scheduler's record of @t says it is awake (woken, or gone). */
function awake(t: task_struct): void {
  const s = model_task_sched(t);
  s.sleep_state = TASK_RUNNING;
  s.blocked_on = null;
}

function enqueue(t: task_struct): void {
  rq.rq_seq.set(t, ++rq.seq);
}

function task_exit(t: task_struct, how: task_struct['exit_state']): void {
  if (model_task_sched(t).parked) {
    // The function returned while one of its sleeping calls never finished:
    // the call was not awaited. Its continuation is abandoned.
    forgotten_await(t, model_task_sched(t).parked_in, null);
    how = 'oops';
  }
  // A task that leaves because of SIGKILL (the OOM killer's) was killed.
  model_task_set(t, 'exit_state', how === 'exited' && t.sigkill_pending ? 'killed' : how);
  model_task_set(t, 'state', TASK_DEAD);
  model_task_set(t, 'blocked_on', null);
  awake(t);
  model_task_sched(t).resume = null;
  for (const h of rq.exit_hooks) h(t);
  trace('sched_process_exit', { how });
  hand_back(t);
}

/**
 * (model) model_task_exit_on_other_cpu - @t, asleep in the model, is a task
 * whose code runs on another CPU (a check's stand-in that only owns a lock
 * word): it returns and exits there (do_exit) while the caller runs. Its
 * model continuation is dropped; the exit hooks run as at any exit (lockdep
 * checks it holds no locks). Not a kernel API: checks use it through
 * kernel/exit.ts model_other_cpu_owner_exits.
 */
export function model_task_exit_on_other_cpu(t: task_struct): void {
  if (t === current || t.exit_state !== 'running' || t.state === TASK_RUNNING) throw new Error('model_task_exit_on_other_cpu: the task must be another one, alive and asleep');
  model_task_set(t, 'exit_state', 'exited');
  model_task_set(t, 'state', TASK_DEAD);
  model_task_set(t, 'blocked_on', null);
  awake(t);
  model_task_sched(t).resume = null;
  model_task_sched(t).parked = false;
  rq.rq_seq.delete(t);
  for (const h of rq.exit_hooks) h(t);
}

/**
 * (model) model_task_unhash - release_task()'s __unhash_process (kernel/exit.c):
 * @t, dead, leaves the task list, so for_each_process() and the scheduler's
 * walks no longer see it. Its task_struct lives on until its last reference
 * is put (kernel/exit.ts).
 */
export function model_task_unhash(t: task_struct): void {
  if (t.exit_state === 'running') throw new Error('model_task_unhash: only a dead task is unhashed');
  const i = rq.tasks.indexOf(t);
  if (i >= 0) rq.tasks.splice(i, 1);
  footprint_write(FP_TASKLIST);
}

/**
 * (model) What a task threw, read once and defensively: a learner's value may be a Proxy or carry
 * getters that throw, and its code must not break the scheduler's bookkeeping (the task must still
 * exit, or the run would wait for it for ever).
 */
function read_thrown(e: unknown): { oops: boolean; name: string; message: string; stack: string } {
  let oops = false;
  try {
    oops = e instanceof KernelOops; // a Proxy's getPrototypeOf trap may throw: then it is not the model's oops
  } catch {
    oops = false;
  }
  if (oops) return { oops: true, name: '', message: '', stack: '' };
  return { oops: false, ...model_read_thrown(e) }; // (kernel/model_value.ts) each field read once, never coerced
}

/**
 * sealed_struct_write - what a TypeError from a sealed model struct
 * (kernel/model_struct.ts) means in kernel terms, or null for any other error.
 * C has no such exception: adding a field to a struct, or redefining one, does
 * not compile; the model can only stop the task that tried.
 */
function sealed_struct_write(name: string, message: string): string | null {
  if (name !== 'TypeError') return null;
  const added = /^Cannot add property (.+), object is not extensible$/.exec(message);
  if (added) return `your code added a field '${added[1]}' that the kernel's struct does not have`;
  const read_only = /^Cannot assign to read only property '([^']+)'/.exec(message);
  if (read_only) return `your code wrote the field '${read_only[1]}', which only the kernel sets`;
  const reshaped = /^Cannot (?:redefine property: (\S+)|delete property '([^']+)')/.exec(message);
  if (reshaped) return `your code redefined or deleted the field '${reshaped[1] ?? reshaped[2]}' of a kernel struct, whose fields are fixed`;
  return null;
}

function task_died(t: task_struct, e: unknown): void {
  const err = read_thrown(e);
  if (!err.oops) {
    const is_assert = err.name === 'AssertionError' || err.name === 'ScenarioAssertion';
    const prev = current;
    current = t;
    if (is_assert) {
      report('assert', err.message.split('\n')[0] ?? err.message, [`scenario check failed in ${t.comm}:${t.pid}: ${err.message}`]);
    } else {
      // The exception's own frames go beside the report as its Call Trace (tree paths), never into
      // the log: a host path or a realm without frames would make the same replay print another dmesg.
      const struct_write = sealed_struct_write(err.name, err.message);
      report('bug', struct_write ? `Oops: ${struct_write} (${err.name}: ${err.message})` : `Oops: ${err.name}: ${err.message}`, [
        `BUG: an exception escaped task ${t.comm}:${t.pid}: ${err.name}: ${err.message}`,
        ...(struct_write ? [`  ${struct_write}: a kernel struct has exactly the fields its header declares (kernel/model_struct.ts)`] : []),
        'Oops: 0000 [#1] SMP',
      ], KERN_ERR, parse_v8_stack(err.stack));
    }
    current = prev;
  }
  task_exit(t, 'oops');
}

/** Return control to the scheduler loop, once per resume. */
function hand_back(t: task_struct): void {
  if (rq.running !== t) return; // already handed back (a forgotten await parked it)
  rq.running = null;
  const h = rq.handoff;
  rq.handoff = null;
  h?.();
}

// ---------------------------------------------------------------------------
// Context checks

function forgotten_await(t: task_struct, pending: string, now_calling: string | null): never | void {
  const prev = current;
  current = t;
  const lines = [
    `BUG: ${pending}() in ${t.comm}:${t.pid} was not awaited`,
    now_calling
      ? `  ${now_calling}() was called while ${pending}() had not returned yet.`
      : `  the task returned while ${pending}() had not returned yet.`,
    `  ${pending}() may sleep, so it is async: write \`await ${pending}(...)\`.`,
  ];
  report('forgotten_await', `${pending}() was not awaited`, lines);
  current = prev;
  if (now_calling) throw new KernelOops(`${pending}() was not awaited`);
}

/**
 * Model calls whose shared state tags itself (footprint.ts): the scheduler's
 * own sleeping calls, wait queues, completions and the locks. A call by any
 * other name comes from a subsystem without tags, and the explorer then treats
 * every later step of the calling task as touching everything.
 */
const FOOTPRINT_TAGGED_CALLS: ReadonlySet<string> = new Set([
  'schedule',
  'schedule_timeout',
  'schedule_timeout_uninterruptible',
  'schedule_timeout_killable',
  'schedule_timeout_interruptible',
  'cond_resched',
  'wait_event',
  'wait_event_interruptible',
  'wait_for_completion',
  'mutex_lock',
  'mutex_lock_killable',
  'mutex_lock_interruptible',
  'mutex_trylock',
  'mutex_trylock_recursive',
  'mutex_unlock',
  'down_read',
  'down_write',
  'down_read_trylock',
  'down_write_trylock',
  'up_read',
  'up_write',
  'spin_lock',
  'spin_trylock',
  'spin_unlock',
  // RCU tags itself (kernel/rcu/: FP_RCU, FP_RCU_CALLBACKS, rcu_readers_fp).
  'rcu_read_lock',
  'rcu_read_unlock',
  'synchronize_rcu',
  'rcu_barrier',
  // kswapd's own sleep on kswapd_wait (kernel/mm/kswapd.ts tags its state, FP_KSWAPD).
  'kswapd',
]);

/**
 * Model calls into a subsystem whose state is tagged as a whole by one shared
 * object (footprint.ts): the calling task's steps from then on write it, and
 * conflict only with the steps that touch that subsystem. The workqueues (kernel/workqueue.ts): pools, items and flush colours are
 * FP_WORKQUEUE; a kworker's own sleeps say so too.
 */
const FOOTPRINT_SUBSYSTEM_CALLS: ReadonlyMap<string, object> = new Map([
  ['flush_work', FP_WORKQUEUE],
  ['flush_workqueue', FP_WORKQUEUE],
  ['cancel_work_sync', FP_WORKQUEUE],
  ['worker_thread', FP_WORKQUEUE],
  ['rescuer_thread', FP_WORKQUEUE],
]);

/**
 * model_task_context - every model API entry calls this with its own name. It
 * returns current, and catches the two misuses JavaScript would otherwise
 * hide: calling the model outside any task, and calling on after a sleeping
 * call that was not awaited.
 */
export function model_task_context(call: string): task_struct {
  const t = current;
  if (t === init_task) {
    throw new Error(`${call}() needs a task: call it from a function passed to kthread_run() or user_task(), not from scenario setup.`);
  }
  if (model_task_sched(t).parked) forgotten_await(t, model_task_sched(t).parked_in, call);
  // The explorer's partial-order reduction: a call into a subsystem whose state is not tagged (see footprint.ts).
  if (footprint_recording() && !FOOTPRINT_TAGGED_CALLS.has(call)) {
    const token = FOOTPRINT_SUBSYSTEM_CALLS.get(call);
    if (token !== undefined) footprint_subsystem_call(token);
    else footprint_untracked_call();
  }
  // A run between two schedule points is bounded kernel work; one that never ends is a soft lockup.
  if (++model_task_sched(t).calls > SOFTLOCKUP_CALLS) watchdog_softlockup(t, call);
  return t;
}

/** in_atomic - preempt_count non-zero: a spinlock, rcu_read_lock or softirq context. */
export function in_atomic(): boolean {
  return current.preempt_count > 0;
}

/**
 * might_sleep - complain if the caller may not sleep here.
 * ___might_sleep prints a BUG but lets the task go on, as v4.11 does.
 */
export function might_sleep(call: string, where: string): void {
  const t = model_task_context(call);
  if (t.preempt_count > 0) {
    report('bug', 'sleeping function called from invalid context', [
      `BUG: sleeping function called from invalid context at ${where}`,
      `in_atomic(): 1, irqs_disabled(): 0, pid: ${t.pid}, name: ${t.comm}`,
      ...(t.rcu_read_lock_nesting > 0 ? [`  (${call}() inside an RCU read-side critical section)`] : []),
      ...(t.held_locks.length ? [`${t.held_locks.length} lock${t.held_locks.length > 1 ? 's' : ''} held by ${t.comm}/${t.pid}:`] : []),
      ...t.held_locks.map((h, i) => ` #${i}:  (${h.class_name}), at: ${print_ip_sym(h.acquire_ip)}`),
    ]);
  }
}

// ---------------------------------------------------------------------------
// Sleeping and waking

/** set_current_state - set current's state before calling schedule(). */
export function set_current_state(state: number): void {
  current.state = state;
}

/**
 * The resolve function of a promise just made, without a closure per call
 * (the scheduler makes two promises per step: allocation on the hot path).
 */
let captured_resolve: (() => void) | null = null;
function capture_resolve(res: () => void): void {
  captured_resolve = res;
}

/**
 * model_schedule_point - park current and let the scheduler choose who runs next.
 * If current's state is TASK_RUNNING it stays runnable (a voluntary yield);
 * otherwise it sleeps until wake_up_process(). @call names the model call.
 */
export async function model_schedule_point(call: string): Promise<void> {
  const t = model_task_context(call);
  model_task_sched(t).parked = true;
  model_task_sched(t).parked_in = call;
  const resumed = new Promise<void>(capture_resolve);
  model_task_sched(t).resume = captured_resolve;
  hand_back(t);
  await resumed;
  model_task_sched(t).parked = false;
  model_task_sched(t).calls = 0;
}

/**
 * schedule - give up the CPU. With a sleeping state set, the task stays off
 * the run queue until woken; @target says what it waits for (for reports).
 */
export async function schedule(target: wait_target | null = null, call = 'schedule'): Promise<void> {
  const t = current;
  if (t.state !== TASK_RUNNING) {
    model_task_set(t, 'blocked_on', target);
    model_task_set(t, 'sleep_start', model_ticks());
    model_task_add(t, 'switch_count', 1);
    model_task_add(t, 'nvcsw', 1);
    const sched = model_task_sched(t);
    sched.nvcsw++;
    sched.sleep_state = t.state;
    sched.sleep_start = model_ticks();
    sched.blocked_on = target;
    // Where it sleeps, for a hung-task or deadlock report's Call Trace: only when tracing (a replay), it costs a stack walk.
    if (trace_enabled()) model_task_sched(t).sleep_trace = save_stack_trace(1);
    if (trace_enabled()) trace('sched_sleep', { state: t.state, on: target ? wait_target_text(target) : null });
  }
  await model_schedule_point(call);
  awake(t);
}

/**
 * wake_up_process - make @t runnable. Returns false if it already was.
 * (try_to_wake_up in kernel/sched/core.c.)
 */
export function wake_up_process(t: task_struct): boolean {
  return try_to_wake_up(t, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

/** try_to_wake_up - wake @t if its state is in @state_mask. */
export function try_to_wake_up(t: task_struct, state_mask: number): boolean {
  footprint_write(t); // reads its state, may change it: conflicts with the sleeper's own steps
  if (t.exit_state !== 'running' || t.state === TASK_RUNNING || !(t.state & state_mask)) return false;
  model_task_set(t, 'state', TASK_RUNNING);
  model_task_set(t, 'blocked_on', null);
  awake(t);
  enqueue(t);
  if (trace_enabled()) trace('sched_wakeup', { target_pid: t.pid, target_comm: t.comm });
  return true;
}

/** wake_up_state for a killable sleeper that got SIGKILL. */
export function signal_wake_up(t: task_struct): void {
  if (t.state & TASK_INTERRUPTIBLE || (t.state & TASK_KILLABLE) === TASK_KILLABLE) try_to_wake_up(t, t.state);
}

/**
 * need_resched - is TIF_NEED_RESCHED set on current? The scheduler tick sets
 * it when current has used up its time slice while another task waits for
 * its CPU (check_preempt_tick, kernel/sched/fair.c). Model: the slice is
 * SCHED_SLICE_STEPS steps run without a switch; only tasks of current's CPU
 * wait for it.
 */
export function need_resched(): boolean {
  const t = current;
  if (model_task_sched(t).slice < SCHED_SLICE_STEPS) return false;
  return rq.tasks.some((o) => o !== t && o.cpu === t.cpu && task_is_running(o));
}

/** cond_resched - a voluntary preemption point (CONFIG_PREEMPT_NONE). */
export async function cond_resched(): Promise<void> {
  might_sleep('cond_resched', 'kernel/sched/core.c');
  await model_schedule_point('cond_resched');
}

/**
 * schedule_timeout - sleep until woken or @timeout jiffies pass, in the state
 * already set. Returns the jiffies left (0 if the timeout expired).
 */
export async function schedule_timeout(timeout: number, target: wait_target | null = null): Promise<number> {
  const t = current;
  if (timeout === MAX_SCHEDULE_TIMEOUT) {
    await schedule(target, 'schedule_timeout');
    return MAX_SCHEDULE_TIMEOUT;
  }
  const expire = model_ticks() + Math.max(0, timeout);
  // One timer per task, set up on its first timed sleep: a task sleeps in one schedule_timeout() at a time,
  // and the timer is disarmed before it returns (no timer and closure made per sleep on the hot path).
  const timer = (model_task_sched(t).timeout_timer ??= timer_setup(() => {
    try_to_wake_up(t, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
  }, `process_timeout(${t.comm})`));
  mod_timer(timer, expire);
  model_task_sched(t).timeout = expire;
  await schedule(target ?? timeout_target(timeout), 'schedule_timeout');
  del_timer(timer);
  model_task_sched(t).timeout = -1;
  return Math.max(0, expire - model_ticks());
}

/** What a plain timed sleep waits for, for reports (the model's, frozen: see model_wait_target). */
function timeout_target(timeout: number): wait_target {
  return model_wait_target({ describe: () => `timeout (${timeout} jiffies)`, holder: () => null });
}

/** schedule_timeout_uninterruptible - sleep @timeout jiffies in TASK_UNINTERRUPTIBLE. */
export async function schedule_timeout_uninterruptible(timeout: number): Promise<number> {
  might_sleep('schedule_timeout_uninterruptible', 'kernel/time/timer.c');
  set_current_state(TASK_UNINTERRUPTIBLE);
  return schedule_timeout(timeout);
}

/** schedule_timeout_killable - sleep @timeout jiffies; SIGKILL wakes it early. */
export async function schedule_timeout_killable(timeout: number): Promise<number> {
  might_sleep('schedule_timeout_killable', 'kernel/time/timer.c');
  set_current_state(TASK_KILLABLE);
  return schedule_timeout(timeout);
}

/** schedule_timeout_interruptible - sleep @timeout jiffies in TASK_INTERRUPTIBLE. */
export async function schedule_timeout_interruptible(timeout: number): Promise<number> {
  might_sleep('schedule_timeout_interruptible', 'kernel/time/timer.c');
  set_current_state(TASK_INTERRUPTIBLE);
  return schedule_timeout(timeout);
}

/** msleep - sleep at least @ms milliseconds. */
export async function msleep(ms: number): Promise<void> {
  let left = Math.ceil((ms * 1_000_000) / NSEC_PER_JIFFY) + 1;
  while (left > 0) left = await schedule_timeout_uninterruptible(left);
}

// ---------------------------------------------------------------------------
// The scheduler loop

/** The runnable tasks in run-queue order (the order they were (re)queued in). */
function runnable_tasks(): task_struct[] {
  const out: task_struct[] = [];
  const seq = rq.rq_seq;
  for (const t of rq.tasks) {
    if (!task_is_running(t)) continue;
    // Insertion in place: a handful of tasks, and Array.prototype.sort would copy them on every step.
    const k = seq.get(t) ?? 0;
    let i = out.length;
    out.push(t);
    while (i > 0 && (seq.get(out[i - 1]!) ?? 0) > k) {
      out[i] = out[i - 1]!;
      i--;
    }
    out[i] = t;
  }
  return out;
}

function advance_clock(ns: number): void {
  model_clock_advance_to(ns);
  const now = model_ticks();
  __run_timers(now);
  for (const h of rq.clock_hooks) h(now);
}

/** True if any task the scenario created (not an idle kernel daemon) is still alive. */
function scenario_tasks_alive(): boolean {
  return rq.tasks.some((t) => !model_task_ident(t).daemon && t.exit_state === 'running');
}

/**
 * Nothing can run. Move the clock to the next timer if there is one; else the
 * run is over: completed if the scenario's tasks have all exited, a deadlock
 * otherwise (the hung-task detector gets its two looks first). Returns false
 * when the run is over.
 */
function idle(): boolean {
  // Every CPU is idle: subsystems may act on it (RCU: idle CPUs are quiescent).
  for (const h of rq.idle_hooks) h();
  if (runnable_tasks().length > 0) return true;
  if (!scenario_tasks_alive()) {
    rq.stopped = 'completed';
    return false;
  }
  const next = model_next_timer_expiry();
  if (next >= 0) {
    advance_clock(Math.max(ktime_get_ns(), next * NSEC_PER_JIFFY));
    return true;
  }
  for (const h of rq.idle_forever_hooks) {
    h();
    if (rq.stopped) return false;
  }
  if (!rq.stopped) rq.stopped = 'deadlock';
  return false;
}

/**
 * sched_run - run the tasks until every scenario task has exited, or the run
 * stops (a fatal report, the step limit, or nothing left that can ever run).
 */
export async function sched_run(): Promise<rq_state['stopped']> {
  const max_steps = boot_params().max_steps;
  let prev: task_struct | null = null;
  while (!rq.stopped) {
    const runnable = runnable_tasks();
    if (runnable.length === 0) {
      if (!idle()) break;
      continue;
    }
    const next = choose(prev, runnable);
    if (++rq.step > max_steps) {
      current = next;
      report('step_limit', `no end after ${max_steps} scheduler steps`, [
        `shrinker-lab: the run was stopped after ${max_steps} scheduler steps.`,
        '  Something keeps running without finishing: a retry loop that never gives up, or tasks',
        '  that keep waking each other. Look at the last lines of the trace.',
      ]);
      break;
    }
    if (next !== prev) {
      // A runnable task switched out was preempted (nivcsw); one going to sleep was counted in schedule() (nvcsw).
      if (prev && prev.state === TASK_RUNNING) {
        model_task_add(prev, 'switch_count', 1);
        model_task_add(prev, 'nivcsw', 1);
        model_task_sched(prev).nivcsw++;
      }
      model_task_sched(next).slice = 0;
      if (trace_enabled()) trace('sched_switch', { prev_pid: prev?.pid ?? 0, next_pid: next.pid, next_comm: next.comm });
    }
    model_task_sched(next).slice++;
    current = next;
    rq.running = next;
    const stepped = new Promise<void>(capture_resolve);
    rq.handoff = captured_resolve;
    footprint_step_begin(next);
    const resume = model_task_sched(next).resume!;
    model_task_sched(next).resume = null;
    resume();
    await stepped;
    for (const h of rq.step_hooks) h(next);
    advance_clock(ktime_get_ns() + STEP_NS);
    prev = next;
  }
  current = init_task;
  return rq.stopped;
}

function choose(prev: task_struct | null, runnable: task_struct[]): task_struct {
  const prev_runnable = prev !== null && task_is_running(prev);
  let dflt: task_struct;
  if (prev_runnable && model_task_sched(prev).slice < SCHED_SLICE_STEPS) {
    dflt = prev!;
  } else {
    if (prev_runnable) enqueue(prev!); // slice used up: to the back of the queue
    dflt = runnable.length > 1 && prev_runnable ? (runnable[0] === prev ? runnable[1]! : runnable[0]!) : runnable[0]!;
  }
  if (runnable.length === 1) return dflt;
  return rq.policy.pick({ step: rq.step, prev, prev_runnable, runnable, default_choice: dflt });
}

/** Hooks run when no task is runnable (every CPU idle), before the clock moves. */
export function register_sched_idle_hook(h: () => void): void {
  rq.idle_hooks.push(h);
}

/** Hooks run when nothing can ever run again (the hung-task detector, deadlock report). */
export function register_sched_idle_forever_hook(h: () => void): void {
  rq.idle_forever_hooks.push(h);
}

export { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, TASK_KILLABLE };
