// Running checks for the command: one exercise in a fresh child process
// (run, verify), several at a time with a bound (verify), and recording
// each verdict in the state file.
import { availableParallelism } from 'node:os';
import { starter_dir } from '../course/files';
import { join } from 'node:path';
import { run_isolated } from '../course/isolate';
import { CHECKS_TIMEOUT_S, TYPECHECK_WORKER } from '../course/runner';
import type { manifest_exercise } from '../course/manifest';
import { compiles, type exercise_run } from '../course/outcome';
import { TYPECHECK_FLAGS, warm_worker } from '../course/warm';
import { STATE_DIR, update_entry, type learner_state } from './state';

/**
 * Default wall-clock limit of one exercise's checks, in seconds. It is only a
 * backstop for a loop that never reaches a schedule point (a real hang of the
 * host process): every check budgets its work in model steps and schedules,
 * so a busy machine must never be what stops a check.
 */
export const DEFAULT_TIMEOUT_S = CHECKS_TIMEOUT_S;

/**
 * check_isolated - check @e from the learner's files in fresh child
 * processes: the type check in one (unless the content-hash cache already
 * says the files pass it), then the checks in another, so the compiler's
 * program over the whole model (about 100 MB resident) and the checks never
 * share a process. Same verdicts and messages as one process doing both.
 */
export async function check_isolated(root: string, e: manifest_exercise, timeout_s = DEFAULT_TIMEOUT_S): Promise<exercise_run> {
  const dir = starter_dir(e, root);
  const timeout_ms = timeout_s * 1000;
  const { typechecker } = await import('../course/typecheck');
  const known = new typechecker(root, { cache_dir: join(root, STATE_DIR, 'typecheck') }).remembered(e, e.files.map((f) => join(dir, f)));
  let ms = 0;
  if (known?.kind !== null) {
    const t = await run_isolated({ root, exercise: e.id, dir, timeout_ms, typecheck_only: true, node_flags: TYPECHECK_FLAGS, worker: TYPECHECK_WORKER });
    if (!compiles(t)) return t;
    ms = t.ms;
  }
  const run = await run_isolated({ root, exercise: e.id, dir, timeout_ms, typecheck: false });
  return { ...run, ms: run.ms + ms };
}

/**
 * record - store the verdict of @run in the state file. A run stopped by the
 * CPU-time backstop proved nothing about the code, so it never replaces a
 * verdict the learner already has (a passed exercise stays passed).
 */
export function record(root: string, run: exercise_run): learner_state {
  return update_entry(root, run.exercise, (s) => ({
    ...s,
    status: run.status === 'timeout' && s.status === 'passed' ? s.status : run.status,
    passed: s.passed || run.status === 'passed',
    checked_at: new Date().toISOString(),
  }));
}

/** Children at a time for verify: one per core, at least 1 and at most 4 (each check is single-threaded). */
export function default_jobs(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * check_many - check every exercise of @list, @jobs at a time; @on_done sees
 * each result as it arrives. Results come back in the order of @list.
 *
 * Each lane keeps one warm worker (course/warm.ts) for the exercises it
 * checks, one after another: a fresh process per exercise paid Node, tsx,
 * the compiler and the parse of the whole model again every time, several
 * times what the checks themselves cost. Each exercise still gets a fresh
 * grading realm (its own instance of the model, course/check_exercise.ts),
 * and a worker that timed out or crashed is replaced before the next one.
 */
export async function check_many(
  root: string,
  list: readonly manifest_exercise[],
  jobs: number,
  timeout_s: number,
  on_done?: (run: exercise_run) => void,
): Promise<exercise_run[]> {
  const out: exercise_run[] = new Array<exercise_run>(list.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    const worker = new warm_worker({ root, timeout_ms: timeout_s * 1000, prepare_typecheck: false });
    try {
      while (next < list.length) {
        const i = next++;
        const e = list[i]!;
        const { run, output } = await worker.check(e.id, starter_dir(e, root));
        const shown = { ...run, output } as exercise_run;
        out[i] = shown;
        on_done?.(shown);
      }
    } finally {
      worker.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, list.length)) }, lane));
  return out;
}
