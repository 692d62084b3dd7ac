// Grading one submission: build a grading tree from the grader's own course,
// drop the submission's editable files into exercises/<id>/, and check each
// exercise in its own locked-down child process. The parent alone writes
// results: the children print one nonce-signed line each and have no write
// access to anything.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { check_result } from '../course/checks';
import type { extra_results } from '../course/check_exercise';
import { COURSE_ROOT, read_manifest } from '../course/files';
import { run_isolated, TSX_LOADER, type isolated_run } from '../course/isolate';
import { find_exercise, type course_manifest, type manifest_exercise } from '../course/manifest';
import type { exercise_status } from '../course/outcome';
import type { diagnostic } from '../course/typecheck';
import { check_policy, type policy_violation } from './policy';
import { transpile_all, transpile_file } from './transpile';
import {
  compute_checksums,
  copy_course,
  diff_checksums,
  file_digest,
  is_dir,
  make_temp,
  protected_files,
  read_checksums,
  remove,
} from './tree';

export type visibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';

export interface grade_options {
  /** The grader's course (default: this checkout). Tests, model, harness and configuration come from here. */
  root?: string;
  /** A student repository (with exercises/) or an exercises/ folder. Default: @root itself. */
  submission?: string;
  /** Only these exercises ("01", "01-slug"); default all. */
  exercises?: string[];
  /** The instructor's hidden tests: <id>.checks.ts (+ <id>.points.json) per exercise. */
  hidden?: string | null;
  /** Gradescope visibility of hidden checks (default after_due_date). */
  hidden_visibility?: visibility;
  /** Per exercise, default 60 s. */
  timeout_ms?: number;
  /** Child processes at once (default 2). */
  jobs?: number;
  /** Type-check the submission first (default true). */
  typecheck?: boolean;
  /** Enforce the import policy (default true; tests turn it off to prove the runtime layers alone). */
  policy?: boolean;
  /** Node permission model and frozen intrinsics for the children (default true). */
  sandbox?: boolean;
  /** Give points to an exercise whose files are identical to the starter (default false: 0). */
  credit_unchanged?: boolean;
  /**
   * Freeze what learner code could patch before importing it (default true).
   * Only the tests turn it off, to show that a trick would work without it.
   */
  harden?: boolean;
}

export interface graded_check {
  id: string;
  name: string;
  /** The manifest's task, null for hidden checks. */
  task: number | null;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  message: string;
  hidden: boolean;
}

export type graded_status = exercise_status | 'missing' | 'policy' | 'unchanged';

export interface graded_exercise {
  id: string;
  title: string;
  status: graded_status;
  /** Why the exercise scored 0 as a whole (empty when the checks ran). */
  message: string;
  score: number;
  max_score: number;
  checks: graded_check[];
  /** What the learner's code printed (capped). */
  output: string;
  ms: number;
}

export interface grade_report {
  /** The submission's folder name. */
  submission: string;
  score: number;
  max_score: number;
  exercises: graded_exercise[];
  /** Protected files the submission changed (graded with the pristine versions instead). */
  modified: string[];
  /** Protected files of the grader's own tree that differ from grader/checksums.json. */
  grader_modified: string[];
  hidden_visibility: visibility;
  /** Seconds (informational). */
  execution_time: number;
  /** Set when the grader itself could not run (every exercise then scores 0). */
  error?: string;
}

/** A limiter shared by every job of a run (and of a batch). */
export type limiter = <T>(job: () => Promise<T>) => Promise<T>;

export function make_limiter(n: number): limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface hidden_suite {
  exercise: string;
  /** Path inside the grading tree. */
  path: string;
  points: Record<string, number>;
}

/** A prepared copy of the course: TypeScript and its JavaScript, hidden suites included, no solutions. */
export interface grading_base {
  dir: string;
  root: string;
  manifest: course_manifest;
  hidden: hidden_suite[];
  grader_modified: string[];
}

