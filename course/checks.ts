// The graded checks of an exercise, free of any test framework.
//
// Each exercise has one check suite (checks/NN-slug.checks.ts): a
// list of checks, each a small program that runs the learner's code on the
// kernel model and says, in kernel terms, whether it holds up. The same
// suite is run by the authoring tests (npm test: starter fails, solution
// passes, decoys are rejected), by the learner's loop (npm start) and by the
// autograder (npm run grade). Nothing here touches Node APIs, so a suite can
// also run in the study site.
import { model_arm_answer_slots } from '../kernel/drivers/gpu/drm/i915/i915_gem';
import { model_read_thrown } from '../kernel/model_value';
import { explain_failure, explained } from './explain';
import { traced_exports } from './funcgraph';
import { collect_proved, with_proved } from './proved';

/** What one check concluded. */
export interface check_outcome {
  ok: boolean;
  /** Why it failed (kernel terms: what happened, the schedule, the dmesg tail), or a one-line summary when it passed. */
  message: string;
}

/** The learner's module(s): every export of the exercise's editable files, merged. */
export type exercise_impl = Record<string, unknown>;

/**
 * What a check may ask besides the learner's code: the reference solution's
 * outcome on the same workload. The reference itself is never loaded when
 * grading; its outcomes were recorded by `npm run golden` into
 * checks/NN-slug.golden.ts, and an authoring test proves that file current.
 */
export interface check_context {
  /**
   * reference - the reference solution's outcome recorded under @key (a
   * workload's key, see course/workload.ts), or undefined when none was
   * recorded (a shrunk workload the reference never ran). While recording,
   * stores @observed and returns it, so the comparison holds trivially.
   */
  reference<T>(key: string, observed: T): T | undefined;
}

export interface check {
  /** Stable id, referenced by the manifest for points and by decoys for "rejected by". */
  id: string;
  /** What the check proves, as a sentence ("never deadlocks when reclaim recurses under struct_mutex"). */
  name: string;
  run(impl: exercise_impl, ctx: check_context): Promise<check_outcome>;
}

/** The reference's recorded outcomes: check id → workload key → outcome (JSON data). */
export type golden_data = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface check_suite {
  /** The exercise id (the folder name, e.g. "01-count-must-not-hide-memory"). */
  exercise: string;
  /** Exports the learner's files must provide, with the signature to show if one is missing. */
  exports: Record<string, string>;
  /** The reference's outcomes (checks/NN-slug.golden.ts), for checks that compare with it. */
  golden?: golden_data;
  checks: check[];
}

/** Where run_checks records the outcomes of the code it runs (the reference, for `npm run golden`). */
export type golden_recorder = Record<string, Record<string, unknown>>;

function context_for(suite: check_suite, check_id: string, record: golden_recorder | undefined): check_context {
  if (record) {
    const book = (record[check_id] ??= {});
    return {
      reference<T>(key: string, observed: T): T {
        // JSON round trip: what is recorded is exactly what the file will hold.
        book[key] = JSON.parse(JSON.stringify(observed)) as unknown;
        return observed;
      },
    };
  }
  const book = suite.golden?.[check_id] ?? {};
  return {
    reference<T>(key: string, _observed: T): T | undefined {
      return Object.prototype.hasOwnProperty.call(book, key) ? (book[key] as T) : undefined;
    },
  };
}

/** One check's result, as reported to the learner, the grader and the tests. */
export interface check_result {
  id: string;
  name: string;
  status: 'passed' | 'failed';
  message: string;
}

/** define_checks - declare an exercise's check suite (validates ids). */
export function define_checks(suite: check_suite): check_suite {
  const seen = new Set<string>();
  for (const c of suite.checks) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(c.id)) throw new Error(`${suite.exercise}: check id "${c.id}" must be lower-case words joined by "-"`);
    if (seen.has(c.id)) throw new Error(`${suite.exercise}: check id "${c.id}" is used twice`);
    seen.add(c.id);
  }
  return suite;
}

/** The message for an export the learner's file does not provide. */
function missing_exports(suite: check_suite, impl: exercise_impl): string | null {
  const missing = Object.keys(suite.exports).filter((name) => typeof impl[name] !== 'function');
  if (missing.length === 0) return null;
  return missing.map((name) => `the exercise must export ${suite.exports[name]} (it is missing or not a function)`).join('\n');
}

/**
 * run_checks - run every check of @suite on @impl, one after the other (the
 * model allows one run at a time). A check that throws fails with the
 * exception's message: learner code can crash, the checks must not.
 * A failure whose message does not lead to the learner's code (no Call Trace
 * frame in their file, no explaining replay: a check that judged a value
 * from run_once and said so in its own words) gets one: the check runs once
 * more with the trace on (the model is deterministic, so it takes the same
 * path) and the call trace of the learner's code in its last run, and the
 * trace around it, are added (course/explain.ts). The verdict is the first run's.
 * With @record, every reference() call stores its outcome there (the
 * authoring command runs the reference solution this way).
 */
export async function run_checks(
  suite: check_suite,
  impl: exercise_impl,
  only?: readonly string[],
  record?: golden_recorder,
): Promise<check_result[]> {
  const missing = missing_exports(suite, impl);
  const results: check_result[] = [];
  // No device a check boots may carry the model's own version of what the
  // exercise writes (kernel/drivers/gpu/drm/i915/i915_gem.ts): the learner's
  // code is handed those devices, and could call the answer instead.
  const disarm = model_arm_answer_slots(Object.keys(suite.exports));
  try {
    await run_each(suite, traced_exports(impl), only, record, missing, results);
  } finally {
    disarm();
  }
  return results;
}

async function run_each(
  suite: check_suite,
  impl: exercise_impl,
  only: readonly string[] | undefined,
  record: golden_recorder | undefined,
  missing: string | null,
  results: check_result[],
): Promise<void> {
  for (const c of suite.checks) {
    if (only && !only.includes(c.id)) continue;
    if (missing) {
      results.push({ id: c.id, name: c.name, status: 'failed', message: missing });
      continue;
    }
    try {
      const ctx = context_for(suite, c.id, record);
      const { value: o, proved } = await collect_proved(() => c.run(impl, ctx));
      // A pass says what its explorations proved: every interleaving, or every schedule within the bound (course/proved.ts).
      const message = o.ok ? with_proved(o.message, proved) : record || explained(o.message) ? o.message : [o.message, ...(await explain_failure(() => c.run(impl, ctx), "in the check's last run"))].join('\n');
      results.push({ id: c.id, name: c.name, status: o.ok ? 'passed' : 'failed', message });
    } catch (e) {
      // What was thrown may be the learner's (a value, a Proxy, getters): read once, never coerced.
      const err = model_read_thrown(e);
      const where = err.stack.split('\n').find((l) => l.includes('/exercises/') || l.includes('/solutions/')) ?? '';
      results.push({ id: c.id, name: c.name, status: 'failed', message: `the check crashed: ${err.name}: ${err.message}${where ? `\n  ${where.trim()}` : ''}` });
    }
  }
}

/** pass/fail helpers for check bodies. */
export const pass = (message = 'ok'): check_outcome => ({ ok: true, message });
export const fail = (message: string): check_outcome => ({ ok: false, message });
