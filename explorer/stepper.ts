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
import { for_each_process, model_task_sched, type sched_decision } from '../kernel/sched/core';
import { task_is_running, type task_struct } from '../kernel/sched/task';
import { high_wmark_pages, low_wmark_pages, min_wmark_pages, zone } from '../kernel/mm/zone';
import { model_pool_workers } from '../kernel/workqueue';
import { model_worker_of } from '../kernel/workqueue_internal';
import { model_rcu_qs_owed, rcu_batches_completed, rcu_batches_started, rcu_gp_in_progress, rcu_pending_callbacks } from '../kernel/rcu/tree';
import { model_rcu_exp_view, type rcu_exp_view } from '../kernel/rcu/tree_exp';
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
  /** Where it is, as one line: the model call it is parked in, then its call chain (`frames`), innermost first. */
  where: string;
  /**
   * The call chain it sleeps in, innermost first: the model's frames and the
   * exercise code's (kernel/lib/dump_stack.ts keeps only those), at most
   * LANE_FRAMES; empty when the engine recorded none (a runnable task, a
   * run without the trace).
   */
  frames: lane_frame[];
  /** Frames of the chain left out past LANE_FRAMES (the outermost ones). */
  frames_left_out: number;
  /** Why it cannot run (sleeping): what it waits on and who must act, e.g. "mutex &dev->struct_mutex, held by i915_ioctl:1". */
  blocked: string | null;
  /** The task that must act for it to go on, when known (for the wait-for cycle). */
  waits_for: number | null;
  /** Locks it holds (lockdep's record, innermost last). */
  holds: string[];
  /** PF_MEMALLOC etc. set: in reclaim. */
  in_reclaim: boolean;
}

/** One frame of a lane's call chain. */
export interface lane_frame {
  fn: string;
  /** Tree-relative file, e.g. "kernel/locking/mutex.ts" or "exercises/03-…/i915_gem_shrinker_lock.ts". */
  file: string;
  line: number;
  /** A line of the exercise's code (exercises/ or solutions/: the starter, the learner's file or the reference), not the model's. */
  exercise_code: boolean;
}

/**
 * Frames a lane shows at most: the whole chain from the sleep down through
 * reclaim to the allocation that entered it (15 frames for an ioctl's direct
 * reclaim stuck in a shrinker's mutex_lock), the kernel's own Call Trace length
 * for such a stack. Deeper chains say how many frames are left out.
 */
export const LANE_FRAMES = 16;

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
  rcu: {
    started: number;
    completed: number;
    in_progress: boolean;
    pending_callbacks: number;
    /** While a normal grace period runs: the CPUs that have not yet passed a quiescent state. */
    cpus_owing: number[];
    /** The expedited grace periods (synchronize_rcu_expedited: driven by a work item on system_wq). */
    expedited: rcu_exp_view;
  };
  /** Kernel log lines printed so far. */
  dmesg_lines: number;
}

/** What a task was doing at one decision of the run: picked to run, runnable but not picked, asleep, or gone (exited, killed). */
export type timeline_mark = 'ran' | 'ready' | 'asleep' | 'gone';

/** One task across the run: its mark at each decision, and each lock it held as a bar of decisions. */
export interface timeline_lane {
  pid: number;
  comm: string;
  /** Index = decision #; null before the task existed. */
  marks: (timeline_mark | null)[];
  /** When the run ended: asleep (a deadlock, a hang) or gone. */
  at_end: 'asleep' | 'gone';
  /** A lock held from decision #from to #to (null: still held when the run ended; from = decisions: taken after the last one). */
  holds: { lock: string; from: number; to: number | null }[];
}

/** The run as lanes per task (the playground's timeline view), over its first TIMELINE_DECISIONS decisions. */
export interface run_lanes {
  /** Decisions drawn (at most TIMELINE_DECISIONS). */
  decisions: number;
  /** The run made more decisions than are drawn. */
  truncated: boolean;
  lanes: timeline_lane[];
}

/** Decisions the timeline lanes keep at most: a long run is drawn up to here and says so (its trace is paged in full). */
export const TIMELINE_DECISIONS = 400;

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
  /** Each task at each decision, locks held as bars: the timeline lanes. */
  lanes: run_lanes;
}

/**
 * lanes_recorder - records, at each decision, what every task shown in the
 * lanes did (the same tasks snapshot() shows: not the idle task, daemons only
 * while they run, wait or hold a lock) and the locks each held (lockdep's
 * record), as bars of decisions.
 */
