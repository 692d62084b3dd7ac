// Minimisation: shrink a failing schedule to the fewest deviations that still
// show the same failure, so a learner reads the simplest story ("b ran just
// after a took the lock") instead of a random walk's fifty switches.
//
// Two stages:
// 1. ddmin (Zeller and Hildebrandt, "Simplifying and isolating
//    failure-inducing input", 2002) over the list of deviations: try
//    dropping chunks, then single deviations, keeping any smaller schedule
//    that still fails the same way. Dropping a deviation changes the run
//    after it, so later deviations may no longer fit (their task is not
//    runnable there); such deviations are skipped, and the schedule kept is
//    what the run actually did. The result is 1-minimal: dropping any single
//    deviation loses the failure.
// 2. A proof: search every schedule with fewer deviations (the bounded
//    search, cheapest first) within a budget. If one fails the same way it
//    replaces the result; if the search covers them all, the result is the
//    true minimum, and the failure says so (minimal: true).
import type { kernel_report } from '../kernel/panic';
import { bfs } from './bfs';
import { run_scenario } from './run';
import type { scenario } from './scenario';
import type { deviation, schedule } from './schedule';

export interface minimise_limits {
  fail_on: ReadonlySet<string>;
  /** Schedules the proof stage may run. */
  proof_budget: number;
  max_steps: number;
}

export interface minimised {
  schedule: schedule;
  /** No schedule with fewer deviations shows the failure (the proof search covered them all). */
  minimal: boolean;
  /** Runs spent. */
  runs: number;
  /** The report of the failure in the run of the returned schedule. */
  report: kernel_report | null;
}

/** minimise_schedule - the fewest deviations from @s that still show @signature. */
export async function minimise_schedule(sc: scenario, s: schedule, signature: string, lim: minimise_limits): Promise<minimised> {
  let runs = 0;
  let report: kernel_report | null = null;
  const still_fails = async (cand: deviation[]): Promise<deviation[] | null> => {
    runs++;
    const out = await run_scenario(sc, { schedule: cand, strict: false, record_from: -1, trace: false, fail_on: lim.fail_on });
    const f = out.failures.find((x) => x.signature === signature);
    if (!f) return null;
    report = f.report;
    return out.taken;
  };

  let cur: deviation[] = [...s];
  let n = 2;
  while (cur.length > 0) {
    const size = Math.ceil(cur.length / Math.min(n, cur.length));
    let reduced = false;
    for (let start = 0; start < cur.length; start += size) {
      const cand = [...cur.slice(0, start), ...cur.slice(start + size)];
      const kept = await still_fails(cand);
      if (kept) {
        cur = kept;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break; // every single deviation is needed
      n = Math.min(cur.length, n * 2);
    }
  }

  if (cur.length === 0) return { schedule: cur, minimal: true, runs, report };
  let found = null as schedule | null; // set by the visitor
  const proof = await bfs(sc, { bound: cur.length - 1, max_schedules: lim.proof_budget, max_steps: lim.max_steps, fail_on: lim.fail_on }, (out, cand) => {
    const f = out.failures.find((x) => x.signature === signature);
    if (f) {
      found = cand;
      report = f.report;
      return 'stop';
    }
  });
  runs += proof.schedules;
  if (found) return { schedule: found, minimal: true, runs, report };
  return { schedule: cur, minimal: proof.exhausted, runs, report };
}
