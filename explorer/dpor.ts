// Partial-order reduction: run one schedule of each class of equivalent ones.
//
// Two steps of different tasks that touch no common object (or only read
// it) commute: running them in either order leaves the same state. Schedules
// that differ only by swapping such steps are equivalent (the same
// Mazurkiewicz trace) and show the same failures, so running one of each
// class is enough. This file implements source-set DPOR with sleep sets
// (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic partial order
// reduction", POPL 2014, Algorithm 1), stateless: like the bounded search it
// replays every schedule from a fresh boot.
//
// - What a step touched comes from the kernel's footprint tags
//   (kernel/footprint.ts). Steps of a scenario that does not declare
//   `footprint: 'tagged'`, and every step of a task after it called into a
//   subsystem without tags, conflict with everything: the reduction is then
//   smaller, never unsound.
// - After each run, every race (two conflicting steps of different tasks,
//   not ordered by anything else) adds a way to reverse it at the decision
//   before the first step: one of the tasks that can start the reversed
//   order (the "initials"), unless one is already there.
// - Sleep sets: a task whose step was already explored from a decision, and
//   whose step commutes with everything run since, need not run there again.
//   Complete exploration only: under a bound, the sibling that put a task to
//   sleep covered the equivalent schedules only within its own remaining
//   budget (the differential test found a state missed that way).
// - The preemption bound (bounded-and-reduced, as loom does; Coons, Musuvathi
//   and McKinley, OOPSLA 2013): schedules with more departures from the
//   kernel's default choice than the bound are not run. Reversing a race may
//   then cost too much where it was found, so every initial of the reversal
//   is added, and also tried, conservatively, where the preempted task's run
//   began. Without a bound
//   (`complete`), every class is covered: "no failure in any interleaving".
import type { footprint_recorder } from '../kernel/footprint';
import { FP_JIFFIES, FP_KSWAPD, FP_LOCKDEP, FP_LOG, FP_MEM, FP_RCU, FP_TASKLIST, FP_TIMERS, FP_WORKQUEUE, FP_ZONE, FP_ZONE_FREE } from '../kernel/footprint';
import type { sched_decision } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import type { bfs_stats, bfs_visit } from './bfs';
import { happens_before } from './happens_before';
import { run_scenario, type run_outcome } from './run';
import type { scenario } from './scenario';
import type { deviation } from './schedule';

export interface dpor_limits {
  /** Most departures from the default choice per schedule; Infinity: complete exploration. */
  bound: number;
  max_schedules: number;
  max_steps: number;
  fail_on: ReadonlySet<string>;
}

export interface dpor_stats extends bfs_stats {
  /** Runs cut short because every runnable task was asleep (an equivalent schedule was already run), or the bound was reached. */
  pruned: number;
  /** Steps recorded, and how many of them were opaque (conflicting with everything): how much the tags could help. */
  recorded_steps: number;
  opaque_steps: number;
  /** Steps (not opaque) that wrote FP_MEM ('memory' scenarios: workload and learner code, conflicting with each other). */
  memory_steps: number;
}

/**
 * A set of object numbers. Most steps touch a handful of objects (their task,
 * FP_MEM or FP_RCU, a lock), so a small array scanned linearly costs less
 * than a Set (allocation, hashing, garbage) on the hot path; a step that
 * touches more than TAGS_SMALL objects switches to a Set.
 */
type tags = number[] | Set<number>;
const TAGS_SMALL = 16;

function tags_has(t: tags, o: number): boolean {
  return Array.isArray(t) ? t.includes(o) : t.has(o);
}
/** tags_add - @t with @o in it (the same object, or a Set once the array grows past TAGS_SMALL). */
function tags_add(t: tags | null, o: number): tags {
  if (t === null) return [o];
  if (!Array.isArray(t)) return t.add(o);
  if (t.includes(o)) return t;
  if (t.length < TAGS_SMALL) {
    t.push(o);
    return t;
  }
  const big = new Set(t);
  big.add(o);
  return big;
}

