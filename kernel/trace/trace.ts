// Models: kernel/trace/ (ftrace events), v4.11, in spirit: a structured event
// list that the explorer turns into a timeline and the study site draws.
// Recording is off unless boot_params().trace is set, because the explorer
// runs thousands of schedules and only needs the trace of the ones it shows.
import { register_initcall } from '../init/initcall';
import { boot_params } from '../init/params';

export interface trace_event {
  /** Scheduler step at which it happened. */
  step: number;
  ts_ns: number;
  cpu: number;
  pid: number;
  comm: string;
  /** e.g. sched_switch, lock_acquire, lock_contended, lock_release, mm_page_alloc, mm_vmscan_direct_reclaim_begin, mm_shrink_slab_start, rcu_grace_period, workqueue_queue_work, warning. */
  event: string;
  /** Event-specific fields, JSON-serialisable. */
  fields: Record<string, string | number | boolean | null>;
}

let events: trace_event[] = [];
let enabled = false;
let stamp: () => Omit<trace_event, 'event' | 'fields'> = () => ({ step: 0, ts_ns: 0, cpu: 0, pid: 0, comm: '' });

/** Set by the course while it replays a failure to explain it (model_trace_explain). */
let explaining = false;
/**
 * Events an explaining run keeps per boot: a wrong answer may run to the
 * step limit, and its whole trace would not fit the check's memory. The
 * start, where the learner's code was first called, is what explains it.
 */
export const EXPLAIN_MAX_EVENTS = 20_000;
/** Events this boot's explaining run did not record, past EXPLAIN_MAX_EVENTS. */
let explain_dropped = 0;
let observer: ((event: trace_event | null) => void) | null = null;

register_initcall('core', 'trace', () => {
  events = [];
  explain_dropped = 0;
  enabled = boot_params().trace || explaining;
  observer?.(null);
});

/**
 * model_trace_explain - record every boot's events while @on, whatever its
 * boot parameters say, and hand each to @watch as it happens (null marks a
 * new boot). The course turns this on for one re-run of a failing workload,
 * to show the learner the trace around their code (course/explain.ts).
 */
/**
 * model_trace_observe - hand each recorded event to @watch as it happens (null
 * marks a new boot), without changing what is recorded: a replay that is
 * traced anyway (explorer/replay.ts) watches where the judged code ran.
 */
export function model_trace_observe(watch: ((event: trace_event | null) => void) | null): void {
  observer = watch;
}

/** model_trace_explaining - is an explaining run in progress (model_trace_explain)? */
export function model_trace_explaining(): boolean {
  return explaining;
}

/**
 * Scheduler steps an explaining run may take per boot: the learner's code is
 * placed in the first few thousand, and a wrong answer that runs to the step
 * limit would, traced, not fit the check's memory.
 */
export const EXPLAIN_MAX_STEPS = 8_000;

export function model_trace_explain(on: boolean, watch: ((event: trace_event | null) => void) | null): void {
  explaining = on;
  observer = on ? watch : null;
}

/** The scheduler tells the tracer how to stamp events (step, time, task). */
export function model_trace_set_stamp(fn: typeof stamp): void {
  stamp = fn;
}

/** Is tracing on? Check before building expensive fields. */
export function trace_enabled(): boolean {
  return enabled;
}

/** trace_event - record @event with @fields for the running task. */
export function trace(event: string, fields: trace_event['fields'] = {}): void {
  if (!enabled) return;
  if (explaining && events.length >= EXPLAIN_MAX_EVENTS) {
    explain_dropped++;
    return;
  }
  const e = { ...stamp(), event, fields };
  events.push(e);
  observer?.(e);
}

/** model_trace_explain_dropped - events the latest boot's explaining run left out, its trace being full. */
export function model_trace_explain_dropped(): number {
  return explain_dropped;
}

export function trace_events(): readonly trace_event[] {
  return events;
}
