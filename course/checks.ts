// The graded checks of an exercise, free of any test framework.
//
// Each exercise has one check suite (checks/NN-slug.checks.ts): a
// list of checks, each a small program that runs the learner's code on the
// kernel model and says, in kernel terms, whether it holds up. The same
// suite is run by the authoring tests (npm test: starter fails, solution
// passes, decoys are rejected), by the learner's loop (npm start) and by the
// autograder (npm run grade). Nothing here touches Node APIs, so a suite can
// also run in the study site.

/** What one check concluded. */
export interface check_outcome {
  ok: boolean;
  /** Why it failed (kernel terms: what happened, the schedule, the dmesg tail), or a one-line summary when it passed. */
  message: string;
}

/** The learner's module(s): every export of the exercise's editable files, merged. */
export type exercise_impl = Record<string, unknown>;

export interface check {
  /** Stable id, referenced by the manifest for points and by decoys for "rejected by". */
  id: string;
  /** What the check proves, as a sentence ("never deadlocks when reclaim recurses under struct_mutex"). */
  name: string;
  run(impl: exercise_impl): Promise<check_outcome>;
}

export interface check_suite {
  /** The exercise id (the folder name, e.g. "01-count-must-not-hide-memory"). */
  exercise: string;
  /** Exports the learner's files must provide, with the signature to show if one is missing. */
  exports: Record<string, string>;
  checks: check[];
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
 */
export async function run_checks(suite: check_suite, impl: exercise_impl, only?: readonly string[]): Promise<check_result[]> {
  const missing = missing_exports(suite, impl);
  const results: check_result[] = [];
  for (const c of suite.checks) {
    if (only && !only.includes(c.id)) continue;
    if (missing) {
      results.push({ id: c.id, name: c.name, status: 'failed', message: missing });
      continue;
    }
    try {
      const o = await c.run(impl);
      results.push({ id: c.id, name: c.name, status: o.ok ? 'passed' : 'failed', message: o.message });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const where = (err.stack ?? '').split('\n').find((l) => l.includes('/exercises/') || l.includes('/solutions/')) ?? '';
      results.push({ id: c.id, name: c.name, status: 'failed', message: `the check crashed: ${err.name}: ${err.message}${where ? `\n  ${where.trim()}` : ''}` });
    }
  }
  return results;
}

/** pass/fail helpers for check bodies. */
export const pass = (message = 'ok'): check_outcome => ({ ok: true, message });
export const fail = (message: string): check_outcome => ({ ok: false, message });