/**
 * What one step touched, as object numbers. A run numbers objects in the
 * order it first meets them (creation, for objects that announce it), so two
 * runs with the same prefix number the objects of that prefix alike. A sleep
 * set compares a step of an earlier run with steps of this one: numbers from
 * @fresh_from on were given after the shared prefix and may name different
 * objects in the two runs, so two such steps that both have one conflict.
 */
interface footprint {
  reads: tags | null;
  writes: tags | null;
  /** Commutative updates (footprint_add): they conflict with reads and writes of the object, not with each other. */
  adds: tags | null;
  /** Counters read only for a test's answer (footprint_read_range); sleep sets treat them as reads. */
  range_reads: tags | null;
  /** Touched something untagged: conflicts with every step. */
  opaque: boolean;
  /** Highest object number touched (-1: none). */
  max_id: number;
}

interface sleeper extends footprint {
  /** Object numbers from here on were given after the decision it was explored at. */
  fresh_from: number;
}

interface step_event extends footprint {
  pid: number;
  /** Range reads, flat: object, value, lo, hi (happens_before.ts decides their conflicts with adds by value). */
  ranges: number[] | null;
  /** Net delta of the step's adds per object, flat: object, delta (NaN: not known). */
  deltas: number[] | null;
}

/** Does the step of a sleeping task (@a, from an earlier run) conflict with step @b of this run? */
function wakes(a: sleeper, b: footprint): boolean {
  if (a.max_id >= a.fresh_from && b.max_id >= a.fresh_from) return true;
  return conflicts(a, b);
}

/** Does any object of @a appear in @b? */
function meets(a: tags | null, b: tags | null): boolean {
  if (a === null || b === null) return false;
  for (const o of a) if (tags_has(b, o)) return true;
  return false;
}

function conflicts(a: footprint, b: footprint): boolean {
  if (a.opaque || b.opaque) return true;
  // A write conflicts with every access; an add conflicts with a read; two adds or two reads commute.
  // Sleep sets compare steps of different runs, where a counter's value may differ: a range read is a read here.
  return (
    meets(a.writes, b.writes) ||
    meets(a.writes, b.reads) ||
    meets(a.writes, b.adds) ||
    meets(b.writes, a.reads) ||
    meets(b.writes, a.adds) ||
    meets(a.adds, b.reads) ||
    meets(b.adds, a.reads) ||
    meets(a.writes, b.range_reads) ||
    meets(b.writes, a.range_reads) ||
    meets(a.adds, b.range_reads) ||
    meets(b.adds, a.range_reads)
  );
}

/** The footprint recorder of one run: one event per scheduler step. */
class step_recorder implements footprint_recorder {
  readonly events: step_event[] = [];
  private cur: step_event | null = null;
  private readonly ids = new Map<object, number>([FP_JIFFIES, FP_TASKLIST, FP_TIMERS, FP_LOG, FP_LOCKDEP, FP_RCU, FP_WORKQUEUE, FP_MEM, FP_ZONE, FP_KSWAPD, FP_ZONE_FREE].map((o, i) => [o, i]));
  /** Next object number. */
  next_id = this.ids.size;
  private tick_pending = false;
  /** Tasks that called into an untagged subsystem: opaque from then on. */
  private readonly untracked = new Set<number>();
  /** Tasks that called into a subsystem tagged as a whole (footprint_subsystem_call): the tokens each step of theirs writes. */
  private readonly sticky = new Map<number, object[]>();
  /** 'memory' scenarios: the kernel daemons that tag what they touch (footprint_precise_task); every other task's steps write FP_MEM. */
  private readonly precise = new Set<number>();
  /** Called when an event is complete (the explorer updates its sleep set). */
  on_close: ((e: step_event) => void) | null = null;

  constructor(
    private readonly all_opaque: boolean,
    private readonly memory: boolean,
  ) {}