function read_hidden(dir: string, m: course_manifest): { exercise: manifest_exercise; file: string; points: Record<string, number> }[] {
  const out = [];
  for (const f of readdirSync(dir).sort()) {
    const hit = /^(.+)\.checks\.ts$/.exec(f);
    if (!hit) continue;
    const e = find_exercise(m, hit[1]!);
    const pj = join(dir, `${hit[1]}.points.json`);
    const points = existsSync(pj) ? ((JSON.parse(readFileSync(pj, 'utf8')) as { points?: Record<string, number> }).points ?? {}) : {};
    out.push({ exercise: e, file: join(dir, f), points });
  }
  return out;
}

/** prepare_base - copy and transpile the trusted course once for a run (or a batch). */
export function prepare_base(root = COURSE_ROOT, hidden: string | null = null): grading_base {
  const manifest = read_manifest(root);
  const dir = make_temp('shrinker-grade-base-');
  copy_course(root, dir, manifest);
  const restored = restore_committed_starters(root, dir, manifest);
  const hs: hidden_suite[] = [];
  if (hidden) {
    mkdirSync(join(dir, 'tests/hidden'), { recursive: true });
    for (const h of read_hidden(hidden, manifest)) {
      const path = `tests/hidden/${h.exercise.id}.checks.ts`;
      cpSync(h.file, join(dir, path));
      hs.push({ exercise: h.exercise.id, path, points: h.points });
    }
  }
  const ts_files: string[] = [];
  const walk = (p: string) => {
    for (const d of readdirSync(p, { withFileTypes: true })) {
      if (d.name === 'node_modules') continue;
      const q = join(p, d.name);
      if (d.isDirectory()) walk(q);
      else if (q.endsWith('.ts')) ts_files.push(q);
    }
  };
  walk(dir);
  transpile_all(ts_files);
  const expected = read_checksums(root);
  const grader_modified = expected ? (() => {
    const d = diff_checksums(expected, compute_checksums(root));
    return [...d.modified, ...d.missing, ...d.added];
  })() : [];
  return { dir, root, manifest, hidden: hs, grader_modified: [...grader_modified, ...restored] };
}

/**
 * An instructor may grade from a working tree where they solved exercises
 * themselves. The grading base must hold the *starters* (a submission equal
 * to one scores nothing): where git knows the committed starter and the
 * working file differs, use the committed one and say so. Without git (an
 * exported template) the files are taken as they are.
 */
function restore_committed_starters(root: string, dir: string, manifest: course_manifest): string[] {
  const restored: string[] = [];
  for (const e of manifest.exercises) {
    for (const f of e.files) {
      const rel = `exercises/${e.id}/${f}`;
      let committed: string;
      try {
        committed = execFileSync('git', ['show', `HEAD:${rel}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        continue;
      }
      const copy = join(dir, rel);
      if (!existsSync(copy) || readFileSync(copy, 'utf8') !== committed) {
        writeFileSync(copy, committed);
        restored.push(`${rel} (edited in the grader's tree: graded against the committed starter)`);
      }
    }
  }
  return restored;
}

/**
 * Where a submission keeps its files. Three shapes: a whole student
 * repository (exercises/<id>/<file>, and protected files that can be compared),
 * its exercises/ folder (<id>/<file>), or the edited files uploaded one by one
 * (<file>, as Gradescope's upload gives them; used only when the file name
 * belongs to one exercise).
 */
function submission_layout(sub: string, m: course_manifest): { locate: (id: string, f: string) => string; repo: string | null } {
  if (is_dir(join(sub, 'exercises'))) return { locate: (id, f) => join(sub, 'exercises', id, f), repo: sub };
  const owners = new Map<string, number>();
  for (const e of m.exercises) for (const f of e.files) owners.set(f, (owners.get(f) ?? 0) + 1);
  return {
    locate: (id, f) => {
      const nested = join(sub, id, f);
      if (existsSync(nested) || owners.get(f) !== 1) return nested;
      const flat = join(sub, f);
      return existsSync(flat) ? flat : nested;
    },
    repo: null,
  };
}

/** Run the type check of @files in a child (it parses, never runs, the code). */
function typecheck_child(tree: string, files: string[], timeout_ms: number): Promise<diagnostic[] | string> {
  const script = join(fileURLToPath(new URL('.', import.meta.url)), 'typecheck_child.ts');
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, script, tree, ...files], { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout_ms);
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('close', () => {
      clearTimeout(timer);
      try {
        done((JSON.parse(out.trim().split('\n').pop() ?? '') as { diagnostics: diagnostic[] }).diagnostics);
      } catch {
        done(`the type check did not finish: ${err.trim().split('\n').slice(-4).join('\n') || 'timed out'}`);
      }
    });
  });
}

