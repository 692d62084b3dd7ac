// Random mode: for scenarios too big to enumerate, run N seeded random
// schedules instead of all of them.
//
// Two strategies:
// - 'pct' (default): Probabilistic Concurrency Testing (Burckhardt, Kothari,
//   Musuvathi and Nagarakatte, ASPLOS 2010). Each task gets a random priority
//   when first seen; the highest-priority runnable task always runs; at d-1
//   random decision points ("change points") the task about to run has its
//   priority dropped below every other. A bug of depth d (d ordering
//   constraints) is found by one run with probability at least
//   1/(n * k^(d-1)) for n tasks and k decisions, far better than a random
//   walk, which rarely keeps one task running long enough to matter.
// - 'uniform': a random walk, any runnable task with equal chance.
//
// The run with the default schedule always comes first, so random mode never
// misses what a plain run shows, and its length estimates k for PCT.
// Every run is recorded as its deviations from the default, so a random
// schedule has the same schedule string and replay as any other.
import { prandom_state } from '../kernel/lib/prandom';
import type { sched_decision } from '../kernel/sched/core';
import type { task_struct } from '../kernel/sched/task';
import type { bfs_stats, bfs_visit } from './bfs';
import { run_scenario } from './run';
import type { scenario } from './scenario';

export interface random_limits {
  runs: number;
  seed: number;
  strategy: 'pct' | 'uniform';
  /** PCT depth d: d-1 priority change points per run. */
  pct_depth: number;
  max_schedules: number;
  max_steps: number;
  fail_on: ReadonlySet<string>;
}

/** A PCT chooser for one run. */
function pct_chooser(rng: prandom_state, depth: number, k: number): (d: sched_decision, at: number) => task_struct {
  const prio = new Map<number, number>();
  // Change point i (1-based) lowers the running task to priority i, below
  // every initial priority (which are all >= depth).
  const change_at = new Map<number, number>();
  for (let i = 1; i < depth; i++) {
    const at = rng.below(Math.max(1, k));
    if (!change_at.has(at)) change_at.set(at, i);
  }
  const highest = (runnable: readonly task_struct[]): task_struct => {
    let best = runnable[0]!;
    for (const t of runnable) {
      if (!prio.has(t.pid)) prio.set(t.pid, depth + rng.below(0x40000000));
      if (prio.get(t.pid)! > prio.get(best.pid)!) best = t;
    }
    return best;
  };
  return (d, at) => {
    let t = highest(d.runnable);
    const lower = change_at.get(at);
    if (lower !== undefined) {
      prio.set(t.pid, lower);
      t = highest(d.runnable);
    }
    return t;
  };
}

function uniform_chooser(rng: prandom_state): (d: sched_decision) => task_struct {
  return (d) => d.runnable[rng.below(d.runnable.length)]!;
}

/** random_runs - the default run, then @lim.runs seeded random schedules, calling @visit after each. */
export async function random_runs(sc: scenario, lim: random_limits, visit: bfs_visit): Promise<bfs_stats> {
  const st: bfs_stats = { schedules: 0, steps: 0, decisions: 0, max_decisions: 0, covered_bound: -1, exhausted: false, stopped_by: null };
  const seeds = new prandom_state(lim.seed);
  for (let i = 0; i <= lim.runs; i++) {
    if (st.schedules >= lim.max_schedules) st.stopped_by = 'max_schedules';
    else if (st.steps >= lim.max_steps) st.stopped_by = 'max_steps';
    if (st.stopped_by) return st;
    // Each run has its own generator, so run i is the same whatever ran before it.
    const rng = new prandom_state(seeds.u32());
    const chooser = i === 0 ? null : lim.strategy === 'pct' ? pct_chooser(rng, lim.pct_depth, st.max_decisions) : uniform_chooser(rng);
    const out = await run_scenario(sc, { schedule: [], strict: false, record_from: -1, chooser, trace: false, fail_on: lim.fail_on });
    st.schedules++;
    st.steps += out.result.steps;
    st.decisions += out.decisions;
    if (out.decisions > st.max_decisions) st.max_decisions = out.decisions;
    if (i === 0) st.covered_bound = 0;
    if (visit(out, out.taken, st.schedules) === 'stop') {
      st.stopped_by = 'failure';
      return st;
    }
  }
  return st;
}