  /** The number of a pre-numbered shared object (FP_MEM...). */
  id_of(obj: object): number {
    return this.ids.get(obj) ?? -1;
  }
  private id(obj: object): number {
    let n = this.ids.get(obj);
    if (n === undefined) {
      n = this.next_id++;
      this.ids.set(obj, n);
    }
    return n;
  }
  begin(task: object, pid: number): void {
    this.close();
    const t = this.id(task);
    const e: step_event = { pid, reads: null, writes: [t], adds: null, range_reads: null, ranges: null, deltas: null, opaque: this.all_opaque || this.untracked.has(pid), max_id: t };
    this.cur = e;
    const tokens = this.sticky.get(pid);
    if (tokens !== undefined) for (const o of tokens) this.write(o);
    if (this.memory && !this.precise.has(pid)) this.write(FP_MEM);
    if (this.tick_pending) {
      // The first step after a tick reads a new jiffies value: ordered against the step before the tick.
      this.write(FP_JIFFIES);
      this.tick_pending = false;
    }
  }
  /** The current step is over (a decision is about to be made, or the run ended). */
  close(): void {
    const e = this.cur;
    if (e === null) return;
    this.cur = null;
    this.events.push(e);
    this.on_close?.(e);
  }
  read(obj: object): void {
    if (this.all_opaque) return; // every step conflicts with every other: nothing to number or record
    const n = this.id(obj); // numbered even outside steps (setup): creation order
    const e = this.cur;
    if (e === null || e.opaque) return;
    e.reads = tags_add(e.reads, n);
    if (n > e.max_id) e.max_id = n;
  }
  write(obj: object): void {
    if (this.all_opaque) return;
    const n = this.id(obj);
    const e = this.cur;
    if (e === null || e.opaque) return;
    e.writes = tags_add(e.writes, n);
    if (n > e.max_id) e.max_id = n;
  }
  add(obj: object, delta: number): void {
    if (this.all_opaque) return;
    const n = this.id(obj);
    const e = this.cur;
    if (e === null || e.opaque) return;
    e.adds = tags_add(e.adds, n);
    if (n > e.max_id) e.max_id = n;
    // The step's net delta per object: other steps see only its sum (a step runs as one).
    const d = e.deltas;
    if (d === null) {
      e.deltas = [n, delta];
      return;
    }
    for (let x = 0; x < d.length; x += 2) {
      if (d[x] === n) {
        d[x + 1] = d[x + 1]! + delta;
        return;
      }
    }
    d.push(n, delta);
  }
  read_range(obj: object, value: number, lo: number, hi: number): void {
    if (this.all_opaque) return;
    const n = this.id(obj);
    const e = this.cur;
    if (e === null || e.opaque) return;
    e.range_reads = tags_add(e.range_reads, n);
    if (n > e.max_id) e.max_id = n;
    // What other steps' adds may shift every read of @obj in this step by (its own adds shift only the later reads,
    // in every order alike): the step behaves the same while that shift stays in [lo - value, hi - value] for each.
    // Kept as one entry per object, value 0.
    const r = e.ranges;
    if (r === null) {
      e.ranges = [n, 0, lo - value, hi - value];
      return;
    }
    for (let x = 0; x < r.length; x += 4) {
      if (r[x] === n) {
        if (lo - value > r[x + 2]!) r[x + 2] = lo - value;
        if (hi - value < r[x + 3]!) r[x + 3] = hi - value;
        return;
      }
    }
    r.push(n, 0, lo - value, hi - value);
  }
  announce(obj: object): void {
    if (this.all_opaque) return;
    this.id(obj);
  }
  opaque(): void {
    if (this.cur !== null) this.cur.opaque = true;
  }
  untracked_call(): void {
    if (this.cur === null) return;
    // 'memory' scenarios: a task that is not precise writes FP_MEM in every step, which stands for
    // every state no tag describes; only the precise tasks' state is tagged at every access.
    if (this.memory && !this.precise.has(this.cur.pid)) return;
    this.cur.opaque = true;
    this.untracked.add(this.cur.pid);
  }
  subsystem_call(token: object): void {
    if (this.cur === null) return;
    this.write(token);
    const pid = this.cur.pid;
    const tokens = this.sticky.get(pid);
    if (tokens === undefined) this.sticky.set(pid, [token]);
    else if (!tokens.includes(token)) tokens.push(token);
  }
  precise_task(pid: number): void {
    this.precise.add(pid);
  }
  memory_call(): void {
    if (this.cur === null) return;
    if (!this.memory) return this.untracked_call();
    this.precise.delete(this.cur.pid); // from now on like every other task: FP_MEM in every step
    this.write(FP_MEM);
  }
  jiffy_tick(): void {
    // Steps either side of the tick read different jiffies values: both "write" it.
    this.write(FP_JIFFIES);
    this.tick_pending = true;
  }
}

