// Models: init/main.c (start_kernel), v4.11: boot a fresh machine, run a
// scenario on it, and return what happened.
//
// Every subsystem is imported here, in one fixed place, so that every boot
// registers the same initcalls whatever the scenario itself imports.
import '../time/timekeeping';
import '../time/timer';
import '../printk/printk';
import '../trace/trace';
import '../panic';
import '../sched/core';
import '../hung_task';
import '../locking/debug_locks';
import '../locking/static_locks';
import '../locking/lockdep';
import '../locking/mutex';
import '../locking/spinlock';
import '../locking/rwsem';
import '../mm/vmstat';
import '../mm/zone';
import '../mm/swapfile';
import '../mm/swap';
import '../mm/page_writeback';
import '../mm/mmap';
import '../mm/vmscan_lru';
import '../mm/vmscan';
import '../mm/kswapd';
import '../mm/oom_kill';
import '../mm/page_alloc';
import '../mm/slab';
import '../mm/filemap';
import '../mm/shmem';
import '../rcu/rcupdate';
import '../rcu/tree';
import '../rcu/tree_exp';
import '../rcu/update';
import '../workqueue_internal';
import '../workqueue';
import { do_initcalls } from './initcall';
import { default_boot_params, model_set_boot_params, type boot_params } from './params';
import { dmesg } from '../printk/printk';
import { kernel_reports, type kernel_report } from '../panic';
import { sched_run, sched_set_policy, sched_steps, type sched_policy } from '../sched/core';
import { ktime_get_ns } from '../time/timekeeping';
import { EXPLAIN_MAX_STEPS, model_trace_explaining, trace_events, type trace_event } from '../trace/trace';

export interface run_result {
  /** Why the run ended: 'completed', or the kind of the report that stopped it. */
  stop: string;
  /** Every report (WARN, BUG, lockdep, hung task, deadlock, OOM, KASAN...), in order. */
  reports: readonly kernel_report[];
  /** The kernel log, as dmesg prints it. */
  dmesg: string[];
  /** Structured events (only when booted with trace: true). */
  trace: readonly trace_event[];
  /** Scheduler steps taken. */
  steps: number;
  /** Virtual time at the end. */
  ts_ns: number;
}

let running = false;

/**
 * start_kernel - boot a fresh machine with @params, call @setup to create the
 * scenario's tasks (kthread_run, user_task, register_shrinker...), then run
 * the scheduler until the scenario's tasks are done or the run stops.
 * Only one run may be in progress at a time in one JavaScript realm.
 */
export async function start_kernel(params: Partial<boot_params>, setup: () => void, policy?: sched_policy): Promise<run_result> {
  if (running) throw new Error('start_kernel: a run is already in progress in this process; await it first.');
  running = true;
  try {
    // An explaining re-run (course/explain.ts) stops early: only its start is shown.
    model_set_boot_params(model_trace_explaining() ? { ...params, max_steps: Math.min(params.max_steps ?? default_boot_params.max_steps, EXPLAIN_MAX_STEPS) } : params);
    do_initcalls();
    if (policy) sched_set_policy(policy);
    setup();
    const stop = await sched_run();
    return {
      stop: stop ?? 'completed',
      reports: kernel_reports(),
      dmesg: dmesg(),
      trace: trace_events(),
      steps: sched_steps(),
      ts_ns: ktime_get_ns(),
    };
  } finally {
    running = false;
  }
}
