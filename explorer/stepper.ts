// The stepper: "you are the scheduler". A learner picks, at each decision
// point (a step where two or more tasks are runnable, kernel/sched/core.ts),
// which task runs next. The model cannot pause a run half-way, and need not:
// it is deterministic, so the state at decision #N under a list of picks is
// the state of a fresh boot replayed with those picks (undo is the same
// replay with one pick fewer). step_to() replays the picks, takes a snapshot
// of the machine at decision #N (tasks, what each sleeps on, locks, the zone,
// workqueue pools, RCU), and lets the run go on under the kernel's default
// policy to its end, so the same call also answers "run on from here".
// The picks become a schedule string (departures from the default only):
// the same string `shrinker-lab replay` and the checks print.
import type { report_kind } from '../kernel/panic';
import { log_records } from '../kernel/printk/printk';
import { atomic_long_read } from '../kernel/lib/atomic';
import { __mutex_owner, model_watch_mutexes, MUTEX_FLAG_HANDOFF, MUTEX_FLAG_PICKUP, MUTEX_FLAG_WAITERS, type mutex } from '../kernel/locking/mutex';
import { for_each_process, type sched_decision } from '../kernel/sched/core';
import { task_is_running, type task_struct } from '../kernel/sched/task';
import { high_wmark_pages, low_wmark_pages, min_wmark_pages, zone } from '../kernel/mm/zone';
import { model_pool_workers } from '../kernel/workqueue';
import { model_worker_of } from '../kernel/workqueue_internal';
import { rcu_batches_completed, rcu_batches_started, rcu_gp_in_progress, rcu_pending_callbacks } from '../kernel/rcu/tree';
import type { run_failure } from './failures';
import { build_timeline, render_timeline, type timeline_entry } from './render';
import { run_scenario, schedule_mismatch_error } from './run';
import { ALL_FAILURE_KINDS, type scenario } from './scenario';
import { format_schedule, type deviation } from './schedule';

/** One task's lane at a decision point. */
export interface lane {
  pid: number;
  comm: string;
  cpu: number;
  /** 'runnable' (may be picked now), 'sleeping', or 'exited'/'killed'/'oops'. */
  state: 'runnable' | 'sleeping' | 'exited' | 'killed' | 'oops';
  /** Where it is: the model call it is parked in, and the top frames when the engine recorded them (file:line). */
  where: string;
  /** Why it cannot run (sleeping): what it waits on and who must act, e.g. "mutex &dev->struct_mutex, held by i915_ioctl:1". */
  blocked: string | null;
  /** The task that must act for it to go on, when known (for the wait-for cycle). */
  waits_for: number | null;
  /** Locks it holds (lockdep's record, innermost last). */
  holds: string[];
  /** PF_MEMALLOC etc. set: in reclaim. */
  in_reclaim: boolean;
}

/** A lock someone holds or waits for. */
export interface lock_view {
  name: string;
  holder: string | null;
  waiters: string[];
  /** A mutex's owner word as it is in memory (task_struct address | MUTEX_FLAG_* bits), in hex; null for other locks. */
  owner_word: string | null;
  /** The flag bits set in the owner word: WAITERS, HANDOFF, PICKUP. */
  flags: string[];
}

/** The machine at a decision point. */
export interface machine_view {
  /** The decision's index in the run (0-based), as schedule strings count them. */
  at: number;
  /** The scheduler step about to be taken. */
  step: number;
  runnable: { pid: number; comm: string }[];
  /** The kernel's own choice here. */
  default_pid: number;
  /** The task that ran last, and whether it could go on (picking another is then a preemption). */
  prev: { pid: number; comm: string; runnable: boolean } | null;
  lanes: lane[];
  locks: lock_view[];
  /** A wait-for cycle among the lanes (pids), or null. */
  cycle: number[] | null;
  zone: { free: number; min: number; low: number; high: number; managed: number };
  pools: { name: string; workers: { comm: string; running: string | null }[] }[];
  rcu: { started: number; completed: number; in_progress: boolean; pending_callbacks: number };
  /** Kernel log lines printed so far. */
  dmesg_lines: number;
}