/** A decision point of the current schedule, kept across runs (the DFS stack). */
interface node {
  /** Index of the step taken after this decision. */
  position: number;
  runnable: number[];
  default_pid: number;
  /** Departures from the default before this decision. */
  cost: number;
  /** The task run here in the current schedule. */
  chosen: number;
  /** Tasks to run here (source set), including those done. Arrays, not Sets: a node lives as long as its
   * branch is explored, and most hold one or two tasks (a Set per node made every scavenge copy them). */
  backtrack: number[];
  /** Tasks already run here. */
  explored: number[];
  /** Complete exploration only (sleep sets): the footprint of each explored task's step, for later siblings. */
  explored_fp: Map<number, sleeper> | null;
  /** The sleep set on arrival (read only: NO_SLEEPERS when empty, which most are). */
  sleep: ReadonlyMap<number, sleeper>;
  /** Objects numbered before this decision's step. */
  ids_before: number;
}

const NO_SLEEPERS: ReadonlyMap<number, sleeper> = new Map();

class pruned_run extends Error {
  constructor() {
    super('pruned: every runnable task is asleep or the bound is reached');
    this.name = 'pruned_run';
  }
}

/**
 * dpor - explore @sc with source-set DPOR and sleep sets, within @lim.bound
 * departures (Infinity: all of them), calling @visit after each complete run.
 */
