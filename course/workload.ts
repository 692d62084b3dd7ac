// Generated workloads for checks: grade a fix by bug class, not by instance.
//
// A check that runs one hand-written workload accepts every answer tuned to
// it: a rule keyed to a task name, an object count, a free-page level. So a
// check states a *property* ("on every machine like this, count reports
// exactly the releasable pages") and fast-check generates the machines: task
// names, object mixes, memory levels, lock states. The seed is fixed, so a
// learner gets the same verdict on every run and every machine; when a
// workload fails, fast-check shrinks it to the smallest one that still fails,
// and the failure message prints that workload.
//
// Shrinking re-runs the property, and every run boots the model, so it is
// budgeted in runs (never in seconds): after SHRINK_BUDGET failing-or-not
// re-runs the smallest failure found so far is reported.
//
// Pure: no Node APIs (the study site runs checks too).
// As a namespace: the study site's bundle then keeps only what it uses (site/vite.config.ts).
import * as fc from 'fast-check';
import { fail, pass, type check_context, type check_outcome } from './checks';
import { explain_failure } from './explain';

export { fc };

/** How many re-runs shrinking may spend before reporting the smallest failure found so far. */
export const SHRINK_BUDGET = 40;

export interface workload_options<W> {
  /** The generator of workloads. */
  arbitrary: fc.Arbitrary<W>;
  /** Fixed seed: the same workloads, in the same order, on every run. */
  seed: number;
  /**
   * Runs in all, the examples included (fast-check counts them in numRuns):
   * runs - examples.length workloads are generated. Keep it small: each one
   * boots the model. Prefer @generated: an example added later then does not
   * silently take a generated workload's place.
   */
  runs?: number;
  /** Workloads generated after the examples (runs = examples.length + generated). */
  generated?: number;
  /** Hand-picked workloads run first, within @runs (the decisive cases: the thread's own scenario, lockdep off…). */
  examples?: readonly W[];
  /** The workload in a reviewer's words, for the failure message (default: compact JSON). */
  describe?: (w: W) => string;
  /** Re-runs shrinking may spend (default SHRINK_BUDGET; 0: report the first failure as found). */
  shrink_budget?: number;
}

/** A stable text key of a workload: the key under which the reference's outcome is recorded. */
export function workload_key(w: unknown): string {
  return stable_json(w);
}

function stable_json(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stable_json).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable_json(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x) ?? 'undefined';
}

/** Thrown inside the fast-check property to carry a check's failure message out. */
class workload_failure extends Error {
  constructor(readonly outcome: check_outcome) {
    super(outcome.message);
  }
}

/**
 * for_each_workload - run @body on the examples, then on generated workloads
 * up to @opts.runs runs in all; pass if every one passes. On a failure, shrink (within the
 * budget) and fail with the smallest failing workload and its message.
 * A body that throws (learner code crashed) fails the same way.
 */
export async function for_each_workload<W>(opts: workload_options<W>, body: (w: W) => Promise<check_outcome>): Promise<check_outcome> {
  const budget = opts.shrink_budget ?? SHRINK_BUDGET;
  let failures = 0;
  let reruns = 0;
  let last_failure: { w: W; outcome: check_outcome } | null = null;
  const property = fc.asyncProperty(opts.arbitrary, async (w) => {
    if (failures > 0 && ++reruns > budget) return true; // budget spent: stop shrinking here
    let outcome: check_outcome;
    try {
      outcome = await body(w);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      outcome = fail(`the workload crashed: ${err.name}: ${err.message}`);
    }
    if (outcome.ok) return true;
    failures++;
    last_failure = { w, outcome };
    throw new workload_failure(outcome);
  });
  const examples = opts.examples ?? [];
  if ((opts.runs === undefined) === (opts.generated === undefined)) throw new Error('for_each_workload: give either runs or generated');
  const details = await fc.check(property, {
    seed: opts.seed,
    numRuns: opts.generated !== undefined ? examples.length + opts.generated : opts.runs!,
    examples: examples.map((w) => [w] as [W]),
    endOnFailure: budget === 0,
  });
  if (!details.failed) return pass(`held on ${details.numRuns} workloads (fixed seed ${opts.seed})`);
  // fast-check reports the smallest counterexample it confirmed; that is the last failure we saw.
  const found = last_failure as { w: W; outcome: check_outcome } | null;
  if (!found) return fail(`the property failed without a message: ${String(details.errorInstance ?? '')}`);
  const describe = opts.describe ?? ((w: W) => workload_key(w));
  const shrunk = details.numShrinks > 0 ? ` (shrunk in ${details.numShrinks} steps)` : '';
  const explained = await explain_failure(() => body(found.w));
  return fail([`${found.outcome.message}`, `  on the workload${shrunk}: ${describe(found.w)}`, ...explained].join('\n'));
}

/**
 * like_reference - compare what the learner's code did on workload @w with
 * what the reference did on it (recorded in the suite's golden data). @same
 * says whether a difference is legitimate (another correct order); it
 * returns null when the two agree, or what a reviewer would say. Workloads
 * the reference never ran (shrunk ones) are not judged here.
 */
export function like_reference<T>(
  ctx: check_context,
  w: unknown,
  observed: T,
  same: (reference: T, observed: T) => string | null = (a, b) =>
    stable_json(a) === stable_json(b) ? null : `the reference gives ${stable_json(a)}, this code gives ${stable_json(b)}`,
): string | null {
  const ref = ctx.reference(workload_key(w), observed);
  return ref === undefined ? null : same(ref, observed);
}
