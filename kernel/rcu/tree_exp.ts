// Models: kernel/rcu/tree_exp.h (synchronize_sched_expedited ->
// _synchronize_rcu_expedited, exp_funnel_lock, wait_rcu_exp_gp,
// rcu_exp_sel_wait_wake, sync_sched_exp_handler, rcu_exp_wait_wake), v4.11.
//
// An expedited grace period does not wait for CPUs to pass quiescent states
// on their own: it asks every CPU (by IPI) for one at once. Since v4.9 the
// work is *driven by a work item on system_wq* ("events"): the caller takes
// rsp->exp_mutex, queues wait_rcu_exp_gp with schedule_work() and sleeps in
// wait_event() until the work item has finished the GP and woken it.
//
// That design is the v4.10 i915 hang (lessons/sources.md §8, §9). If every
// "events" worker of the caller's CPU is blocked (the i915 free worker on
// struct_mutex, held by the very caller) and no new worker can be created
// (creating one allocates memory, and memory is what the caller is trying to
// reclaim), the work item never runs and the caller sleeps forever. And
// lockdep says nothing: the caller waits for a wakeup, not through
// flush_work() or a lock, so no dependency is recorded (Andrea, AA-0430: RCU
// "waits a wakeup from the workqueue instead"). The fix on the RCU side came
// later (≈v4.17, ad7c946b35ad): a WQ_MEM_RECLAIM "rcu_gp" workqueue.
//
// Model choices: the IPI is immediate, so a CPU with no task inside a reader
// reports its QS the moment the work item runs; a CPU with a reader reports
// when the reader ends (the next step of that CPU without readers). No
// expedited-stall warnings, no rcu_normal/rcu_expedited boot parameters, one
// rcu_node, no exp_wake_mutex.
import { footprint_opaque } from '../footprint';
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';
import { __mutex_owner, mutex_init, mutex_lock, mutex_unlock, type mutex } from '../locking/mutex';
import { model_task_context, for_each_process, might_sleep, register_sched_idle_hook, register_sched_step_hook } from '../sched/core';
import type { task_struct } from '../sched/task';
import { init_waitqueue_head, wait_event, wake_up, type wait_queue_head } from '../sched/wait';
import { trace, trace_enabled } from '../trace/trace';
import { model_work_expected_runner, INIT_WORK, schedule_work, type work_struct } from '../workqueue';
import { model_rcu_readers_on } from './rcupdate';
import { rcu_blocking_is_gp } from './tree';

const RCU_NAME = 'rcu_sched';

interface rcu_exp_state {
  /** rsp->expedited_sequence: odd while an expedited GP runs. */
  seq: number;
  /** rnp->exp_seq_rq: the highest sequence someone is already working towards. */
  seq_rq: number;
  /** rnp->exp_wq[4]: callers sleep on the one for their sequence. */
  exp_wq: wait_queue_head[];
  /** rsp->expedited_wq: the work item waits here for the last CPU. */
  expedited_wq: wait_queue_head;
  /** Per CPU: still owes a QS to the expedited GP in progress. */
  pending: boolean[];
  left: number;
  /** rsp->exp_mutex: one expedited GP at a time. */
  mutex: mutex;
}

let exp: rcu_exp_state = fresh_state(1);

function fresh_state(nr_cpus: number): rcu_exp_state {
  return {
    seq: 0,
    seq_rq: 0,
    exp_wq: [0, 1, 2, 3].map((i) => init_waitqueue_head(`rcu_sched->exp_wq[${i}]`)),
    expedited_wq: init_waitqueue_head('rcu_sched->expedited_wq'),
    pending: new Array<boolean>(nr_cpus).fill(false),
    left: 0,
    mutex: mutex_init('&rsp->exp_mutex'),
  };
}

register_initcall('core', 'rcu_tree_exp', () => {
  exp = fresh_state(boot_params().nr_cpus);
});

