// An explored scenario's run that never ends, and what a reviewer says of it.
//
// The explorer runs a scenario once per schedule. With the default step
// limit (200000 scheduler steps a run) an answer that never returns (a
// poll for a lock its own task holds, a yield loop that waits for itself)
// ran the explorer's worker out of its heap before any verdict: each step
// of each run is recorded for the partial-order reduction. Explored
// scenarios therefore stop each run at a step limit far above what the
// reference needs, and the check says in the exercise's terms what never
// returned.
import type { scenario } from '../explorer/scenario';
import type { check_outcome } from './checks';

/** Steps per run of an explored scenario whose reference ends in at most a few hundred. */
export const EXPLORED_RUN_MAX_STEPS = 5_000;

/**
 * Steps per run where a wrong answer may end at the OOM killer: the OOM
 * notifier retries struct_mutex a tick apart for 5 s first (about 5240
 * steps with the thread's holder-allocates workload), and the OOM kill is
 * the verdict that says more.
 */
export const OOM_PATH_RUN_MAX_STEPS = 20_000;

/** with_run_step_limit - @sc, each of its runs stopped after @max_steps scheduler steps (the step_limit report). */
export function with_run_step_limit(sc: scenario, max_steps: number): scenario {
  return { ...sc, params: { ...sc.params, max_steps } };
}

const STEP_LIMIT_VERDICT = /step limit: no end after \d+ scheduler steps/;

/** explain_step_limit - @out, with @why as its second line when its verdict is a run stopped at the step limit. */
export function explain_step_limit(out: check_outcome, why: string): check_outcome {
  if (out.ok) return out;
  const lines = out.message.split('\n');
  if (!STEP_LIMIT_VERDICT.test(lines[0] ?? '')) return out;
  return { ok: false, message: [lines[0], `  ${why}`, ...lines.slice(1)].join('\n') };
}
