// Check one exercise in this process: type-check the learner's files, load
// them, run the suite. Used by the worker process (course/worker.ts) and by
// anything that already runs isolated.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deep_freeze, freeze_model, lock_globals, lock_process } from '../grader/harden';
import { run_checks, type check_result, type check_suite, type exercise_impl } from './checks';
import type { manifest_exercise } from './manifest';
import type { exercise_run } from './outcome';
import type { diagnostic, typechecker } from './typecheck';

// Same text as typecheck.ts's format_diagnostics, repeated here so that this
// module (loaded by grading workers that may not read node_modules) does not
// load the TypeScript compiler.
function format_diagnostics(ds: readonly diagnostic[]): string {
  return ds.map((d) => `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`).join('\n');
}

export interface check_options {
  /** Course root holding the checks, the model and the manifest (the grader's pristine copy). */
  root: string;
  /** Folder holding the learner's editable files. */
  dir: string;
  /** Type-check first (skip only when the caller already did). */
  checker?: typechecker | null;
  /** Cache-busting tag for re-importing edited files in a long-lived process. */
  version?: string;
  /**
   * Grading mode: load the suites and freeze them, the model's exports and the
   * global bindings BEFORE the learner's code is imported (grader/harden.ts),
   * so that code cannot patch what judges it. One-shot processes only.
   */
  harden?: boolean;
  /** More suites to run on the same files (the instructor's hidden tests), paths relative to @root. */
  extra?: string[];
}

/** Results of an extra (hidden) suite. */
export interface extra_results {
  suite: string;
  results: check_result[];
}

/** An exercise_run with the results of the extra suites, when there are any. */
export interface graded_run extends exercise_run {
  extra?: extra_results[];
}

/**
 * When this module runs as transpiled JavaScript (a grading worker), the
 * manifest's .ts paths are imported as the .js files next to them.
 */
const RUNTIME_EXT = import.meta.url.endsWith('.js') ? '.js' : '.ts';
function runtime_path(p: string): string {
  return RUNTIME_EXT === '.js' ? p.replace(/\.ts$/, '.js') : p;
}

async function import_suite(root: string, path: string): Promise<check_suite> {
  const mod = (await import(pathToFileURL(runtime_path(join(root, path))).href)) as { default?: check_suite };
  if (!mod.default || !Array.isArray(mod.default.checks)) throw new Error(`${path}: must export default define_checks({...})`);
  return mod.default;
}

/** check_exercise - the whole verdict for @e from the files in @opts.dir. */
export async function check_exercise(e: manifest_exercise, opts: check_options): Promise<graded_run> {
  const t0 = Date.now();
  // In grading mode the suites are loaded (and frozen) first: a learner's file
  // importing a suite gets the frozen object and cannot swap a check's run().
  let suite: check_suite | null = null;
  const extras: { path: string; suite: check_suite }[] = [];
  if (opts.harden) {
    suite = deep_freeze(await import_suite(opts.root, e.checks));
    for (const p of opts.extra ?? []) extras.push({ path: p, suite: deep_freeze(await import_suite(opts.root, p)) });
    await freeze_model(opts.root, RUNTIME_EXT);
    lock_globals();
    lock_process();
  }
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
      const url = pathToFileURL(runtime_path(f)).href + (opts.version ? `?v=${opts.version}` : '');
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
  suite ??= await import_suite(opts.root, e.checks);
  const results = await run_checks(suite, impl);
  const extra: extra_results[] = [];
  for (const x of extras) extra.push({ suite: x.path, results: await run_checks(x.suite, impl) });
  if (!opts.harden) for (const p of opts.extra ?? []) extra.push({ suite: p, results: await run_checks(await import_suite(opts.root, p), impl) });
  const ok = results.every((r) => r.status === 'passed');
  return { ...base, results, status: ok ? 'passed' : 'failed', message: '', ms: Date.now() - t0, ...(extra.length ? { extra } : {}) };
}