register_initcall('subsys', 'rcu_tree_exp_hooks', () => {
  register_sched_step_hook((prev) => {
    if (exp.left === 0) return;
    footprint_opaque(); // an expedited grace period in progress
    if (model_rcu_readers_on(prev.cpu) === 0) rcu_report_exp_cpu(prev.cpu);
  });
  register_sched_idle_hook(() => {
    if (exp.left === 0) return;
    footprint_opaque();
    for (let cpu = 0; cpu < exp.pending.length; cpu++) if (model_rcu_readers_on(cpu) === 0) rcu_report_exp_cpu(cpu);
  });
});

/** rcu_exp_batches_completed - the expedited sequence number (twice the number of expedited GPs). */
export function rcu_exp_batches_completed(): number {
  return exp.seq;
}

/** rcu_exp_gp_seq_snap - the sequence value that means "a full expedited GP after now has ended". */
function rcu_exp_gp_seq_snap(): number {
  return (exp.seq + 3) & ~1;
}

function rcu_exp_seq_done(s: number): boolean {
  return exp.seq >= s;
}

function exp_wq_for(s: number): wait_queue_head {
  return exp.exp_wq[(s >> 1) & 0x3]!;
}

/**
 * synchronize_rcu_expedited - wait for a grace period, brute force: request a
 * quiescent state from every CPU at once. The request is carried out by a
 * work item on system_wq, which needs an "events" kworker to run; the caller
 * sleeps in wait_event() until that work item wakes it.
 */
export async function synchronize_rcu_expedited(): Promise<void> {
  might_sleep('synchronize_rcu_expedited', 'kernel/rcu/tree_exp.h');
  model_task_context('synchronize_rcu_expedited');
  if (rcu_blocking_is_gp()) return;

  const s = rcu_exp_gp_seq_snap();
  if (await exp_funnel_lock(s)) return; // someone else did our work for us

  // Marshall the arguments (struct rcu_exp_work on the caller's stack) and
  // schedule the expedited grace period on system_wq.
  const rew_work = INIT_WORK({} as work_struct, async () => rcu_exp_sel_wait_wake(s), 'wait_rcu_exp_gp', {
    lockdep_name: '(&rew.rew_work)',
  });
  schedule_work(rew_work);

  // Wait for the work item to finish the GP. A wakeup, not a flush: lockdep
  // records nothing here.
  await wait_event(exp_wq_for(s), () => rcu_exp_seq_done(s), () => model_work_expected_runner(rew_work), () => exp_wait_words(s, rew_work));

  // Let the next expedited grace period start.
  mutex_unlock(exp.mutex);
}

/**
 * exp_funnel_lock - return true if a concurrent caller's expedited GP will do
 * (then wait for it); else take exp_mutex and return false.
 */
async function exp_funnel_lock(s: number): Promise<boolean> {
  if (rcu_exp_seq_done(s)) return true;
  if (exp.seq_rq >= s) {
    // Someone else is driving a GP that covers us: wait for them.
    if (trace_enabled()) trace('rcu_exp_funnel_lock', { rcuname: RCU_NAME, gpseq: s, gpevent: 'wait' });
    await wait_event(exp_wq_for(s), () => rcu_exp_seq_done(s), () => __mutex_owner(exp.mutex), () => `${exp_wait_words(s, null)}; another task's synchronize_rcu_expedited() drives it`);
    return true;
  }
  exp.seq_rq = s; // followers can wait on us
  await mutex_lock(exp.mutex, 'exp_funnel_lock');
  if (rcu_exp_seq_done(s)) {
    mutex_unlock(exp.mutex);
    return true;
  }
  if (trace_enabled()) trace('rcu_exp_grace_period', { rcuname: RCU_NAME, gpseq: s, gpevent: 'snap' });
  return false;
}

/**
 * rcu_exp_sel_wait_wake - the body of the wait_rcu_exp_gp work item: start
 * the expedited GP, ask every CPU for a QS, wait for the last one, end the GP
 * and wake the callers.
 */
