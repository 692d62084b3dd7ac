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

/** Marks the result line on a worker's stdout, so stray prints cannot be mistaken for it. */
export const RESULT_MARKER = '@@shrinker-lab-result@@';