export async function dpor(sc: scenario, lim: dpor_limits, visit: bfs_visit): Promise<dpor_stats> {
  const st: dpor_stats = { schedules: 0, steps: 0, decisions: 0, max_decisions: 0, covered_bound: -1, exhausted: false, stopped_by: null, pruned: 0, recorded_steps: 0, opaque_steps: 0, memory_steps: 0 };
  const all_opaque = sc.footprint !== 'tagged' && sc.footprint !== 'memory';
  const memory = sc.footprint === 'memory';
  const bounded = Number.isFinite(lim.bound);
  const stack: node[] = [];
  /** Decisions replayed from the stack in the next run (the rest are new). */
  let replay_len = 0;
  /** Happens-before of the previous run, updated from its first new step. */
  const hb = new happens_before();

  for (;;) {
    if (st.schedules >= lim.max_schedules) st.stopped_by = 'max_schedules';
    else if (st.steps >= lim.max_steps) st.stopped_by = 'max_steps';
    if (st.stopped_by) return st;

    const rec = new step_recorder(all_opaque, memory);
    const sleep = new Map<number, sleeper>();
    let at_node: node | null = null; // the decision whose step is running
    let cost = 0;
    let decision = 0;
    rec.on_close = (e) => {
      // Sleep-set propagation: a sleeper stays asleep while what runs commutes with its step.
      if (at_node !== null && at_node.position === rec.events.length - 1) {
        if (!at_node.explored.includes(at_node.chosen)) at_node.explored.push(at_node.chosen);
        if (!bounded) (at_node.explored_fp ??= new Map()).set(at_node.chosen, { reads: e.reads, writes: e.writes, adds: e.adds, range_reads: e.range_reads, opaque: e.opaque, max_id: e.max_id, fresh_from: at_node.ids_before });
      }
      if (sleep.size === 0) return;
      // In place: each decision keeps its own copy of the sleep set it arrived with (node.sleep).
      for (const [pid, fp] of sleep) if (pid === e.pid || wakes(fp, e)) sleep.delete(pid);
    };
    const chooser = (d: sched_decision): task_struct => {
      rec.close();
      const at = decision++;
      let n: node;
      if (at < replay_len) {
        n = stack[at]!;
        if (n.position !== rec.events.length || n.ids_before !== rec.next_id) throw nondeterministic(sc);
      } else {
        const runnable = d.runnable.map((t) => t.pid);
        let chosen = d.default_choice.pid;
        if (sleep.has(chosen)) {
          if (cost + 1 > lim.bound) throw new pruned_run();
          const awake = runnable.find((p) => !sleep.has(p));
          if (awake === undefined) throw new pruned_run();
          chosen = awake;
        }
        n = { position: rec.events.length, runnable, default_pid: d.default_choice.pid, cost, chosen, backtrack: [chosen], explored: [], explored_fp: null, sleep: sleep.size === 0 ? NO_SLEEPERS : new Map(sleep), ids_before: rec.next_id };
        stack.push(n);
      }
      // Siblings explored before the current choice sleep here, unless they conflict with it (on_close).
      // Not under a bound: the sibling's branch covered the equivalent schedules only within its own
      // remaining budget, which may be smaller than this branch's (the tests found such a miss).
      if (bounded === false && n.explored_fp !== null) for (const [pid, fp] of n.explored_fp) if (pid !== n.chosen) sleep.set(pid, fp);
      sleep.delete(n.chosen);
      if (n.chosen !== n.default_pid) cost++;
      at_node = n;
      const t = d.runnable.find((x) => x.pid === n.chosen);
      if (!t) throw nondeterministic(sc);
      return t;
    };

    let out: run_outcome | null = null;
    try {
      out = await run_scenario(sc, { schedule: [], strict: false, record_from: -1, trace: false, fail_on: lim.fail_on, chooser, recorder: rec });
    } catch (e) {
      if (!(e instanceof pruned_run)) throw e;
      st.pruned++;
    }
    rec.close();
    if (decision < replay_len) throw nondeterministic(sc);

    if (out) {
      st.schedules++;
      st.steps += out.result.steps;
      st.decisions += out.decisions;
      if (out.decisions > st.max_decisions) st.max_decisions = out.decisions;
      const taken: deviation[] = out.taken;
      if (visit(out, taken, st.schedules) === 'stop') {
        st.stopped_by = 'failure';
        return st;
      }
    } else {
      st.steps += rec.events.length;
    }

    st.recorded_steps += rec.events.length;
    const mem = rec.id_of(FP_MEM);
    for (const e of rec.events) {
      if (e.opaque) st.opaque_steps++;
      else if (e.writes !== null && tags_has(e.writes, mem)) st.memory_steps++;
    }
    add_backtracks(hb, rec.events, stack, lim.bound, replay_len > 0 ? stack[replay_len - 1]!.position : 0);

    // The deepest decision with a task left to run (not done, not asleep, within the bound).
    let k = stack.length - 1;
    let next_pid = -1;
    for (; k >= 0; k--) {
      const n = stack[k]!;
      let best = -1;
      let best_key = Infinity;
      for (const p of n.backtrack) {
        if (n.explored.includes(p) || n.sleep.has(p) || !n.runnable.includes(p)) continue;
        if (n.cost + (p === n.default_pid ? 0 : 1) > lim.bound) continue;
        const key = p === n.default_pid ? -1 : p; // the default first, then by pid: deterministic
        if (key < best_key) {
          best_key = key;
          best = p;
        }
      }
      if (best >= 0) {
        next_pid = best;
        break;
      }
    }
    if (k < 0) {
      st.exhausted = true;
      st.covered_bound = Number.isFinite(lim.bound) ? lim.bound : Number.MAX_SAFE_INTEGER;
      return st;
    }
    stack.length = k + 1;
    stack[k]!.chosen = next_pid;
    replay_len = k + 1;
  }
}

function add_task(set: number[], pid: number): void {
  if (!set.includes(pid)) set.push(pid);
}

function nondeterministic(sc: scenario): Error {
  return new Error(
    `scenario "${sc.id}" did not behave the same way on two runs with the same schedule. ` +
      'A scenario must be deterministic: setup() must create everything anew on each call, and must not keep state between runs or use Math.random or the wall clock.',
  );
}

/**
 * add_backtracks - find the races of one run (@events, with @stack its
 * decisions) whose later step is at or after @from (@hb: happens-before,
 * kept from the previous run, whose steps before @from were these), and add
 * to the decision before each race's first step a task that starts its
 * reversal.
 */
