// The outcome of checking one exercise, as every front end reports it: the
// learner's loop, the autograder and the authoring tests.
import type { check_result } from './checks';
import type { diagnostic } from './typecheck';

export type exercise_status =
  | 'passed' // every check passed
  | 'failed' // it compiles and runs, some checks fail
  | 'compile_error' // syntax or type errors in the learner's files
  | 'crashed' // the exercise could not be loaded or ended the process
  | 'timeout'; // it did not finish in time (an infinite loop?)

export interface exercise_run {
  exercise: string;
  status: exercise_status;
  results: check_result[];
  diagnostics: diagnostic[];
  /** A one-paragraph explanation for compile_error, crashed and timeout. */
  message: string;
  /** Wall-clock milliseconds (informational only: never part of a grade). */
  ms: number;
}

/** The message of a type-check-only run whose files may go on to the checks (no check has run: never a verdict). */
export const COMPILES = 'compiles (type check only; the checks run next)';

/** compiles - @run is a type-check-only run (course/worker.ts --typecheck-only) that found nothing stopping the checks. */
export function compiles(run: exercise_run): boolean {
  return run.status === 'passed' && run.results.length === 0 && run.message === COMPILES;
}

/** Marks the result line on a worker's stdout, so stray prints cannot be mistaken for it. */
export const RESULT_MARKER = '@@shrinker-lab-result@@';
