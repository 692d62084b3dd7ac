// Check one exercise in this process: type-check the learner's files, load
// them, run the suite. Used by the worker process (course/worker.ts) and by
// anything that already runs isolated.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run_checks, type exercise_impl } from './checks';
import { load_suite } from './files';
import type { manifest_exercise } from './manifest';
import type { exercise_run } from './outcome';
import { format_diagnostics, type typechecker } from './typecheck';

export interface check_options {
  /** Course root holding the checks, the model and the manifest (the grader's pristine copy). */
  root: string;
  /** Folder holding the learner's editable files. */
  dir: string;
  /** Type-check first (skip only when the caller already did). */
  checker?: typechecker | null;
  /** Cache-busting tag for re-importing edited files in a long-lived process. */
  version?: string;
}

/** check_exercise - the whole verdict for @e from the files in @opts.dir. */
export async function check_exercise(e: manifest_exercise, opts: check_options): Promise<exercise_run> {
  const t0 = Date.now();
  const files = e.files.map((f) => join(opts.dir, f));
  const base = { exercise: e.id, results: [], diagnostics: [] };
  if (opts.checker) {
    const ds = opts.checker.check(files);
    if (ds.length) {
      return { ...base, diagnostics: ds, status: 'compile_error', message: `does not compile:\n${format_diagnostics(ds)}`, ms: Date.now() - t0 };
    }
  }
  let impl: exercise_impl = {};
  try {
    for (const f of files) {
      const url = pathToFileURL(f).href + (opts.version ? `?v=${opts.version}` : '');
      Object.assign(impl, await import(url));
    }
  } catch (err) {
    const e2 = err instanceof Error ? err : new Error(String(err));
    const compile = e2.name === 'SyntaxError' || /Transform failed|Expected|Unexpected/.test(e2.message);
    return {
      ...base,
      status: compile ? 'compile_error' : 'crashed',
      message: compile ? `does not compile: ${e2.message}` : `loading the exercise threw ${e2.name}: ${e2.message}`,
      ms: Date.now() - t0,
    };
  }
  const suite = await load_suite(e, opts.root);
  const results = await run_checks(suite, impl);
  const ok = results.every((r) => r.status === 'passed');
  return { ...base, results, status: ok ? 'passed' : 'failed', message: '', ms: Date.now() - t0 };
}