function add_backtracks(hb: happens_before, events: step_event[], stack: node[], bound: number, from: number): void {
  if (events.length === 0) return;
  const races = hb.update(events, from);
  if (races.length === 0) return;
  const node_at = new Map<number, node>();
  for (const nd of stack) node_at.set(nd.position, nd);
  const pids = hb.pids;
  for (let r = 0; r < races.length; r += 2) {
    const i = races[r]!;
    const j = races[r + 1]!;
    const nd = node_at.get(i);
    if (!nd) continue; // only one task could run there: no choice to add
    const initials = race_initials(hb, i, j)?.map((q) => pids[q]!) ?? null;
    if (initials === null) continue; // j is ordered after i through another step: not a race
    if (Number.isFinite(bound)) {
      // Bounded: whichever initial fits the bound here or where the run began may be the only way within it; add them all.
      for (const q of initials) {
        if (!nd.runnable.includes(q)) continue;
        add_task(nd.backtrack, q);
        conservative_backtrack(stack, nd, events, q, bound);
      }
      continue;
    }
    let covered = false;
    for (const q of initials) if (nd.backtrack.includes(q)) covered = true;
    if (covered) continue;
    const pick = choose_initial(nd, initials, bound);
    if (pick < 0) {
      // None of them could run there (should not happen with tagged wake-ups): be safe, try every task.
      for (const q of nd.runnable) add_task(nd.backtrack, q);
      continue;
    }
    add_task(nd.backtrack, pick);
  }
}

/**
 * The initials of v = (the steps after i not ordered after it), then j:
 * the tasks whose first step in v has no step of v ordered before it. Null
 * when j's own task has a step between i and j that is ordered after i.
 * Tasks are @hb's task columns.
 */
function race_initials(hb: happens_before, i: number, j: number): number[] | null {
  const task = hb.task;
  const width = hb.width;
  const ti = task[i]!;
  const first = new Int32Array(width).fill(-1); // first step of each task in v
  const pj = task[j]!;
  for (let k = i + 1; k < j; k++) {
    const q = task[k]!;
    if (first[q]! >= 0 || q === ti) continue;
    if (hb.clock(k, ti) >= i + 1) {
      if (q === pj) return null; // j's task is already ordered after i
      first[q] = -2; // q's steps from here on are ordered after i: none of them is in v
      continue;
    }
    first[q] = k;
  }
  if (first[pj] === -1) first[pj] = j;
  const out: number[] = [];
  for (let q = 0; q < width; q++) {
    const k = first[q]!;
    if (k < 0) continue;
    let initial = true;
    for (let r = 0; r < width && initial; r++) {
      if (r === q) continue;
      const kr = first[r]!;
      if (kr >= 0 && kr < k && hb.clock(k, r) >= kr + 1) initial = false;
    }
    if (initial) out.push(q);
  }
  return out;
}

/** The initial to add at @nd: one that can run there, preferring awake ones, the default, then the lowest pid. */
function choose_initial(nd: node, initials: number[], bound: number): number {
  let best = -1;
  let best_key = Infinity;
  for (const q of initials) {
    if (!nd.runnable.includes(q)) continue;
    const extra = q === nd.default_pid ? 0 : 1;
    const key = (nd.sleep.has(q) ? 4 : 0) + (nd.cost + extra > bound ? 2 : 0) + extra + q / 1e6;
    if (key < best_key) {
      best_key = key;
      best = q;
    }
  }
  return best;
}

/**
 * Bounded search only: reversing the race at @nd may need one departure too
 * many there, while the same reversal is within the bound where the task
 * that runs at @nd began its run (a departure at a point where the kernel
 * switched anyway). Add @pid there as well (Coons et al.'s conservative
 * branches).
 */
function conservative_backtrack(stack: node[], nd: node, events: step_event[], pid: number, bound: number): void {
  const running = events[nd.position]!.pid;
  let k = stack.indexOf(nd);
  for (k--; k >= 0; k--) {
    const m = stack[k]!;
    const before = m.position > 0 ? events[m.position - 1]!.pid : -1;
    if (m.chosen !== running) break;
    if (before !== running) {
      if (m.runnable.includes(pid) && m.cost + (pid === m.default_pid ? 0 : 1) <= bound) add_task(m.backtrack, pid);
      break;
    }
  }
}