/** What a step produced: the state at the decision (null when the run ended before it) and the whole run on from there. */
export interface step_result {
  view: machine_view | null;
  /** The machine when the run ended (no runnable list): a deadlock's cycle shows here. */
  end_view: machine_view;
  /** Decisions the run made in all. */
  decisions: number;
  /** The departures taken: the schedule string's body. */
  departures: deviation[];
  /** The schedule string of the departures (the run on after them uses the default). */
  schedule_string: string;
  stop: string;
  failures: run_failure[];
  dmesg: string;
  /** Kernel log plus the explorer's departure notes: what `shrinker-lab replay --log-only` prints. */
  log: string;
  timeline: timeline_entry[];
}

function who(t: task_struct): string {
  return `${t.comm}:${t.pid}`;
}

function lane_of(t: task_struct, runnable: ReadonlySet<task_struct>): lane {
  const state: lane['state'] = t.exit_state !== 'running' ? t.exit_state : runnable.has(t) || task_is_running(t) ? 'runnable' : 'sleeping';
  const frames = t.model_sleep_trace.slice(0, 3).map((f) => `${f.fn} (${f.file}:${f.line})`);
  const where = state === 'runnable' || state === 'sleeping' ? [t.model_parked_in || '(not started)', ...frames].join(' ← ') : state;
  let blocked: string | null = null;
  let waits_for: number | null = null;
  if (state === 'sleeping' && t.blocked_on) {
    const h = t.blocked_on.holder();
    blocked = `${t.blocked_on.describe()}${h ? `, held by ${who(h)}` : ''}`;
    waits_for = h ? h.pid : null;
  } else if (state === 'sleeping') {
    blocked = t.model_timeout >= 0 ? 'a timer (schedule_timeout)' : 'idle: nothing to do';
  }
  return {
    pid: t.pid,
    comm: t.comm,
    cpu: t.cpu,
    state,
    where,
    blocked,
    waits_for,
    holds: t.held_locks.map((h) => h.class_name),
    in_reclaim: t.reclaim_state !== null,
  };
}

/** wait_cycle - the first cycle in the lanes' wait-for graph (pids in order), or null. */
export function wait_cycle(lanes: readonly lane[]): number[] | null {
  const next = new Map(lanes.filter((l) => l.waits_for !== null).map((l) => [l.pid, l.waits_for!]));
  for (const start of next.keys()) {
    const path: number[] = [];
    let p: number | undefined = start;
    while (p !== undefined && !path.includes(p)) {
      path.push(p);
      p = next.get(p);
    }
    if (p !== undefined) return path.slice(path.indexOf(p));
  }
  return null;
}

function mutex_view(m: mutex): lock_view {
  const word = atomic_long_read(m.owner);
  const owner = __mutex_owner(m);
  const flags = (
    [
      [MUTEX_FLAG_WAITERS, 'WAITERS'],
      [MUTEX_FLAG_HANDOFF, 'HANDOFF'],
      [MUTEX_FLAG_PICKUP, 'PICKUP'],
    ] as const
  ).filter(([bit]) => (word & bit) !== 0).map(([, name]) => name);
  return { name: m.name, holder: owner ? who(owner) : null, waiters: m.wait_list.map(who), owner_word: `0x${word.toString(16).padStart(8, '0')}`, flags };
}