async function rcu_exp_sel_wait_wake(s: number): Promise<void> {
  exp.seq++; // rcu_exp_gp_seq_start: odd
  if (trace_enabled()) trace('rcu_exp_grace_period', { rcuname: RCU_NAME, gpseq: exp.seq, gpevent: 'start' });
  // sync_rcu_exp_select_cpus + sync_sched_exp_handler: a CPU that is not
  // inside a reader reports at once; the others report when their reader ends.
  exp.left = 0;
  for (let cpu = 0; cpu < exp.pending.length; cpu++) {
    const owes = model_rcu_readers_on(cpu) > 0;
    exp.pending[cpu] = owes;
    if (owes) exp.left++;
  }
  if (exp.left > 0) {
    await wait_event(exp.expedited_wq, () => exp.left === 0, exp_reader_holding_up, () => `the last CPUs to pass a quiescent state for expedited RCU-sched grace period #${(s >> 1)}: ${owing_words()}`);
  }
  exp.seq++; // rcu_exp_gp_seq_end: even again
  if (trace_enabled()) trace('rcu_exp_grace_period', { rcuname: RCU_NAME, gpseq: exp.seq, gpevent: 'end' });
  wake_up(exp_wq_for(s)); // rcu_exp_wait_wake
}

/** rcu_report_exp_cpu - @cpu passed the QS the expedited GP asked for. */
function rcu_report_exp_cpu(cpu: number): void {
  if (!exp.pending[cpu]) return;
  exp.pending[cpu] = false;
  if (--exp.left === 0) wake_up(exp.expedited_wq);
}

/** The expedited grace period's state, for the playground's RCU view. */
export interface rcu_exp_view {
  /** Expedited grace periods completed (rsp->expedited_sequence / 2). */
  completed: number;
  in_progress: boolean;
  /** Someone asked for one that has not started yet (its work item is queued or not yet run). */
  requested: boolean;
  /** While one runs: the CPUs that have not yet passed a quiescent state, with the tasks inside rcu_read_lock() on them. */
  cpus_owing: { cpu: number; readers: string[] }[];
}

/** model_rcu_exp_view - the expedited grace period's state now. */
export function model_rcu_exp_view(): rcu_exp_view {
  return { completed: exp.seq >> 1, in_progress: (exp.seq & 1) === 1, requested: exp.seq_rq > exp.seq + ((exp.seq & 1) === 1 ? 1 : 0), cpus_owing: owing() };
}

function owing(): { cpu: number; readers: string[] }[] {
  const out: { cpu: number; readers: string[] }[] = [];
  for (let cpu = 0; cpu < exp.pending.length; cpu++) {
    if (!exp.pending[cpu]) continue;
    out.push({ cpu, readers: for_each_process().filter((t) => t.cpu === cpu && t.rcu_read_lock_nesting > 0).map((t) => `${t.comm}:${t.pid}`) });
  }
  return out;
}

function owing_words(): string {
  const o = owing();
  if (o.length === 0) return 'every CPU has passed one; the work item ends the grace period when it next runs';
  return o.map((c) => `CPU ${c.cpu}${c.readers.length ? ` (inside rcu_read_lock(): ${c.readers.join(', ')})` : ''}`).join(', ') + ' not yet';
}

/**
 * exp_wait_words - what a caller of synchronize_rcu_expedited() waiting for
 * sequence @s waits for, in words: an expedited RCU-sched grace period, and
 * where it stands (its wait_rcu_exp_gp work item not yet run on system_wq,
 * or running and waiting for CPUs that have not passed a quiescent state).
 */
function exp_wait_words(s: number, work: work_struct | null): string {
  const gp = `an expedited RCU-sched grace period (#${s >> 1}, synchronize_rcu_expedited)`;
  if ((exp.seq & 1) === 1 && exp.seq + 1 >= s) return `${gp}, in progress: waiting for ${owing_words()}`;
  if (!work) return `${gp}, not started yet`;
  const runner = model_work_expected_runner(work);
  return `${gp}, not started yet: its work item wait_rcu_exp_gp is queued on system_wq ("events") and runs only when an events kworker picks it up` +
    (runner ? ` (${runner.comm}:${runner.pid} must run it, or finish what it runs first)` : ' (no kworker is there to run it)');
}

/** For reports: a task inside a reader on a CPU the expedited GP still waits for. */
function exp_reader_holding_up(): task_struct | null {
  for (const t of for_each_process()) if (t.rcu_read_lock_nesting > 0 && exp.pending[t.cpu]) return t;
  return null;
}
