// Check one exercise: type-check the learner's files, load them, run the
// suite. Two ways, both run inside a worker process (course/worker.ts):
//   - check_exercise: type-check, then (the learner's loop, opts.realm) the
//     grader's realm below from the checkout's .ts files, or (the authoring
//     tests) this process's own realm;
//   - check_in_realm: the grader's way. The suites, the model and the
//     learner's files load into a locked realm (course/realm.ts), frozen
//     before the learner's code runs; the verdict leaves the realm as plain
//     data, checked against the trusted manifest by the grader.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run_checks, type check_result, type check_suite, type exercise_impl } from './checks';
import { deep_freeze, type print_fn } from './harden';
import { import_refusal, type manifest_exercise } from './manifest';
import { describe_thrown, realm, type import_gate } from './realm';
import { COMPILES, type exercise_run } from './outcome';
import type { typechecker } from './typecheck';

export interface check_options {
  /** Course root holding the checks, the model and the manifest (the grader's pristine copy). */
  root: string;
  /** Folder holding the learner's editable files. */
  dir: string;
  /** Type-check first (skip only when the caller already did). */
  checker?: typechecker | null;
  /**
   * Only the type check (course/worker.ts --typecheck-only): a run that does
   * not compile, or one marked COMPILES (course/outcome.ts). The compiler then lives in a
   * process of its own, not in the one that runs the checks.
   */
  typecheck_only?: boolean;
  /** Cache-busting tag for re-importing edited files in a long-lived process. */
  version?: string;
  /**
   * Run the learner's files in the grading realm (course/realm.ts), as the
   * grader does, instead of this process's own realm: @print receives what
   * they print, @load is course/transpile.ts ts_loader (passed in, so that a
   * grading worker, which may not read the compiler, never imports it). The
   * learner's loop does this: in the checker's own realm a file could patch
   * the suite and pass everything, and unlock the reference solution.
   */
  realm?: { print: print_fn; load: (path: string) => string | null };
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
  const files = e.files.map((f) => join(opts.dir, f));
  const base = { exercise: e.id, results: [], diagnostics: [] };
  if (opts.checker) {
    // course/typecheck.ts typecheck_run: the allowlist, state kept between calls, then type errors.
    // Imported only here: a grading worker (no checker) may not read the compiler's module.
    const { typecheck_run } = await import('./typecheck');
    const pre = await typecheck_run(e, files, opts.checker, t0);
    if (pre.status === 'compile_error') return pre;
  }
  if (opts.typecheck_only) return { ...base, status: 'passed', message: COMPILES, ms: Date.now() - t0 };
  if (opts.realm) {
    const run = await check_in_realm(e, { root: opts.root, dir: opts.dir, print: opts.realm.print, load: opts.realm.load });
    return { ...run, ms: Date.now() - t0 };
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
  const suite = await import_suite(opts.root, e.checks);
  const results = await run_checks(suite, impl);
  const ok = results.every((r) => r.status === 'passed');
  return { ...base, results, status: ok ? 'passed' : 'failed', message: '', ms: Date.now() - t0 };
}

export interface realm_check_options {
  /** The grading tree (transpiled: every .ts has its .js). */
  root: string;
  /** Folder holding the learner's editable files (.js next to .ts). */
  dir: string;
  /** Hidden suites: their path in the tree (where their imports resolve from) and the file outside it holding the source. */
  hidden?: { path: string; file: string }[];
  /** Where the learner's console output goes. */
  print: print_fn;
  /**
   * Run the exercise's own (visible) suite (default true). The grader runs
   * the hidden suites in a child of their own with this false: nothing the
   * learner's code does while a hidden check runs (print, loop, crash) can
   * reach the visible results.
   */
  visible?: boolean;
  /** Load module sources through this (course/transpile.ts ts_loader: a checkout's .ts files, in memory) instead of reading the tree's .js files. */
  load?: (path: string) => string | null;
}

/** The realm loads the transpiled JavaScript next to each .ts file. */
const to_js = (p: string) => p.replace(/\.ts$/, '.js');

/** Folders of trusted modules loaded (and frozen) before the learner's code. */
const TRUSTED_DIRS = ['kernel', 'explorer', 'scenarios'];

/** The .js files under @rel (with @from_source: the .js each .ts file becomes; tests and declarations left out). */
function js_files(root: string, rel: string, out: string[], from_source = false): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = `${rel}/${d.name}`;
    if (d.isDirectory()) js_files(root, r, out, from_source);
    else if (!from_source && d.name.endsWith('.js')) out.push(r);
    else if (from_source && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') && !d.name.endsWith('.test.ts')) out.push(to_js(r));
  }
  return out;
}