function snapshot(d: sched_decision | null, at: number, dmesg_lines: number, mutexes: readonly mutex[]): machine_view {
  const runnable = new Set(d ? d.runnable : []);
  const lanes = for_each_process()
    .filter((t) => t.pid !== 0 && (!t.daemon || runnable.has(t) || t.blocked_on !== null || t.held_locks.length > 0))
    .map((t) => lane_of(t, runnable));
  // Mutexes made in this run, read from their owner words (taken or waited for at least once); then other locks lockdep records as held.
  const locks = new Map<string, lock_view>();
  for (const m of mutexes) if (atomic_long_read(m.owner) !== 0 || m.wait_list.length > 0) locks.set(m.name, mutex_view(m));
  for (const t of for_each_process()) {
    for (const h of t.held_locks) {
      if (!locks.has(h.class_name)) locks.set(h.class_name, { name: h.class_name, holder: who(t), waiters: [], owner_word: null, flags: [] });
    }
  }
  const pools: machine_view['pools'] = [];
  const cpus = Math.max(1, ...for_each_process().map((t) => t.cpu + 1));
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (const highpri of [false, true]) {
      const workers = model_pool_workers(cpu, highpri);
      if (workers.length === 0) continue;
      pools.push({
        name: `cpu${cpu}${highpri ? ' highpri' : ''}`,
        workers: workers.map((w) => ({ comm: who(w), running: model_worker_of(w)?.current_work?.name ?? null })),
      });
    }
  }
  return {
    at,
    step: d ? d.step : -1,
    runnable: d ? d.runnable.map((t) => ({ pid: t.pid, comm: t.comm })) : [],
    default_pid: d ? d.default_choice.pid : -1,
    prev: d?.prev ? { pid: d.prev.pid, comm: d.prev.comm, runnable: d.prev_runnable } : null,
    lanes,
    locks: [...locks.values()],
    cycle: wait_cycle(lanes),
    zone: { free: zone.free_pages, min: min_wmark_pages(zone), low: low_wmark_pages(zone), high: high_wmark_pages(zone), managed: zone.managed_pages },
    pools,
    rcu: { started: rcu_batches_started(), completed: rcu_batches_completed(), in_progress: rcu_gp_in_progress(), pending_callbacks: rcu_pending_callbacks() },
    dmesg_lines,
  };
}

/**
 * step_to - replay @sc from boot with @departures (at decision #at run pid;
 * every other decision takes the kernel's default), snapshot the machine at
 * decision #@stop_at, then run on to the end. A departure to a task that is
 * not runnable at its decision is refused. @fail_on: the report kinds that count.
 */
export async function step_to(sc: scenario, departures: readonly deviation[], stop_at: number, fail_on: readonly report_kind[] = ALL_FAILURE_KINDS): Promise<step_result> {
  let view: machine_view | null = null;
  const by_at = new Map(departures.map((d) => [d.at, d.pid]));
  const chooser = (d: sched_decision, at: number): task_struct => {
    if (at === stop_at) view = snapshot(d, at, log_records().length, made);
    const pid = by_at.get(at);
    if (pid === undefined) return d.default_choice;
    const t = d.runnable.find((x) => x.pid === pid);
    if (!t) throw new schedule_mismatch_error(`decision #${at}: pid ${pid} is not runnable there (runnable: ${d.runnable.map(who).join(', ')})`);
    return t;
  };
  let end_view: machine_view | null = null;
  let decisions = 0;
  const counting = (d: sched_decision, at: number): task_struct => {
    decisions = at + 1;
    return chooser(d, at);
  };
  // The end state is read in check(), which the run calls right after the machine stops (before any other boot).
  const made: mutex[] = [];
  const watched: scenario = {
    ...sc,
    setup() {
      model_watch_mutexes((m) => made.push(m));
      sc.setup();
    },
    check: (res) => {
      model_watch_mutexes(null);
      end_view = snapshot(null, decisions, log_records().length, made);
      return sc.check ? sc.check(res) : null;
    },
  };
  let out;
  try {
    out = await run_scenario(watched, { schedule: [], strict: false, record_from: -1, chooser: counting, trace: true, fail_on: new Set(fail_on) });
  } finally {
    model_watch_mutexes(null);
  }
  const timeline = build_timeline(out.result, out.printk_notes, out.notes);
  const taken = out.taken.filter((d) => by_at.has(d.at));
  return {
    view,
    end_view: end_view!,
    decisions: out.decisions,
    departures: taken,
    schedule_string: format_schedule(sc.id, taken),
    stop: out.result.stop,
    failures: out.failures,
    dmesg: out.result.dmesg.join('\n'),
    log: render_timeline(timeline, { log_only: true }),
    timeline,
  };
}
