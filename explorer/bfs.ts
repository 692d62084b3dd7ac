// The bounded search itself: every schedule with at most @bound deviations,
// cheapest first.
//
// Schedules form a tree. The root is the default run (no deviation). The
// children of a schedule S whose last deviation is at decision j are S plus
// one more deviation at a decision after j, to any runnable task other than
// the default there. Running S tells us those decisions and their runnable
// tasks, so each run both checks one schedule and yields its children; every
// deviation set is generated exactly once (from its prefix without its last
// deviation), and each run replays its parent's prefix from a fresh boot
// rather than saving and restoring machine state, which the model cannot do.
//
// The walk goes level by level (all schedules with 0 deviations, then 1,
// then 2), so the first schedule that shows a failure has the fewest
// deviations possible, and a search cut short by its budget can still say
// exactly which bound it covered. The queue of the next level is capped by
// the budget, so memory stays bounded however large the space.
import { run_scenario, schedule_mismatch_error, type run_outcome } from './run';
import type { scenario } from './scenario';
import type { deviation, schedule } from './schedule';

export interface bfs_limits {
  bound: number;
  max_schedules: number;
  max_steps: number;
  fail_on: ReadonlySet<string>;
}

export interface bfs_stats {
  schedules: number;
  steps: number;
  decisions: number;
  max_decisions: number;
  /** Every schedule with at most this many deviations was run (-1: none). */
  covered_bound: number;
  exhausted: boolean;
  stopped_by: null | 'max_schedules' | 'max_steps' | 'failure';
}

/** What the visitor says after each run: go on, or stop the search (a wanted failure was found). */
export type bfs_visit = (out: run_outcome, s: schedule, number: number) => 'stop' | void;

/** bfs - run @sc under every schedule within @lim.bound, cheapest first, calling @visit after each run. */
export async function bfs(sc: scenario, lim: bfs_limits, visit: bfs_visit): Promise<bfs_stats> {
  const st: bfs_stats = { schedules: 0, steps: 0, decisions: 0, max_decisions: 0, covered_bound: -1, exhausted: false, stopped_by: null };
  let level: schedule[] = [[]];
  for (let c = 0; c <= lim.bound; c++) {
    const next: schedule[] = [];
    for (const s of level) {
      if (st.schedules >= lim.max_schedules) st.stopped_by = 'max_schedules';
      else if (st.steps >= lim.max_steps) st.stopped_by = 'max_steps';
      if (st.stopped_by) return st;
      const last = s.length > 0 ? s[s.length - 1]!.at : -1;
      const out = await run_deterministic(sc, s, c < lim.bound ? last + 1 : -1, lim.fail_on);
      st.schedules++;
      st.steps += out.result.steps;
      st.decisions += out.decisions;
      if (out.decisions > st.max_decisions) st.max_decisions = out.decisions;
      if (visit(out, s, st.schedules) === 'stop') {
        st.stopped_by = 'failure';
        return st;
      }
      for (let i = 0; i < out.alt_at.length && next.length < lim.max_schedules; i++) {
        const d: deviation = { at: out.alt_at[i]!, pid: out.alt_pid[i]! };
        next.push([...s, d]);
      }
    }
    st.covered_bound = c;
    level = next;
    if (level.length === 0) break; // no schedule has more deviations: the space is smaller than the bound
  }
  st.covered_bound = lim.bound;
  st.exhausted = true;
  return st;
}

/** Run @s strictly; a mismatch here means the scenario itself is not deterministic. */
async function run_deterministic(sc: scenario, s: schedule, record_from: number, fail_on: ReadonlySet<string>): Promise<run_outcome> {
  try {
    return await run_scenario(sc, { schedule: s, strict: true, record_from, trace: false, fail_on });
  } catch (e) {
    if (e instanceof schedule_mismatch_error) {
      throw new Error(
        `scenario "${sc.id}" did not behave the same way on two runs with the same schedule (${e.message}). ` +
          'A scenario must be deterministic: setup() must create everything anew on each call, and must not keep state between runs or use Math.random or the wall clock.',
      );
    }
    throw e;
  }
}