function sanitize(text: string, tree: string): string {
  let t = text;
  for (const p of new Set([tree, realpathSync(tree)])) {
    t = t.split(`file://${p}/`).join('').split(`${p}/`).join('').split(p).join('.');
  }
  return t;
}

function zero_checks(e: manifest_exercise, message: string, hidden: hidden_suite | undefined, hidden_ids: string[]): graded_check[] {
  const out: graded_check[] = e.tests.map((t) => ({ id: t.check, name: t.check, task: t.task, score: 0, max_score: t.points, status: 'failed', message, hidden: false }));
  if (hidden) for (const id of hidden_ids) out.push({ id: `hidden/${id}`, name: `hidden check ${id}`, task: null, score: 0, max_score: hidden.points[id] ?? 1, status: 'failed', message, hidden: true });
  return out;
}

/** Check ids of a hidden suite, read from its source (the suite itself only runs in a child). */
function hidden_check_ids(base: grading_base, h: hidden_suite): string[] {
  const ids = Object.keys(h.points);
  if (ids.length) return ids;
  const text = readFileSync(join(base.dir, h.path), 'utf8');
  return [...text.matchAll(/\bid:\s*['"]([a-z0-9][a-z0-9-]*)['"]/g)].map((m) => m[1]!);
}

/**
 * grade_submission - grade @opts.submission against @base (prepare_base);
 * @limit bounds the child processes (shared by a batch).
 */
export async function grade_submission(base: grading_base, opts: grade_options = {}, limit: limiter = make_limiter(opts.jobs ?? 2)): Promise<grade_report> {
  const t0 = Date.now();
  const sub_root = resolve(opts.submission ?? base.root);
  const m = base.manifest;
  const layout = submission_layout(sub_root, m);
  const wanted = opts.exercises?.length ? opts.exercises.map((q) => find_exercise(m, q).id) : m.exercises.map((e) => e.id);
  const exercises = m.exercises.filter((e) => wanted.includes(e.id));
  const timeout_ms = opts.timeout_ms ?? 60_000;
  const sandbox = opts.sandbox !== false;

  // 1. The grading tree: the base, and the submission's editable files on top.
  const tree = realpathSync(make_temp('shrinker-grade-'));
  cpSync(base.dir, tree, { recursive: true, verbatimSymlinks: true });
  const missing = new Map<string, string[]>();
  const unchanged = new Set<string>();
  const syntax = new Map<string, string>();
  for (const e of exercises) {
    const miss: string[] = [];
    let same = true;
    for (const f of e.files) {
      const src = layout.locate(e.id, f);
      const dst = join(tree, 'exercises', e.id, f);
      const starter = join(base.dir, 'exercises', e.id, f);
      if (!existsSync(src)) {
        miss.push(`exercises/${e.id}/${f}`);
        rmSync(dst, { force: true });
        rmSync(dst.replace(/\.ts$/, '.js'), { force: true });
        continue;
      }
      if (!existsSync(starter) || file_digest(src) !== file_digest(starter)) same = false;
      cpSync(src, dst);
      const errs = transpile_file(dst);
      if (errs.length) syntax.set(e.id, errs.map((x) => `exercises/${e.id}/${f}${x.message}`).join('\n'));
    }
    if (miss.length) missing.set(e.id, miss);
    else if (same) unchanged.add(e.id);
  }

  // 2. Protected files the submission changed (a whole repository only).
  const modified: string[] = [];
  if (layout.repo) {
    for (const f of protected_files(base.dir)) {
      if (f.startsWith('tests/hidden/')) continue;
      const theirs = join(layout.repo, f);
      if (existsSync(theirs) && file_digest(theirs) !== file_digest(join(base.dir, f))) modified.push(f);
    }
  }

  // 3. The import policy, statically.
  const violations = new Map<string, policy_violation[]>();
  if (opts.policy !== false) {
    for (const e of exercises) {
      if (missing.has(e.id)) continue;
      const vs = e.files.flatMap((f) => check_policy(tree, join(tree, 'exercises', e.id, f), `exercises/${e.id}/${f}`));
      if (vs.length) violations.set(e.id, vs);
    }
  }

  // 4. Type check (one child for the whole submission) and the exercises (one child each), in parallel.
  const to_run = exercises.filter((e) => !missing.has(e.id) && !violations.has(e.id) && !syntax.has(e.id) && (opts.credit_unchanged || !unchanged.has(e.id)));
  const tc_files = to_run.flatMap((e) => e.files.map((f) => join(tree, 'exercises', e.id, f)));
  const tc: Promise<diagnostic[] | string> = opts.typecheck === false || tc_files.length === 0 ? Promise.resolve([]) : limit(() => typecheck_child(tree, tc_files, Math.max(timeout_ms, 60_000)));
  const flags = sandbox ? ['--frozen-intrinsics', '--experimental-permission', `--allow-fs-read=${tree}/*`, '--no-warnings'] : ['--no-warnings'];
  const runs = new Map<string, Promise<isolated_run>>();
  for (const e of to_run) {
    const hs = base.hidden.filter((h) => h.exercise === e.id);
    runs.set(e.id, limit(() => run_isolated({
      root: tree,
      exercise: e.id,
      dir: join(tree, 'exercises', e.id),
      timeout_ms,
      typecheck: false,
      worker: join(tree, 'course/worker.js'),
      loader: false,
      harden: opts.harden !== false,
      node_flags: flags,
      extra: hs.map((h) => h.path),
    })));
  }
  const diags = await tc;
  const settled = new Map<string, isolated_run>();
  for (const [id, p] of runs) settled.set(id, await p);

  // 5. Scores, in manifest order.
  const out: graded_exercise[] = [];
  for (const e of exercises) {
    const hidden = base.hidden.find((h) => h.exercise === e.id);
    const hidden_ids = hidden ? hidden_check_ids(base, hidden) : [];
    const ge = (status: graded_status, message: string, checks: graded_check[], output = '', ms = 0): graded_exercise => ({
      id: e.id,
      title: e.title,
      status,
      message,
      score: checks.reduce((s, c) => s + c.score, 0),
      max_score: checks.reduce((s, c) => s + c.max_score, 0),
      checks,
      output,
      ms,
    });
    if (missing.has(e.id)) {
      const msg = `missing from the submission: ${missing.get(e.id)!.join(', ')} (restore the starter with: npx shrinker-lab reset ${e.id.slice(0, 2)})`;
      out.push(ge('missing', msg, zero_checks(e, msg, hidden, hidden_ids)));
      continue;
    }
    if (violations.has(e.id)) {
      const msg = `not graded: the file breaks the grader's import policy (a fix needs only the kernel model's API):\n${violations.get(e.id)!.map((v) => `  ${v.where}: ${v.message}`).join('\n')}`;
      out.push(ge('policy', msg, zero_checks(e, msg, hidden, hidden_ids)));
      continue;
    }
    if (syntax.has(e.id)) {
      const msg = `does not compile:\n${syntax.get(e.id)}`;
      out.push(ge('compile_error', msg, zero_checks(e, msg, hidden, hidden_ids)));
      continue;
    }
    if (!opts.credit_unchanged && unchanged.has(e.id)) {
      const msg = 'unchanged from the starter: no points (fix the TODO first; some checks only guard against breaking what already works)';
      out.push(ge('unchanged', msg, zero_checks(e, msg, hidden, hidden_ids)));
      continue;
    }
    const mine = typeof diags === 'string' ? null : diags.filter((d) => d.file.startsWith(`exercises/${e.id}/`));
    if (typeof diags === 'string' || (mine && mine.length)) {
      const msg = typeof diags === 'string' ? diags : `does not compile:\n${mine!.map((d) => `${d.file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`).join('\n')}`;
      out.push(ge('compile_error', msg, zero_checks(e, msg, hidden, hidden_ids)));
      continue;
    }
    const run = settled.get(e.id)!;
    const output = sanitize((run.output ?? '').trim(), tree);
    if (run.status === 'compile_error' || run.status === 'crashed' || run.status === 'timeout') {
      const msg = sanitize(run.message, tree);
      out.push(ge(run.status, msg, zero_checks(e, msg, hidden, hidden_ids), output, run.ms));
      continue;
    }
    const by_id = new Map<string, check_result>(run.results.map((r) => [r.id, r]));
    const checks: graded_check[] = e.tests.map((t) => {
      const r = by_id.get(t.check);
      const ok = r?.status === 'passed';
      return {
        id: t.check,
        name: r?.name ?? t.check,
        task: t.task,
        score: ok ? t.points : 0,
        max_score: t.points,
        status: ok ? 'passed' : 'failed',
        message: r ? sanitize(r.message, tree) : 'the suite did not run this check (the manifest and the suite disagree)',
        hidden: false,
      };
    });
    const extra = (run as isolated_run & { extra?: extra_results[] }).extra ?? [];
    if (hidden) {
      const rs = extra.find((x) => x.suite === hidden.path)?.results ?? [];
      const ids = hidden_ids.length ? hidden_ids : rs.map((r) => r.id);
      for (const id of ids) {
        const r = rs.find((x) => x.id === id);
        const ok = r?.status === 'passed';
        const pts = hidden.points[id] ?? 1;
        checks.push({ id: `hidden/${id}`, name: r?.name ?? id, task: null, score: ok ? pts : 0, max_score: pts, status: ok ? 'passed' : 'failed', message: r ? sanitize(r.message, tree) : 'not run', hidden: true });
      }
    }
    out.push(ge(run.status, '', checks, output, run.ms));
  }
  remove(tree);
  return {
    submission: basename(sub_root),
    score: out.reduce((s, e) => s + e.score, 0),
    max_score: out.reduce((s, e) => s + e.max_score, 0),
    exercises: out,
    modified: modified.sort(),
    grader_modified: base.grader_modified,
    hidden_visibility: opts.hidden_visibility ?? 'after_due_date',
    execution_time: (Date.now() - t0) / 1000,
  };
}

/** grade - prepare a base, grade one submission, clean up. */
export async function grade(opts: grade_options = {}): Promise<grade_report> {
  const base = prepare_base(opts.root ?? COURSE_ROOT, opts.hidden ?? null);
  try {
    return await grade_submission(base, opts);
  } finally {
    remove(base.dir);
  }
}

/** A report for a run that could not grade at all (results are written even then). */
export function failed_report(submission: string, message: string, m: course_manifest | null): grade_report {
  const exercises: graded_exercise[] = (m?.exercises ?? []).map((e) => {
    const checks = zero_checks(e, message, undefined, []);
    return { id: e.id, title: e.title, status: 'crashed', message, score: 0, max_score: checks.reduce((s, c) => s + c.max_score, 0), checks, output: '', ms: 0 };
  });
  return { submission, score: 0, max_score: exercises.reduce((s, e) => s + e.max_score, 0), exercises, modified: [], grader_modified: [], hidden_visibility: 'after_due_date', execution_time: 0, error: message };
}

export function write_text(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}