/**
 * load_model_and_freeze - every module of the model (TRUSTED_DIRS) into @r,
 * then freeze what every trusted module loaded so far exports: done before
 * any learner code loads (check_in_realm, and cli/replay_child.ts for
 * `shrinker-lab replay`). @from_source: the tree has .ts files only (the
 * learner's loop), not the grader's transpiled .js.
 */
export async function load_model_and_freeze(r: realm, root: string, from_source: boolean): Promise<void> {
  for (const d of TRUSTED_DIRS) for (const f of js_files(root, d, [], from_source)) await r.import_trusted(f);
  await r.install_stack_source();
  r.freeze_trusted();
}

/** exercise_gate - @e's import allowlist (exercises/course.json "imports") as the realm's gate for the learner's imports. */
export function exercise_gate(e: manifest_exercise): import_gate {
  return { module: (target: string) => import_refusal(e, target, '*'), name: (target: string, name: string) => import_refusal(e, target, name) };
}

function suite_of(ns: Record<string, unknown>, path: string): check_suite {
  const s = ns.default as check_suite | undefined;
  if (!s || !Array.isArray(s.checks)) throw new Error(`${path}: must export default define_checks({...})`);
  return s;
}

/**
 * check_in_realm - the grader's verdict for @e: suites, model and harness
 * load into a fresh locked realm and are frozen, then the learner's files
 * (their imports gated by the manifest's allowlist), then the checks run.
 * Returns plain data (strings and numbers copied out of the realm).
 */
export async function check_in_realm(e: manifest_exercise, opts: realm_check_options): Promise<graded_run> {
  const t0 = Date.now();
  const virtual = new Map((opts.hidden ?? []).map((h) => [join(opts.root, to_js(h.path)), h.file]));
  const r = new realm({ root: opts.root, print: opts.print, virtual, load: opts.load });
  const base = { exercise: e.id, results: [], diagnostics: [] };
  // 1. What judges: the suites first, then every module of the model, frozen.
  const runner = await r.import_trusted('course/checks.js');
  const suite = opts.visible === false ? null : deep_freeze(suite_of(await r.import_trusted(to_js(e.checks)), e.checks));
  const hidden: { path: string; suite: check_suite }[] = [];
  for (const h of opts.hidden ?? []) hidden.push({ path: h.path, suite: deep_freeze(suite_of(await r.import_trusted(to_js(h.path)), h.path)) });
  await load_model_and_freeze(r, opts.root, !!opts.load);
  // 2. The learner's files, each import decided by the allowlist.
  const impl = r.new_object() as exercise_impl;
  const gate = exercise_gate(e);
  try {
    for (const f of e.files) {
      const ns = await r.import_learner(to_js(join(relative(opts.root, opts.dir), f)), gate);
      for (const k of Object.keys(ns)) impl[k] = ns[k];
    }
  } catch (err) {
    const t = describe_thrown(err);
    const compile = t.name === 'SyntaxError';
    return { ...base, status: compile ? 'compile_error' : 'crashed', message: compile ? `does not compile: ${t.message}` : `loading the exercise threw ${t.name}: ${t.message}`, ms: Date.now() - t0 };
  }
  // 3. The checks. Results are copied out field by field, as strings.
  const run = runner.run_checks as typeof run_checks;
  const copy = (rs: check_result[]): check_result[] =>
    Array.from(rs, (x) => ({ id: String(x.id), name: String(x.name), status: x.status === 'passed' ? 'passed' : 'failed', message: String(x.message) }));
  const results = suite ? copy(await run(suite, impl)) : [];
  const extra: extra_results[] = [];
  for (const h of hidden) extra.push({ suite: h.path, results: copy(await run(h.suite, impl)) });
  const ok = results.every((x) => x.status === 'passed');
  return { ...base, results, status: ok ? 'passed' : 'failed', message: '', ms: Date.now() - t0, ...(extra.length ? { extra } : {}) };
}