function lanes_recorder(): { at(d: sched_decision, at: number, picked: task_struct): void; end(): run_lanes } {
  const by_pid = new Map<number, timeline_lane>();
  const open = new Map<string, { lock: string; from: number; to: number | null }>();
  let decisions = 0;
  let truncated = false;
  return {
    at(d, at, picked) {
      if (at >= TIMELINE_DECISIONS) {
        truncated = true;
        return;
      }
      decisions = at + 1;
      const runnable = new Set(d.runnable);
      for (const t of for_each_process()) {
        if (t.pid === 0) continue;
        let lane = by_pid.get(t.pid);
        if (!lane && t.daemon && !runnable.has(t) && t.blocked_on === null && t.held_locks.length === 0) continue;
        if (!lane) by_pid.set(t.pid, (lane = { pid: t.pid, comm: t.comm, marks: [], at_end: 'asleep', holds: [] }));
        lane.marks[at] = t === picked ? 'ran' : runnable.has(t) ? 'ready' : t.exit_state !== 'running' ? 'gone' : 'asleep';
        const held = new Set(t.held_locks.map((h) => h.class_name));
        for (const lock of held) {
          const key = `${t.pid} ${lock}`;
          const bar = open.get(key);
          if (bar && bar.to === at - 1) bar.to = at;
          else {
            const fresh = { lock, from: at, to: at };
            lane.holds.push(fresh);
            open.set(key, fresh);
          }
        }
      }
    },
    end() {
      // The end of the run is a column of its own: each task asleep or gone; a lock still held then runs its bar to the
      // end (one held at the last decision drawn goes on; one taken after it starts there).
      for (const t of for_each_process()) {
        if (t.pid === 0) continue;
        let lane = by_pid.get(t.pid);
        if (!lane && t.daemon && t.blocked_on === null && t.held_locks.length === 0) continue;
        if (!lane) by_pid.set(t.pid, (lane = { pid: t.pid, comm: t.comm, marks: [], at_end: 'asleep', holds: [] }));
        lane.at_end = t.exit_state !== 'running' ? 'gone' : 'asleep';
        for (const lock of new Set(t.held_locks.map((h) => h.class_name))) {
          const bar = open.get(`${t.pid} ${lock}`);
          if (bar && bar.to === decisions - 1 && !truncated) bar.to = null;
          else lane.holds.push({ lock, from: decisions, to: null });
        }
      }
      const lanes = [...by_pid.values()].sort((a, b) => a.pid - b.pid);
      for (const l of lanes) for (let i = 0; i < decisions; i++) l.marks[i] ??= null;
      return { decisions, truncated, lanes };
    },
  };
}

function who(t: task_struct): string {
  return `${t.comm}:${t.pid}`;
}

/** The function's own name, as the kernel's trace prints its symbol: V8 adds " [as count]" to a function called through an ops table's field. */
function kernel_symbol(fn: string): string {
  return fn.replace(/ \[as [^\]]+\]$/, '');
}

function lane_of(t: task_struct, runnable: ReadonlySet<task_struct>): lane {
  const state: lane['state'] = t.exit_state !== 'running' ? t.exit_state : runnable.has(t) || task_is_running(t) ? 'runnable' : 'sleeping';
  const alive = state === 'runnable' || state === 'sleeping';
  const frames: lane_frame[] = alive ? model_task_sched(t).sleep_trace.slice(0, LANE_FRAMES).map((f) => ({ fn: kernel_symbol(f.fn), file: f.file, line: f.line, exercise_code: /^(exercises|solutions)\//.test(f.file) })) : [];
  const frames_left_out = alive ? Math.max(0, model_task_sched(t).sleep_trace.length - LANE_FRAMES) : 0;
  const where = alive ? [model_task_sched(t).parked_in || '(not started)', ...frames.map((f) => `${f.fn} (${f.file}:${f.line})`)].join(' ← ') : state;
  let blocked: string | null = null;
  let waits_for: number | null = null;
  if (state === 'sleeping' && t.blocked_on) {
    const h = t.blocked_on.holder();
    const what = t.blocked_on.describe();
    // A lock is held by its owner; a completion, wait queue or work item waits for the task that will complete or wake it.
    blocked = `${what}${h ? `${/^(?:mutex|rwsem|spinlock) /.test(what) ? ', held by' : ', to be woken by'} ${who(h)}` : ''}`;
    // A wait queue's name does not say what the wait is for (rcu_sched->exp_wq[1]): the wait's own words do.
    const why = t.blocked_on.explain?.();
    if (why) blocked = `${why}. Asleep on ${blocked}`;
    waits_for = h ? h.pid : null;
  } else if (state === 'sleeping') {
    blocked = model_task_sched(t).timeout >= 0 ? 'a timer (schedule_timeout)' : 'idle: nothing to do';
  }
  return {
    pid: t.pid,
    comm: t.comm,
    cpu: t.cpu,
    state,
    where,
    frames,
    frames_left_out,
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
  // Kernel threads show while they run, wait or hold a lock, or when a shown task waits for them.
  const awaited = new Set(for_each_process().map((t) => t.blocked_on?.holder() ?? null));
  const lanes = for_each_process()
    .filter((t) => t.pid !== 0 && (!t.daemon || runnable.has(t) || t.blocked_on !== null || t.held_locks.length > 0 || awaited.has(t)))
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
    rcu: {
      started: rcu_batches_started(),
      completed: rcu_batches_completed(),
      in_progress: rcu_gp_in_progress(),
      pending_callbacks: rcu_pending_callbacks(),
      cpus_owing: model_rcu_qs_owed(),
      expedited: model_rcu_exp_view(),
    },
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
  let end_lanes: run_lanes | null = null;
  let decisions = 0;
  const recorder = lanes_recorder();
  const counting = (d: sched_decision, at: number): task_struct => {
    decisions = at + 1;
    const picked = chooser(d, at);
    recorder.at(d, at, picked);
    return picked;
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
      end_lanes = recorder.end();
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
    lanes: end_lanes ?? recorder.end(),
  };
}
