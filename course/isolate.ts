// Run one exercise's checks in a child process, with the runner's limits
// (course/runner.ts). Whatever the learner's code does (loop for ever, throw
// at import, call process.exit, print megabytes, allocate without end), the
// caller gets an exercise_run back.
import type { extra_results } from './check_exercise';
import type { exercise_run } from './outcome';
import { LIMITS, run_worker, stopped_message, type run_outcome } from './runner';

export { TSX_LOADER } from './runner';

export interface isolate_options {
  /** Course root with the checks and the model (the grader: its grading tree). */
  root: string;
  exercise: string;
  /** Folder with the learner's files. */
  dir: string;
  /** Default LIMITS.timeout_ms. */
  timeout_ms?: number;
  /** Bytes of stdout+stderr allowed (default LIMITS.max_output); more ends the run. */
  max_output?: number;
  /** Type-check first ('check' only; default true). */
  typecheck?: boolean;
  /** 'check': only type-check (course/worker.ts --typecheck-only); a run that passes it is marked COMPILES (course/outcome.ts). */
  typecheck_only?: boolean;
  /** Extra node flags (the grader adds the permission model). */
  node_flags?: string[];
  /** The worker module (default course/worker.ts; the grader runs its tree's worker.js). */
  worker?: string;
  /**
   * 'check': the learner's loop, in the worker's realm; 'grade': the grader's
   * locked realm (course/realm.ts), hidden suites allowed.
   */
  verb?: 'check' | 'grade';
  /** Hidden suites for 'grade': path in the tree (for its imports) and the file outside the tree holding it. */
  hidden?: { path: string; file: string }[];
  /** 'grade': run only the hidden suites (the grader keeps them in a child of their own). */
  hidden_only?: boolean;
  /** 'check': load the learner's files in the worker's own realm, not the grading realm (only the grader's "without the hardening" controls). */
  own_realm?: boolean;
  /** Heap cap, MiB (default LIMITS.heap_mb). */
  heap_mb?: number;
  /** Resident memory cap, MiB (default LIMITS.rss_mb). */
  rss_mb?: number;
}

export interface isolated_run extends exercise_run {
  /** What the learner's code printed (stdout, then stderr), capped. */
  output?: string;
  /** Results of the hidden suites ('grade'). */
  extra?: extra_results[];
  /** Lines on the result channel that were not the worker's result: forged or garbled. For the instructor. */
  incidents?: string[];
}

/** interpret - the exercise_run a worker's run_outcome stands for. */
export function interpret(o: run_outcome, exercise: string, limits: { timeout_ms?: number; max_output?: number; heap_mb?: number; rss_mb?: number }): isolated_run {
  const base = { exercise, results: [], diagnostics: [], ms: o.ms, output: o.output, incidents: o.incidents };
  if (o.stopped) return { ...base, status: o.stopped === 'timeout' || o.stopped === 'stalled' ? 'timeout' : 'crashed', message: stopped_message(o.stopped, limits) };
  if (o.results.length > 1) {
    return { ...base, status: 'crashed', message: 'the check process reported more than one result', incidents: [...o.incidents, `${o.results.length} results for one request`] };
  }
  const msg = o.results[0] as { run?: isolated_run; error?: string } | undefined;
  if (msg && typeof msg === 'object' && msg.run && typeof msg.run === 'object') return { ...msg.run, output: o.output, incidents: o.incidents };
  if (msg && typeof msg === 'object' && typeof msg.error === 'string') return { ...base, status: 'crashed', message: msg.error };
  const tail = o.stderr_tail;
  return { ...base, status: 'crashed', message: `the check process ended before reporting (exit ${o.code ?? o.signal})${tail ? `:\n${tail}` : ''}` };
}

/** run_isolated - check @opts.exercise in a fresh child process. */
export async function run_isolated(opts: isolate_options): Promise<isolated_run> {
  const verb = opts.verb ?? 'check';
  const args = ['--root', opts.root, '--exercise', opts.exercise, '--dir', opts.dir];
  if (verb === 'check' && opts.typecheck === false) args.push('--no-typecheck');
  else if (verb === 'check' && opts.typecheck_only) args.push('--typecheck-only');
  for (const h of opts.hidden ?? []) args.push('--hidden', `${h.path}=${h.file}`);
  if (verb === 'grade' && opts.hidden_only) args.push('--hidden-only');
  if (verb === 'check' && opts.own_realm) args.push('--own-realm');
  const limits = { timeout_ms: opts.timeout_ms ?? LIMITS.timeout_ms, max_output: opts.max_output ?? LIMITS.max_output, heap_mb: opts.heap_mb, rss_mb: opts.rss_mb };
  const o = await run_worker({ verb, args, cwd: opts.root, worker: opts.worker, node_flags: opts.node_flags, ...limits });
  return interpret(o, opts.exercise, limits);
}
