// Models: kernel/workqueue_internal.h (struct worker, current_wq_worker) and
// the private structures of kernel/workqueue.c (struct worker_pool, struct
// pool_workqueue, WORKER_* flags), v4.11.
//
// How the pieces fit (see workqueue.ts for the behaviour):
//   workqueue_struct --one pool_workqueue per CPU (or one, if unbound)--> worker_pool
//   worker_pool: a worklist shared by all workqueues of that CPU and priority,
//                and the kworkers that run it.
//   worker: one kworker (or a rescuer) and what it is running now.
// Left out: NUMA nodes, pool attrs beyond "highpri", CPU hotplug (REBOUND),
// idle-worker reaping, the workqueue watchdog.
import { register_initcall } from './init/initcall';
import { current, in_task } from './sched/core';
import { PF_WQ_WORKER, type task_struct } from './sched/task';
import type { timer_list } from './time/timer';
import type { work_func_t, work_struct, wq_impl } from './workqueue';

// Worker flags (v4.11 values).
export const WORKER_DIE = 1 << 1;
export const WORKER_IDLE = 1 << 2;
export const WORKER_PREP = 1 << 3;
export const WORKER_CPU_INTENSIVE = 1 << 6;
export const WORKER_UNBOUND = 1 << 7;
export const WORKER_REBOUND = 1 << 8;
/** A worker with any of these does not count in the pool's nr_running. */
export const WORKER_NOT_RUNNING = WORKER_PREP | WORKER_CPU_INTENSIVE | WORKER_UNBOUND | WORKER_REBOUND;

/** struct worker - a kworker, or a workqueue's rescuer. */
export interface worker {
  task: task_struct;
  /** The pool it serves (a rescuer: the pool it is rescuing right now, else null). */
  pool: worker_pool | null;
  /** Its number in the pool: the N in kworker/<cpu>:N. */
  id: number;
  /** WORKER_* flags. */
  flags: number;
  /** The work item being run, and its function and pwq (they outlive the item). */
  current_work: work_struct | null;
  current_func: work_func_t | null;
  current_pwq: pool_workqueue | null;
  /** Items this worker must run next (linked flush barriers, collisions, rescued items). */
  scheduled: work_struct[];
  /** For a rescuer: the workqueue it rescues. */
  rescue_wq: wq_impl | null;
  /** jiffies when it last went idle. */
  last_active: number;
  /** kthread_stop() was called (rescuers of destroyed workqueues). */
  should_stop: boolean;
}

/** struct worker_pool - the workers of one CPU and priority (or an unbound pool). */
export interface worker_pool {
  /** Pool id: 2*cpu (normal) and 2*cpu+1 (highpri), then unbound pools. */
  id: number;
  /** The CPU it serves, or -1 for an unbound pool. */
  cpu: number;
  /** Runs at nice -20: its kworkers are named with an "H". */
  highpri: boolean;
  /** Pending items, in order. */
  worklist: work_struct[];
  /** Every kworker of the pool (not rescuers). */
  workers: worker[];
  /** Idle kworkers, most recently idle first (first_idle_worker takes the head). */
  idle_list: worker[];
  nr_workers: number;
  nr_idle: number;
  /** The worker holding manager_arb (creating workers), or null. */
  manager: worker | null;
  /** The manager is inside maybe_create_worker(). */
  creating: boolean;
  /** Fires when worker creation takes too long: summons rescuers. */
  mayday_timer: timer_list;
  /** Next kworker id (ida): ids of failed creations are reused. */
  next_id: number;
  /** busy_hash: work item -> the worker running it. */
  busy: Map<work_struct, worker>;
  /** The first worker exists (workers are created on first use, see workqueue.ts). */
  booted: boolean;
}

/** struct pool_workqueue - a workqueue's link to one pool. */
export interface pool_workqueue {
  wq: wq_impl;
  pool: worker_pool;
  /** Items on the pool's worklist or running, at most max_active. */
  nr_active: number;
  max_active: number;
  /** Items over max_active wait here. */
  delayed_works: work_struct[];
  /** On wq.maydays, waiting for the rescuer. */
  on_mayday: boolean;
}

/** kthread_data(): the worker behind each kworker/rescuer task of this boot. */
let worker_of = new Map<task_struct, worker>();

register_initcall('core', 'workqueue_internal', () => {
  worker_of = new Map();
});

/** Remember that @w runs as @w.task. */
export function model_set_worker_of(w: worker): void {
  worker_of.set(w.task, w);
}

/** The worker behind @t, if @t is a kworker or rescuer. */
export function model_worker_of(t: task_struct): worker | undefined {
  return worker_of.get(t);
}

/** current_wq_worker - the worker current is, or null if current is not a workqueue worker. */
export function current_wq_worker(): worker | null {
  if (!in_task() || (current.flags & PF_WQ_WORKER) === 0) return null;
  return worker_of.get(current) ?? null;
}
